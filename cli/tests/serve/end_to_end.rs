//! The example from `examples/`, applied to `canopy serve --demo 3`, deployed to every demo cluster and
//! terminated again.

use super::support::{CLUSTERS, Serve, deployed_objects};

#[tokio::test]
async fn the_example_deploys_to_every_demo_cluster_and_terminate_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start(&dir.path().join("data"), &dir.path().join("serve.log")).await;

    // The controllers serve ran were registered with the engine.
    let (code, controllers) = serve.get("/controllers").await;
    assert_eq!(code, 200);
    let mut names: Vec<&str> = controllers
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["gac", "placement", "rsync"]);

    // The demo clusters carry their region labels.
    for (label, expected) in [
        ("region-east", vec!["demo-1", "demo-3"]),
        ("region-west", vec!["demo-2"]),
    ] {
        let (code, body) = serve
            .get(&format!("/cluster-providers/demo/clusters?label={label}"))
            .await;
        assert_eq!(code, 200);
        let mut got: Vec<&str> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, expected, "clusters labelled {label}");
    }

    let applied = serve.apply("http-demo.yaml").await;
    assert_eq!(applied.lines().count(), 14, "{applied}");
    let status = serve.wait_ready().await;
    assert_eq!(status["readyCounts"]["Ready"], 15, "{status}");
    for cluster in CLUSTERS {
        assert_eq!(
            serve.objects(cluster).await,
            deployed_objects(),
            "{cluster}"
        );
        // The DIG's override (2 replicas) reached the cluster.
        assert_eq!(serve.replicas(cluster, "r1-http-server").await, Some(2));
    }

    serve.apply("terminate.yaml").await;
    serve
        .wait_status("Terminated", |s| {
            s["state"] == "Terminated" && s["deployedStatus"] == "Terminated"
        })
        .await;
    for cluster in CLUSTERS {
        assert_eq!(
            serve.objects(cluster).await,
            Vec::<String>::new(),
            "{cluster}"
        );
    }
    assert!(
        serve.terminate().await,
        "canopy serve exits cleanly on SIGTERM"
    );
}
