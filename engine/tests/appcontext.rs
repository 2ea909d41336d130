//! The AppContext: written and read back on the embedded store and on a real etcd, identical bodies stored
//! once, writes batched into transactions of at most 128 operations, `status` last, and delete.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use canopy_engine::appcontext::{
    self, App, AppContext, ContextKeys, Dependency, Dropped, Error, Hook, Manifest, Manifests,
    Meta, OpStatus, Placed, Placement, Reader,
};
use canopy_engine::context::{
    self, ContextStore, EmbeddedStore, Key, MAX_OPS, Revision, Txn, TxnResponse, Watch, etcd,
};
use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_tests::EtcdServer;

/// A context of `apps` apps on `clusters` clusters with `resources` resources each; resource 0's body
/// differs per cluster, the others are the same everywhere.
fn fixture(id: u64, apps: usize, clusters: usize, resources: usize) -> AppContext {
    let manifest = |i: usize, body: String| Manifest {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        name: format!("cm-{i}"),
        namespace: Some("default".into()),
        body: body.into_bytes(),
    };
    let apps = (0..apps)
        .map(|a| {
            let name = AppName::new(format!("app{a}")).unwrap();
            let refs: Vec<ClusterRef> = (0..clusters)
                .map(|c| format!("p+c{c}").parse().unwrap())
                .collect();
            let placement = Placement {
                clusters: (refs.iter().enumerate())
                    .map(|(c, r)| Placed {
                        cluster: r.clone(),
                        group: Some((c % 2).to_string()),
                        score: Some(c as f64 / 2.0),
                    })
                    .collect(),
                dropped: vec![Dropped {
                    cluster: "p+gone".parse().unwrap(),
                    controller: "hpa".parse().unwrap(),
                    reason: "no GPU".into(),
                }],
            };
            let clusters = (refs.into_iter().enumerate())
                .map(|(c, r)| {
                    let manifests = Manifests {
                        resources: (0..resources)
                            .map(|i| {
                                let unique = if i == 0 {
                                    format!("-{c}")
                                } else {
                                    String::new()
                                };
                                manifest(i, format!("kind: ConfigMap # {a} {i}{unique}"))
                            })
                            .collect(),
                        hooks: vec![Hook {
                            event: "pre-install".into(),
                            manifest: manifest(99, "kind: Job".into()),
                        }],
                        crds: vec![manifest(98, "kind: CustomResourceDefinition".into())],
                    };
                    (r, manifests)
                })
                .collect::<BTreeMap<_, _>>();
            App {
                depends_on: (0..a)
                    .map(|d| {
                        let status = if d % 2 == 0 {
                            OpStatus::Ready
                        } else {
                            OpStatus::Deployed
                        };
                        Dependency::new(AppName::new(format!("app{d}")).unwrap(), status, d as u64)
                    })
                    .collect(),
                name,
                placement,
                clusters,
            }
        })
        .collect();
    AppContext {
        id: ContextId::new(id),
        meta: Meta {
            project: "proj".parse().unwrap(),
            composite_app: "ca".parse().unwrap(),
            version: "v1".parse().unwrap(),
            dig: "dig".parse().unwrap(),
            revision: canopy_schemas::Revision::FIRST,
            namespace: "default".into(),
            logical_cloud: None,
            for_cloud: false,
        },
        apps,
    }
}

