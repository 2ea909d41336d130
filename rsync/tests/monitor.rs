//! The readiness monitor records what its shared watches see into the app's status, also when more changes
//! come at once than its change buffer holds, and spends no store call on readiness the status holds
//! already.

mod common;

use std::sync::Arc;
use std::time::Duration;

use canopy_engine::appcontext::{
    AppProgress, BlobHash, ContextKeys, Deployed, Manifest, Phase, Ready, ResourceProgress,
};
use canopy_engine::context::{ContextStore, EmbeddedStore};
use canopy_rsync::cluster::{CHANGES_BUFFER, Cluster, app};
use canopy_rsync::monitor::Monitor;
use canopy_rsync::status::{Slot, StatusWriter};
use canopy_schemas::name::AppName;
use canopy_schemas::{ContextId, Timestamp};
use common::*;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_changes_larger_than_the_buffer_is_recorded_whole() {
    let count = CHANGES_BUFFER * 2 + 22;
    let sim = Sim::start("edge-1").await;
    let cluster_ref = Sim::cluster_ref("edge-1");
    let client = sim
        .clients
        .get(&cluster_ref, &sim.kubeconfig("edge-1"))
        .await
        .unwrap();
    let resources: Vec<Manifest> = (0..count)
        .map(|i| config_map(&format!("cm-{i}"), "1"))
        .collect();
    let manifests = Arc::new(app(resources));
    let cancel = CancellationToken::new();
    within(app::install(
        &Cluster::new(client.clone(), "default"),
        &manifests,
        "dep-1",
        &(),
        &cancel,
    ))
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let status = StatusWriter::new(store.clone());
    let ctx = ContextId::new(7);
    let app_name: AppName = "big".parse().unwrap();
    let slot = Slot {
        ctx,
        cluster: cluster_ref.clone(),
        app: app_name.clone(),
    };
    // What the task wrote: every resource applied, none known to be ready.
    let applied = || AppProgress {
        phase: Phase::Applied,
        connectivity: Default::default(),
        last_error: None,
        resources: manifests
            .resources
            .iter()
            .map(|m| ResourceProgress {
                deployed: Deployed::Applied,
                applied_at: Some(Timestamp::now()),
                ..ResourceProgress::pending(m)
            })
            .collect(),
        updated_at: Timestamp::now(),
    };
    status
        .update(&slot, applied, |_| {}, Vec::new())
        .await
        .unwrap();

    // The first subscription starts the ConfigMap watch, whose first list reports every object at once.
    let monitor = Monitor::new(status, Duration::ZERO);
    let watched = monitor.watched(&cluster_ref, "default", client, BlobHash::of(b"kubeconfig"));
    monitor
        .register(
            &watched,
            ctx,
            app_name.clone(),
            manifests.clone(),
            "dep-1".into(),
        )
        .await;

    let key = ContextKeys::new(ctx).cluster_status(&cluster_ref, &app_name);
    within(async {
        loop {
            let kv = store.get(&key).await.unwrap().unwrap();
            let p = AppProgress::decode(&kv).unwrap();
            if p.all_ready() && p.phase == Phase::Ready {
                assert_eq!(p.resources.len(), count);
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    monitor.stop();
}

/// The status of `key` as `store` holds it, read without counting.
async fn progress(store: &Counting, key: &canopy_engine::context::Key) -> Option<AppProgress> {
    let kv = store.inner.get(key).await.unwrap()?;
    Some(AppProgress::decode(&kv).unwrap())
}

/// A catch-up that comes after the monitor has written a newer value than the task's finds the status
/// holding what the watches see, and makes no store call at all. It used to compare with the task's value,
/// find the difference the monitor had written since, and read the key to learn there was nothing to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_the_status_holds_already_costs_no_store_call() {
    let sim = Sim::start("edge-1").await;
    let cluster_ref = Sim::cluster_ref("edge-1");
    let client = sim
        .clients
        .get(&cluster_ref, &sim.kubeconfig("edge-1"))
        .await
        .unwrap();
    let cluster = Cluster::new(client.clone(), "default");
    let resources: Vec<Manifest> = (0..3)
        .map(|i| config_map(&format!("cm-{i}"), "1"))
        .collect();
    let manifests = Arc::new(app(resources));
    within(app::install(
        &cluster,
        &manifests,
        "dep-1",
        &(),
        &CancellationToken::new(),
    ))
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Counting::new(
        EmbeddedStore::open(dir.path().join("c.redb")).unwrap(),
    ));
    let status = StatusWriter::new(store.clone());
    let ctx = ContextId::new(9);
    let app_name: AppName = "small".parse().unwrap();
    let slot = Slot {
        ctx,
        cluster: cluster_ref.clone(),
        app: app_name.clone(),
    };
    let key = ContextKeys::new(ctx).cluster_status(&cluster_ref, &app_name);
    let monitor = Monitor::new(status.clone(), Duration::ZERO);
    let watched = monitor.watched(&cluster_ref, "default", client, BlobHash::of(b"kubeconfig"));

    // The task follows the app, and its write records every resource applied and none ready: its view
    // of the watches is older than theirs.
    watched
        .follow(ctx, app_name.clone(), manifests.clone(), "dep-1".into())
        .await;
    within(async {
        while watched.readiness(ctx, &app_name).len() < 3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let applied = || AppProgress {
        phase: Phase::Applied,
        connectivity: Default::default(),
        last_error: None,
        resources: manifests
            .resources
            .iter()
            .map(|m| ResourceProgress {
                deployed: Deployed::Applied,
                applied_at: Some(Timestamp::now()),
                ..ResourceProgress::pending(m)
            })
            .collect(),
        updated_at: Timestamp::now(),
    };
    let stored = status
        .update(&slot, applied, |_| {}, Vec::new())
        .await
        .unwrap();
    watched.note(ctx, &app_name, &stored);
    watched.catch_up(ctx, &app_name);
    within(async {
        while progress(&store, &key).await.map(|p| p.phase) != Some(Phase::Ready) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    // The status holds what the watches see. A second catch-up finds nothing to do; a deletion after it
    // shows the pump has handled it (the pump takes one thing at a time) and costs a read and a swap.
    store.take_calls();
    watched.catch_up(ctx, &app_name);
    // Time for the pump to take the catch-up before the deletion; this only makes a failure surer.
    tokio::time::sleep(Duration::from_millis(200)).await;
    within(cluster.delete(&manifests.resources[0]))
        .await
        .unwrap();
    within(async {
        loop {
            let p = progress(&store, &key).await.unwrap();
            if p.resources[0].ready != Ready::Ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(
        store.take_calls(),
        2,
        "the deletion's read and swap, and nothing for the catch-up"
    );
    monitor.stop();
}
