//! Uninstall: reverse order, hooks around the deletes, objects gone.

mod common;

use canopy_engine::appcontext::Manifests;
use canopy_rsync::cluster::app::{self, POST_DELETE, PRE_DELETE, PRE_INSTALL, ResourceEvent};
use common::*;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn uninstall_deletes_in_reverse_order_between_its_hooks_and_everything_is_gone() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let manifests = Manifests {
        crds: vec![widget_crd()],
        hooks: vec![
            hook(PRE_INSTALL, job("migrate")),
            hook(PRE_DELETE, job("backup")),
            hook(POST_DELETE, job("farewell")),
        ],
        resources: vec![
            config_map("settings", "1"),
            deployment("web", "nginx:1"),
            widget("gadget"),
        ],
    };
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .unwrap();
    let before = sim.writes("edge-1").len();

    let report = Recorder::default();
    within(app::uninstall(&cluster, &manifests, &report, &cancel))
        .await
        .expect("uninstall succeeds");

    let writes = sim.writes("edge-1")[before..].to_vec();
    let backup = position(&writes, "apply Job/backup");
    let gadget = position(&writes, "delete Widget/gadget");
    let web = position(&writes, "delete Deployment/web");
    let settings = position(&writes, "delete ConfigMap/settings");
    let farewell = position(&writes, "apply Job/farewell");
    let crd = position(
        &writes,
        "delete CustomResourceDefinition/widgets.example.com",
    );
    assert!(
        backup < gadget && gadget < web && web < settings && settings < farewell && farewell < crd,
        "{writes:#?}"
    );
    position(&writes, "delete Job/migrate");

    for m in manifests
        .resources
        .iter()
        .chain(&manifests.crds)
        .chain(manifests.hooks.iter().map(|h| &h.manifest))
    {
        assert!(!cluster.exists(m).await.unwrap(), "{} is gone", m.name);
    }
    assert_eq!(
        report.events(),
        [
            (2, "gadget".to_string(), ResourceEvent::Deleted),
            (1, "web".to_string(), ResourceEvent::Deleted),
            (0, "settings".to_string(), ResourceEvent::Deleted),
        ]
    );
}

#[tokio::test]
async fn uninstalling_what_is_already_gone_succeeds() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let manifests = Manifests {
        crds: vec![widget_crd()],
        resources: vec![config_map("settings", "1"), widget("gadget")],
        ..Manifests::default()
    };
    within(app::uninstall(
        &cluster,
        &manifests,
        &(),
        &CancellationToken::new(),
    ))
    .await
    .expect("nothing to delete is fine, even for a kind the cluster does not serve");
}