/// Writes a context, reads it back, and deletes it.
async fn round_trip(store: &dyn ContextStore) {
    let ctx = fixture(11, 3, 4, 5);
    appcontext::write(store, &ctx).await.unwrap();
    let reader = Reader::open(store, ctx.id).await.unwrap();
    assert_eq!(reader.read().await.unwrap(), ctx);
    let order: Vec<_> = reader.apps().await.unwrap();
    assert_eq!(order[2].1.len(), 2, "app2 depends on app0 and app1");
    assert_eq!(
        order[2].1[1],
        Dependency::new(AppName::new("app1").unwrap(), OpStatus::Deployed, 1)
    );
    let app = AppName::new("app1").unwrap();
    let cluster: ClusterRef = "p+c3".parse().unwrap();
    let manifests = reader.manifests(&app, &cluster).await.unwrap();
    assert_eq!(manifests, ctx.apps[1].clusters[&cluster]);
    assert_eq!(
        reader.placement(&app).await.unwrap().clusters[3].score,
        Some(1.5)
    );
    assert_eq!(
        reader.placement(&app).await.unwrap().dropped[0].reason,
        "no GPU"
    );

    let prefix = ContextKeys::new(ctx.id).prefix();
    let deleted = appcontext::delete(store, ctx.id).await.unwrap();
    assert!(deleted > 0);
    assert!(store.range(&prefix).await.unwrap().kvs.is_empty());
    assert!(matches!(
        Reader::open(store, ctx.id).await,
        Err(Error::Incomplete(_))
    ));
}

#[tokio::test]
async fn a_context_reads_back_as_written_and_delete_removes_it_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
    round_trip(&store).await;
}

#[tokio::test]
async fn a_context_reads_back_as_written_and_delete_removes_it_on_etcd() {
    let server = EtcdServer::start().await.unwrap();
    let store = etcd::Config::new([server.endpoint()])
        .connect()
        .await
        .unwrap();
    round_trip(&store).await;
}

#[tokio::test]
async fn identical_bodies_are_stored_once_and_different_ones_separately() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
    // One app, two clusters, two resources: resource 0 differs per cluster, resource 1 is shared; the
    // hook and the CRD are shared too.
    let ctx = fixture(5, 1, 2, 2);
    appcontext::write(&store, &ctx).await.unwrap();
    let blobs = Key::from("/canopy/ctx/5/app/app0/blob/");
    let stored = store.range(&blobs).await.unwrap().kvs;
    assert_eq!(
        stored.len(),
        2 + 1 + 1 + 1,
        "two unique bodies, one shared, hook, CRD"
    );
}

/// A store that records the number of operations of every transaction it runs.
struct Recording {
    inner: EmbeddedStore,
    sizes: Arc<Mutex<Vec<usize>>>,
}

#[async_trait]
impl ContextStore for Recording {
    async fn txn(&self, txn: Txn) -> context::Result<TxnResponse> {
        self.sizes.lock().unwrap().push(txn.success.len());
        self.inner.txn(txn).await
    }
    async fn watch(&self, prefix: &Key, from: Option<Revision>) -> context::Result<Watch> {
        self.inner.watch(prefix, from).await
    }
    async fn compact(&self, revision: Revision) -> context::Result<()> {
        self.inner.compact(revision).await
    }
}

#[tokio::test]
async fn a_large_context_is_written_in_transactions_of_at_most_128_operations_status_last() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let store = Recording {
        inner: EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap(),
        sizes: sizes.clone(),
    };
    let ctx = fixture(9, 2, 100, 3);
    let written = appcontext::write(&store, &ctx).await.unwrap();
    let sizes = sizes.lock().unwrap().clone();
    let keys = store
        .inner
        .range(&ContextKeys::new(ctx.id).prefix())
        .await
        .unwrap()
        .kvs;
    assert!(keys.len() > 3 * MAX_OPS, "{} keys", keys.len());
    assert_eq!(written.keys, keys.len());
    assert_eq!(sizes.len(), written.txns);
    assert!(sizes.len() >= 4, "{sizes:?}");
    assert!(
        sizes.iter().all(|&n| (1..=MAX_OPS).contains(&n)),
        "{sizes:?}"
    );
    assert_eq!(sizes.last(), Some(&1), "status alone, last");
    assert_eq!(
        Reader::open(&store, ctx.id)
            .await
            .unwrap()
            .read()
            .await
            .unwrap(),
        ctx
    );
}

