//! `canopy serve` killed while a deployment is in flight, and started again on the same data directory
//! while another process holds the demo clusters' old port.

use super::support::{CLUSTERS, DIG, Serve, deployed_objects, resources};

#[tokio::test]
async fn a_restart_mid_deploy_keeps_every_object_and_finishes_the_deployment() {
    let dir = tempfile::tempdir().unwrap();
    let (data, log) = (dir.path().join("data"), dir.path().join("serve.log"));
    let serve = Serve::start(&data, &log).await;
    // Workloads stay NotReady, so http-client (which waits for http-server Ready) is held back and the
    // instantiate cannot finish until the process is gone.
    serve.hold_readiness().await;
    serve.apply("http-demo.yaml").await;
    let caught = serve
        .wait_status("http-server applied on every cluster", |s| {
            let applied = resources(s)
                .into_iter()
                .filter(|(app, _, kind, _, state)| {
                    app == "http-server" && kind == "Deployment" && state == "Applied"
                })
                .count();
            applied == CLUSTERS.len()
        })
        .await;
    assert_eq!(caught["deployedStatus"], "Instantiating", "{caught}");
    assert!(
        resources(&caught)
            .iter()
            .all(|(app, _, _, _, state)| app != "http-client" || state != "Applied"),
        "http-client must still wait for http-server: {caught}"
    );
    let old_sim = serve.sim.clone();
    serve.kill().await;

    // Something else takes edgesim's port meanwhile: the restart must serve the clusters on another port
    // and re-point their registered kubeconfigs, or rsync could never reach them.
    let port = std::fs::read_to_string(data.join("demo-edgesim.port")).unwrap();
    let _taken = std::net::TcpListener::bind(("127.0.0.1", port.trim().parse::<u16>().unwrap()))
        .expect("the killed process's port is free");
    let serve = Serve::start(&data, &log).await;
    assert_ne!(serve.sim, old_sim);
    let status = serve.wait_ready().await;
    assert_eq!(status["readyCounts"]["Ready"], 15, "{status}");
    for cluster in CLUSTERS {
        assert_eq!(
            serve.objects(cluster).await,
            deployed_objects(),
            "{cluster}"
        );
    }
    // Every object is still there, and the registrations point at this run.
    for path in [
        "/projects/demo/composite-apps/http-demo/v1/apps/http-server".to_owned(),
        "/projects/demo/composite-apps/http-demo/v1/apps/http-client".to_owned(),
        "/projects/demo/composite-apps/http-demo/v1/composite-profiles/http-demo-profile/profiles/http-client-profile".to_owned(),
        DIG.to_owned(),
        format!("{DIG}/generic-placement-intents/by-region/app-intents/http-client-by-region"),
        "/cluster-providers/demo/clusters/demo-3".to_owned(),
        "/projects/demo/logical-clouds/demo".to_owned(),
    ] {
        let (code, body) = serve.get(&path).await;
        assert_eq!(code, 200, "{path}: {body}");
    }
    let (_, controllers) = serve.get("/controllers").await;
    assert_eq!(controllers.as_array().unwrap().len(), 3, "{controllers}");
    assert!(serve.terminate().await);
}
