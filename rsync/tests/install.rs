//! Install on a real (simulated) cluster: order from the apply log, labels, field manager.

mod common;

use canopy_edgesim::fault::{Faults, Flaky};
use canopy_engine::appcontext::Manifests;
use canopy_rsync::cluster::DEPLOYMENT_ID_LABEL;
use canopy_rsync::cluster::app::{self, POST_INSTALL, PRE_INSTALL, ResourceEvent};
use common::*;
use tokio_util::sync::CancellationToken;

fn full_app() -> Manifests {
    Manifests {
        crds: vec![widget_crd()],
        hooks: vec![
            hook(PRE_INSTALL, job("migrate")),
            hook(POST_INSTALL, job("announce")),
        ],
        resources: vec![
            config_map("settings", "1"),
            deployment("web", "nginx:1"),
            widget("gadget"),
        ],
    }
}

#[tokio::test]
async fn install_applies_crds_then_pre_install_hooks_then_resources_then_post_install_hooks() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let report = Recorder::default();
    within(app::install(
        &cluster,
        &full_app(),
        "dep-1",
        &report,
        &CancellationToken::new(),
    ))
    .await
    .expect("install succeeds");

    let writes: Vec<String> = sim
        .writes("edge-1")
        .into_iter()
        .filter(|w| w.starts_with("apply"))
        .collect();
    assert_eq!(
        writes,
        [
            "apply CustomResourceDefinition/widgets.example.com",
            "apply Job/migrate",
            "apply ConfigMap/settings",
            "apply Deployment/web",
            "apply Widget/gadget",
            "apply Job/announce",
        ],
        "{writes:#?}"
    );
    assert_eq!(
        report.events(),
        [
            (0, "settings".to_string(), ResourceEvent::Applied),
            (1, "web".to_string(), ResourceEvent::Applied),
            (2, "gadget".to_string(), ResourceEvent::Applied),
        ],
        "hooks and CRDs are not reported"
    );
}

#[tokio::test]
async fn every_applied_object_and_the_pod_template_carry_the_deployment_label_and_canopy_manages_them()
 {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let manifests = full_app();
    within(app::install(
        &cluster,
        &manifests,
        "dep-7",
        &(),
        &CancellationToken::new(),
    ))
    .await
    .expect("install succeeds");

    let applies: Vec<_> = sim
        .log("edge-1")
        .into_iter()
        .filter(|e| e.verb == "apply")
        .collect();
    assert!(
        applies.iter().all(|e| e.manager == "canopy"),
        "{applies:#?}"
    );

    let every = manifests
        .resources
        .iter()
        .chain(&manifests.crds)
        .chain(manifests.hooks.iter().map(|h| &h.manifest));
    for m in every {
        let obj = cluster.get(m).await.unwrap().expect("the object exists");
        assert_eq!(
            obj["metadata"]["labels"][DEPLOYMENT_ID_LABEL], "dep-7",
            "{}",
            m.name
        );
        let managers: Vec<&str> = obj["metadata"]["managedFields"]
            .as_array()
            .expect("managedFields")
            .iter()
            .filter(|f| f["operation"] == "Apply")
            .filter_map(|f| f["manager"].as_str())
            .collect();
        assert_eq!(managers, ["canopy"], "{}", m.name);
    }
    let web = cluster
        .get(&deployment("web", "nginx:1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        web["spec"]["template"]["metadata"]["labels"][DEPLOYMENT_ID_LABEL],
        "dep-7"
    );
    assert_eq!(web["spec"]["template"]["metadata"]["labels"]["app"], "web");
    assert_eq!(web["metadata"]["namespace"], "default");
}

#[tokio::test]
async fn installing_again_leaves_the_resources_as_they_were() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let manifests = full_app();
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .unwrap();
    let web = deployment("web", "nginx:1");
    let generation = cluster.get(&web).await.unwrap().unwrap()["metadata"]["generation"].clone();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .expect("a second install succeeds");
    let after = cluster.get(&web).await.unwrap().unwrap();
    assert_eq!(after["metadata"]["generation"], generation);
}

