//! Update: make before break, unchanged resources untouched.

mod common;

use canopy_rsync::cluster::Watches;
use canopy_rsync::cluster::app::{self, ResourceEvent, Summary};
use common::*;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn update_applies_changed_skips_unchanged_and_deletes_removed_only_after_the_new_ones_are_ready()
 {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let old = app(vec![
        config_map("keep", "1"),
        deployment("web", "nginx:1"),
        config_map("drop-a", "1"),
        config_map("drop-b", "1"),
    ]);
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &old, "dep-1", &(), &cancel))
        .await
        .unwrap();
    sim.readiness_delay("edge-1", 600);
    let mark = sim.log("edge-1").len();

    let new = app(vec![
        config_map("keep", "1"),
        deployment("web", "nginx:2"),
        config_map("fresh", "1"),
    ]);
    let report = Recorder::default();
    let summary = within(app::update(&watches, &old, &new, "dep-2", &report, &cancel))
        .await
        .expect("update succeeds");
    assert_eq!(
        summary,
        Summary {
            applied: 2,
            skipped: 1,
            deleted: 2
        }
    );

    let log = sim.log("edge-1")[mark..].to_vec();
    let line = |verb: &str, name: &str| {
        log.iter()
            .rposition(|e| e.verb == verb && e.name == name)
            .unwrap_or_else(|| panic!("no {verb} of {name} in {log:#?}"))
    };
    assert!(
        log.iter().all(|e| e.name != "keep"),
        "the unchanged resource is not touched: {log:#?}"
    );
    let web_applied = line("apply", "web");
    let web_ready = line("status", "web");
    assert!(web_applied < web_ready);
    let fresh = line("apply", "fresh");
    let (drop_b, drop_a) = (line("delete", "drop-b"), line("delete", "drop-a"));
    assert!(fresh < drop_b, "{log:#?}");
    assert!(
        web_ready < drop_b && drop_b < drop_a,
        "deletes come after the new Deployment is ready, in reverse order: {log:#?}"
    );
    assert!(!cluster.exists(&config_map("drop-a", "1")).await.unwrap());
    let web = cluster
        .get(&deployment("web", "nginx:2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        web["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:2"
    );

    assert_eq!(report.of("keep"), [ResourceEvent::Unchanged]);
    assert_eq!(
        report.of("drop-a"),
        [ResourceEvent::Deleted],
        "reported with its index in the old manifests"
    );
    let deleted: Vec<usize> = report
        .events()
        .into_iter()
        .filter(|(_, _, e)| *e == ResourceEvent::Deleted)
        .map(|(i, _, _)| i)
        .collect();
    assert_eq!(deleted, [3, 2]);
    assert!(report.of("web").contains(&ResourceEvent::Applied));
    assert_eq!(
        report.of("web").last(),
        Some(&ResourceEvent::Readiness(
            canopy_engine::appcontext::Ready::Ready
        ))
    );
}
