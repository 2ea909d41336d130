//! Readiness through the shared watches: NotReady then Ready, one watch per kind, deletion seen,
//! cancellation prompt.

mod common;

use canopy_engine::appcontext::Ready;
use canopy_rsync::cluster::app::{self, ResourceEvent};
use canopy_rsync::cluster::{ApplyError, Watches};
use common::*;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_delayed_deployment_is_reported_not_ready_then_ready_and_wait_ready_returns_after() {
    let sim = Sim::start("edge-1").await;
    sim.readiness_delay("edge-1", 700);
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let mut feed = watches.subscribe_all();
    let manifests = app(vec![
        config_map("settings", "1"),
        deployment("web", "nginx:1"),
    ]);
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .unwrap();

    let report = Recorder::default();
    within(app::wait_ready(&watches, &manifests, &report, &cancel))
        .await
        .expect("every resource becomes ready");

    assert_eq!(
        report.of("web"),
        [
            ResourceEvent::Readiness(Ready::NotReady),
            ResourceEvent::Readiness(Ready::Ready)
        ]
    );
    assert_eq!(
        report.of("settings"),
        [ResourceEvent::Readiness(Ready::Ready)]
    );
    let live = cluster
        .get(&deployment("web", "nginx:1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        live["status"]["availableReplicas"], 2,
        "ready by the cluster's own status"
    );

    let mut seen = Vec::new();
    while let Ok(change) = feed.try_recv() {
        seen.push((change.id.to_string(), change.ready));
    }
    assert!(
        seen.contains(&("Deployment default/web".to_string(), Ready::Ready)),
        "{seen:?}"
    );
}

#[tokio::test]
async fn one_watch_serves_every_resource_of_a_kind_and_stops_with_its_last_subscriber() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let mut resources: Vec<_> = (0..6)
        .map(|i| deployment(&format!("web-{i}"), "nginx:1"))
        .collect();
    resources.extend((0..4).map(|i| config_map(&format!("conf-{i}"), "x")));
    let manifests = app(resources);
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .unwrap();

    within(watches.wait_ready(&manifests.resources, &cancel))
        .await
        .unwrap();
    assert_eq!(
        watches.watches_started(),
        2,
        "one per kind, not per resource"
    );
    assert_eq!(
        watches.running(),
        0,
        "the watches stop with their last subscriber"
    );

    // Two apps waiting at once share the running watch.
    let first = watches.subscribe(&manifests.resources[0]).await.unwrap();
    let second = watches.subscribe(&manifests.resources[1]).await.unwrap();
    assert_eq!(watches.watches_started(), 3);
    assert_eq!(watches.running(), 1);
    drop((first, second));
    assert_eq!(watches.running(), 0);
}

#[tokio::test]
async fn a_deleted_resource_reads_not_present() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let conf = config_map("settings", "1");
    cluster.apply(&conf, "dep-1").await.unwrap();
    let mut sub = watches.subscribe(&conf).await.unwrap();
    within(
        sub.receiver()
            .wait_for(|r| r.map(|s| s.ready) == Some(Ready::Ready)),
    )
    .await
    .unwrap();
    cluster.delete(&conf).await.unwrap();
    within(
        sub.receiver()
            .wait_for(|r| r.map(|s| s.ready) == Some(Ready::NotPresent)),
    )
    .await
    .expect("the deletion is seen");
}

#[tokio::test]
async fn wait_ready_on_a_never_ready_resource_returns_cancelled_soon_after_cancel() {
    let sim = Sim::start("edge-1").await;
    sim.readiness_delay("edge-1", 3_600_000);
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let manifests = app(vec![deployment("stuck", "nginx:1")]);
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .unwrap();

    let report = Recorder::default();
    let seen_not_ready = report.on_first(|e| *e == ResourceEvent::Readiness(Ready::NotReady));
    let waiting = app::wait_ready(&watches, &manifests, &report, &cancel);
    let canceller = async {
        seen_not_ready.await.expect("the watch reports NotReady");
        cancel.cancel();
    };
    let (result, ()) = within(async { tokio::join!(waiting, canceller) }).await;
    assert!(
        matches!(result, Err(ApplyError::Cancelled(_))),
        "{result:?}"
    );
    assert!(!result.unwrap_err().is_retryable());
    assert_eq!(watches.running(), 0, "cancelling drops the subscriptions");
}