#[tokio::test]
async fn a_failed_pre_install_hook_stops_the_install_before_the_resources() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    // A hook Pod that failed: edgesim never moves a Pod to Failed, so the hook carries its failed status.
    let failed = manifest(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "check"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}));
    let manifests = Manifests {
        hooks: vec![hook(PRE_INSTALL, failed.clone())],
        resources: vec![config_map("settings", "1")],
        ..Manifests::default()
    };
    // Mark the pod failed as soon as it appears, as a kubelet would.
    let client = cluster.client().clone();
    let marker = tokio::spawn(async move {
        use kube::api::{Api, Patch, PatchParams};
        let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::default_namespaced(client);
        loop {
            let status =
                serde_json::json!({"status": {"phase": "Failed", "message": "exit code 3"}});
            if pods
                .patch_status("check", &PatchParams::default(), &Patch::Merge(&status))
                .await
                .is_ok()
            {
                let pod = pods.get("check").await.unwrap();
                if pod.status.and_then(|s| s.phase).as_deref() == Some("Failed") {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    let e = within(app::install(
        &cluster,
        &manifests,
        "dep-1",
        &(),
        &CancellationToken::new(),
    ))
    .await
    .expect_err("the hook failed");
    marker.abort();
    assert!(!e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("Pod check"), "{e}");
    assert!(e.to_string().contains("exit code 3"), "{e}");
    assert!(
        !sim.writes("edge-1")
            .contains(&"apply ConfigMap/settings".to_string())
    );
}

#[tokio::test]
async fn install_stops_at_a_refused_resource_reports_it_failed_and_keeps_what_it_applied() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let manifests = app(vec![
        config_map("first", "1"),
        widget("no-crd"),
        config_map("last", "1"),
    ]);
    let report = Recorder::default();
    let e = within(app::install(
        &cluster,
        &manifests,
        "dep-1",
        &report,
        &CancellationToken::new(),
    ))
    .await
    .expect_err("the Widget kind is not served");
    assert!(!e.is_retryable());
    let events = report.events();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0], (0, "first".to_string(), ResourceEvent::Applied));
    let (index, name, ResourceEvent::Failed(message)) = &events[1] else {
        panic!("{events:?}");
    };
    assert_eq!((*index, name.as_str()), (1, "no-crd"));
    assert!(message.contains("Widget no-crd"), "{message}");
    assert!(cluster.exists(&manifests.resources[0]).await.unwrap());
    assert!(!cluster.exists(&manifests.resources[2]).await.unwrap());
}

#[tokio::test]
async fn an_apply_the_cluster_fails_for_now_is_retryable_and_reports_no_resource_failed() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let manifests = app(vec![config_map("first", "1"), config_map("second", "1")]);
    // A first install finds the kind (discovery is cached from then on) and applies both.
    within(app::install(
        &cluster,
        &manifests,
        "dep-1",
        &(),
        &CancellationToken::new(),
    ))
    .await
    .expect("the healthy cluster takes both");
    // Now every request fails with 503: the redone install's first apply is refused for now.
    sim.set_faults(
        "edge-1",
        Faults {
            flaky: Some(Flaky {
                fraction: 1.0,
                code: 503,
                writes_only: false,
            }),
            ..Faults::default()
        },
    );
    let report = Recorder::default();
    let e = within(app::install(
        &cluster,
        &manifests,
        "dep-1",
        &report,
        &CancellationToken::new(),
    ))
    .await
    .expect_err("every request fails");
    assert!(e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("503"), "{e}");
    assert_eq!(
        sim.handle.cluster("edge-1").unwrap().failed_writes(),
        1,
        "the apply itself met the failure"
    );
    assert_eq!(
        report.events(),
        [],
        "a resource is Failed only when the cluster refuses it for good"
    );
}
