//! A task's plan: however many tasks of a context start at once, its skeleton (apps, placements,
//! namespace) and each resource body are read once, and every task gets its cluster's resources.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use canopy_engine::appcontext;
use canopy_engine::context::{
    self, ContextStore, EmbeddedStore, Key, Op, Revision, Txn, TxnResponse, Watch,
};
use canopy_rsync::run::plan::{ContextPlan, Skeletons};
use canopy_schemas::name::ClusterRef;
use common::context;

/// A store that yields before every transaction, so that concurrent tasks interleave, and counts the
/// reads of each key.
struct Yielding {
    inner: EmbeddedStore,
    reads: Mutex<BTreeMap<String, usize>>,
}

#[async_trait]
impl ContextStore for Yielding {
    async fn txn(&self, txn: Txn) -> context::Result<TxnResponse> {
        tokio::task::yield_now().await;
        for op in &txn.success {
            if let Op::Get(key) = op {
                let key = String::from_utf8_lossy(key.as_bytes()).into_owned();
                *self.reads.lock().unwrap().entry(key).or_default() += 1;
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
async fn the_tasks_of_a_context_read_its_skeleton_and_bodies_once_however_many_start_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let yielding = Arc::new(Yielding {
        inner: EmbeddedStore::open(dir.path().join("c.redb")).unwrap(),
        reads: Mutex::default(),
    });
    let ctx = context(4, 20);
    appcontext::write(yielding.as_ref(), &ctx).await.unwrap();
    let store: Arc<dyn ContextStore> = yielding.clone();
    let skeletons = Skeletons::default();
    let clusters: Vec<ClusterRef> = ctx.apps[0].clusters.keys().cloned().collect();

    let plans = futures::future::join_all(
        clusters
            .iter()
            .map(|c| ContextPlan::load(&store, &skeletons, ctx.id, c)),
    )
    .await;
    for (cluster, plan) in clusters.iter().zip(plans) {
        let plan = plan.unwrap();
        assert_eq!(plan.namespace, "default");
        assert_eq!(plan.apps.len(), 1, "{cluster}");
        assert_eq!(
            *plan.apps[0].manifests, ctx.apps[0].clusters[cluster],
            "{cluster}"
        );
    }
    let reads = yielding.reads.lock().unwrap().clone();
    let of = |suffix: &str| -> Vec<usize> {
        reads
            .iter()
            .filter(|(k, _)| k.ends_with(suffix) || k.contains(suffix))
            .map(|(_, n)| *n)
            .collect()
    };
    assert_eq!(of("/apps"), [1], "the app list, once: {reads:?}");
    assert_eq!(of("/meta"), [1], "the meta data, once: {reads:?}");
    let blobs = of("/blob/");
    assert_eq!(
        blobs,
        [1],
        "the one body all clusters share, once: {reads:?}"
    );
    let lists = of("/cl/");
    assert_eq!(lists.len(), 20, "each cluster's resource list: {reads:?}");
    assert!(lists.iter().all(|&n| n == 1), "{reads:?}");
}