#[tokio::test]
async fn waiting_for_a_hook_returns_cancelled_when_cancelled() {
    let sim = Sim::start("edge-1").await;
    sim.readiness_delay("edge-1", 3_600_000);
    let cluster = sim.cluster("edge-1").await;
    let hook = job("never-done");
    cluster.apply(&hook, "dep-1").await.unwrap();
    let cancel = CancellationToken::new();
    let waiting = cluster.wait_hook(&hook, &cancel);
    let canceller = async { cancel.cancel() };
    let (result, ()) = within(async { tokio::join!(waiting, canceller) }).await;
    assert!(
        matches!(result, Err(ApplyError::Cancelled(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_reapplied_deployment_counts_as_ready_only_once_its_new_generation_is() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let v1 = deployment("web", "nginx:1");
    cluster.apply(&v1, "dep-1").await.unwrap();
    // Another app keeps the Deployment watch running, so it holds web's ready state of generation 1.
    let mut held = watches.subscribe(&v1).await.unwrap();
    within(
        held.receiver()
            .wait_for(|s| s.map(|s| s.ready) == Some(Ready::Ready)),
    )
    .await
    .unwrap();

    sim.readiness_delay("edge-1", 500);
    let v2 = deployment("web", "nginx:2");
    cluster.apply(&v2, "dep-2").await.unwrap();
    within(watches.wait_ready(std::slice::from_ref(&v2), &CancellationToken::new()))
        .await
        .unwrap();

    let live = cluster.get(&v2).await.unwrap().unwrap();
    assert_eq!(live["metadata"]["generation"], 2);
    assert_eq!(live["status"]["observedGeneration"], 2);
    assert_eq!(live["status"]["availableReplicas"], 2, "{live:#}");
    assert_eq!(watches.watches_started(), 1);
}

#[tokio::test]
async fn a_watch_that_broke_restarts_and_sees_changes_made_after() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    // The server ends each watch request after a second, so the watch must be renewed.
    let watches = Watches::with_watch_timeout(&cluster, std::time::Duration::from_secs(1));
    let conf = config_map("settings", "1");
    cluster.apply(&conf, "dep-1").await.unwrap();
    let mut sub = watches.subscribe(&conf).await.unwrap();
    within(
        sub.receiver()
            .wait_for(|s| s.map(|s| s.ready) == Some(Ready::Ready)),
    )
    .await
    .unwrap();

    // The cluster goes away: renewing the watch fails.
    sim.set_faults(
        "edge-1",
        canopy_edgesim::fault::Faults {
            unreachable: Some(canopy_edgesim::fault::Unreachable::Refuse),
            ..Default::default()
        },
    );
    within(async {
        while watches.failures() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await;

    // It comes back; a change made now is seen by the same subscription.
    sim.set_faults("edge-1", Default::default());
    cluster.delete(&conf).await.unwrap();
    within(
        sub.receiver()
            .wait_for(|s| s.map(|s| s.ready) == Some(Ready::NotPresent)),
    )
    .await
    .expect("the restarted watch sees the deletion");
    assert_eq!(
        watches.watches_started(),
        1,
        "the same watch task, restarted"
    );
}

#[tokio::test]
async fn dropping_the_watches_stops_them_and_ends_their_subscriptions() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let conf = config_map("settings", "1");
    cluster.apply(&conf, "dep-1").await.unwrap();
    let mut sub = watches.subscribe(&conf).await.unwrap();
    within(sub.receiver().wait_for(|s| s.is_some()))
        .await
        .unwrap();
    drop(watches);
    let ended = within(async {
        loop {
            if sub.receiver().changed().await.is_err() {
                break;
            }
        }
    });
    ended.await;
}
