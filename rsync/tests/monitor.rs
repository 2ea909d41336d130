//! The readiness monitor records what its shared watches see into the app's status, also when more changes
//! come at once than its change buffer holds.

mod common;

use std::sync::Arc;
use std::time::Duration;

use canopy_engine::appcontext::{
    AppProgress, BlobHash, ContextKeys, Deployed, Manifest, Manifests, Phase, ResourceProgress,
};
use canopy_engine::context::{ContextStore, EmbeddedStore};
use canopy_rsync::cluster::{CHANGES_BUFFER, Cluster, app};
use canopy_rsync::monitor::Monitor;
use canopy_rsync::status::{Slot, StatusWriter};
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_schemas::{ContextId, Timestamp};
use common::*;
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// What a task writes after applying `manifests`: every resource applied, none known to be ready.
fn applied(manifests: &Manifests) -> AppProgress {
    AppProgress {
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
    }
}

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
    status
        .update(&slot, || applied(&manifests), |_| {}, Vec::new())
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

/// The status of `app` of `ctx` on `cluster` once it is Ready.
async fn wait_ready(
    store: &Arc<dyn ContextStore>,
    ctx: ContextId,
    cluster: &ClusterRef,
    app: &AppName,
) {
    let key = ContextKeys::new(ctx).cluster_status(cluster, app);
    within(async {
        loop {
            if let Some(kv) = store.get(&key).await.unwrap()
                && AppProgress::decode(&kv).unwrap().phase == Phase::Ready
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_namespaces_of_one_cluster_share_one_watch_per_kind() {
    let sim = Sim::start("edge-1").await;
    let cluster_ref = Sim::cluster_ref("edge-1");
    let client = sim
        .clients
        .get(&cluster_ref, &sim.kubeconfig("edge-1"))
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let status = StatusWriter::new(store.clone());
    let monitor = Monitor::new(status.clone(), Duration::ZERO);
    let config = BlobHash::of(b"kubeconfig");
    let app_name: AppName = "settings".parse().unwrap();
    let manifests = Arc::new(app(vec![config_map("settings", "1")]));

    // Two contexts of two logical clouds, one namespace each, with the same app on the one cluster.
    let mut handles = Vec::new();
    for (ctx, namespace) in [(ContextId::new(7), "team-a"), (ContextId::new(8), "team-b")] {
        let ns = app(vec![manifest(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
        )]);
        let handle = Cluster::new(client.clone(), namespace);
        let id = format!("{ctx}-{app_name}");
        within(app::install(&handle, &ns, "setup", &(), &cancel))
            .await
            .unwrap();
        within(app::install(&handle, &manifests, &id, &(), &cancel))
            .await
            .unwrap();
        let slot = Slot {
            ctx,
            cluster: cluster_ref.clone(),
            app: app_name.clone(),
        };
        status
            .update(&slot, || applied(&manifests), |_| {}, Vec::new())
            .await
            .unwrap();
        let watched = monitor.watched(&cluster_ref, namespace, client.clone(), config);
        monitor
            .register(&watched, ctx, app_name.clone(), manifests.clone(), id)
            .await;
        handles.push(watched);
    }
    for ctx in [ContextId::new(7), ContextId::new(8)] {
        wait_ready(&store, ctx, &cluster_ref, &app_name).await;
    }
    let sim_cluster = sim.handle.cluster("edge-1").unwrap();
    assert_eq!(
        sim_cluster.store().watchers(),
        1,
        "one ConfigMap watch serves both namespaces"
    );
    assert!(handles[0].watches().shares(handles[1].watches()));

    // The cluster registered again (another kubeconfig): new watches for team-a, which follow the app
    // the replaced handle followed. A ConfigMap deleted by hand shows in its status.
    let renewed = monitor.watched(
        &cluster_ref,
        "team-a",
        client.clone(),
        BlobHash::of(b"other"),
    );
    assert!(!renewed.watches().shares(handles[1].watches()));
    within(async {
        while renewed.followed().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    Cluster::new(client, "team-a")
        .delete(&manifests.resources[0])
        .await
        .unwrap();
    let key = ContextKeys::new(ContextId::new(7)).cluster_status(&cluster_ref, &app_name);
    within(async {
        loop {
            let p = AppProgress::decode(&store.get(&key).await.unwrap().unwrap()).unwrap();
            if p.phase == Phase::Applied {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    monitor.stop();
}