#[tokio::test]
async fn a_context_without_status_reads_as_incomplete_and_delete_cleans_it_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
    let ctx = fixture(3, 2, 3, 2);
    appcontext::write(&store, &ctx).await.unwrap();
    // A crash before the last transaction: every key but status.
    let keys = ContextKeys::new(ctx.id);
    store.delete(&keys.status()).await.unwrap();
    assert!(matches!(
        Reader::open(&store, ctx.id).await,
        Err(Error::Incomplete(id)) if id == ctx.id
    ));
    // A neighbour whose id starts with the same digits is untouched.
    let neighbour = fixture(33, 1, 1, 1);
    appcontext::write(&store, &neighbour).await.unwrap();
    appcontext::delete(&store, ctx.id).await.unwrap();
    assert!(store.range(&keys.prefix()).await.unwrap().kvs.is_empty());
    assert!(Reader::open(&store, neighbour.id).await.is_ok());
}

/// A store that yields before every transaction, so that concurrent readers interleave, and counts the
/// reads of each blob key.
struct Yielding {
    inner: EmbeddedStore,
    blob_reads: Arc<Mutex<BTreeMap<Key, usize>>>,
}

#[async_trait]
impl ContextStore for Yielding {
    async fn txn(&self, txn: Txn) -> context::Result<TxnResponse> {
        tokio::task::yield_now().await;
        for op in &txn.success {
            if let context::Op::Get(key) = op
                && String::from_utf8_lossy(key.as_bytes()).contains("/blob/")
            {
                *self
                    .blob_reads
                    .lock()
                    .unwrap()
                    .entry(key.clone())
                    .or_default() += 1;
            }
        }
        self.inner.txn(txn).await
    }
    async fn watch(&self, prefix: &Key, from: Option<Revision>) -> context::Result<Watch> {
        self.inner.watch(prefix, from).await
    }
    async fn compact(&self, revision: Revision) -> context::Result<()> {
        self.inner.compact(revision).await
    }
}

#[tokio::test]
async fn concurrent_readers_sharing_blobs_read_each_body_once_and_get_what_the_reader_gets() {
    let dir = tempfile::tempdir().unwrap();
    let blob_reads = Arc::new(Mutex::new(BTreeMap::new()));
    let store = Yielding {
        inner: EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap(),
        blob_reads: blob_reads.clone(),
    };
    // One app on 20 clusters, 4 resources each: resource 0 differs per cluster, 3 are shared.
    let ctx = fixture(5, 1, 20, 4);
    appcontext::write(&store, &ctx).await.unwrap();
    let app = &ctx.apps[0];
    let keys = ContextKeys::new(ctx.id);
    let shared = appcontext::SharedBlobs::default();
    let read = futures::future::join_all(app.clusters.keys().map(|cluster| {
        let (store, shared, keys) = (&store, &shared, &keys);
        async move {
            let record = store.get(&keys.cluster(&app.name, cluster)).await.unwrap();
            let manifests = appcontext::manifests_from(
                store,
                ctx.id,
                &app.name,
                cluster,
                record.as_ref(),
                shared,
            )
            .await
            .unwrap();
            (cluster.clone(), manifests)
        }
    }))
    .await;
    for (cluster, manifests) in &read {
        assert_eq!(Some(manifests), app.clusters.get(cluster), "{cluster}");
    }
    // Every distinct body of the app: resource 0 per cluster, plus the shared resources, hooks and CRDs.
    let bodies = store
        .inner
        .range(&Key::new(format!(
            "/canopy/ctx/{}/app/{}/blob/",
            ctx.id, app.name
        )))
        .await
        .unwrap()
        .kvs
        .len();
    assert!(bodies > 20, "{bodies}");
    let reads = blob_reads.lock().unwrap().clone();
    assert_eq!(reads.len(), bodies, "every distinct body was read");
    assert!(
        reads.values().all(|&n| n == 1),
        "no body was read twice, though 20 readers wanted the shared ones at once: {reads:?}"
    );
    assert_eq!(shared.len(), bodies);
}
