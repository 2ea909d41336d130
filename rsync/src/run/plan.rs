//! What one task does on its cluster: the apps of the context placed there, in the context's order, with
//! their dependencies and resources; for an update, also the apps of the context it replaces.

use std::collections::BTreeSet;
use std::sync::Arc;

use canopy_engine::appcontext::{self, ContextKeys, Dependency, Manifests, Reader, SharedBlobs};
use canopy_engine::context::{ContextStore, Key, KeyValue};
use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};
use tokio::sync::OnceCell;

/// One app on the task's cluster.
#[derive(Clone, Debug)]
pub struct AppPlan {
    /// The app.
    pub name: AppName,
    /// What it waits for.
    pub depends_on: Vec<Dependency>,
    /// Its resources on this cluster.
    pub manifests: Arc<Manifests>,
}

/// The apps of one context on one cluster, and where every app of the context is placed.
#[derive(Clone, Debug)]
pub struct ContextPlan {
    /// The context.
    pub ctx: ContextId,
    /// The namespace the context deploys into.
    pub namespace: String,
    /// The apps on the cluster, in the context's order.
    pub apps: Vec<AppPlan>,
    /// Every app of the context with its clusters and dependencies (for dependencies across clusters).
    skeleton: Arc<Skeleton>,
}

/// What every task of a context shares: its namespace, and each app's clusters and dependencies. An
/// AppContext does not change once written, so this is read once per context and process.
#[derive(Debug)]
pub struct Skeleton {
    namespace: String,
    placements: Vec<(AppName, BTreeSet<ClusterRef>, Vec<Dependency>)>,
    /// Resource bodies read so far: the same bodies go to most clusters.
    blobs: SharedBlobs,
}

impl Skeleton {
    /// Reads the skeleton of `ctx`.
    pub async fn load(store: &Arc<dyn ContextStore>, ctx: ContextId) -> appcontext::Result<Self> {
        let reader = Reader::open(store.as_ref(), ctx).await?;
        let namespace = reader.meta().await?.namespace;
        let mut placements = Vec::new();
        for (name, depends_on) in reader.apps().await? {
            let clusters = reader
                .placement(&name)
                .await?
                .clusters
                .into_iter()
                .map(|p| p.cluster)
                .collect();
            placements.push((name, clusters, depends_on));
        }
        Ok(Self {
            namespace,
            placements,
            blobs: Default::default(),
        })
    }

    /// The apps placed on `cluster`, in the context's order.
    fn apps_on<'a>(
        &'a self,
        cluster: &'a ClusterRef,
    ) -> impl Iterator<Item = &'a (AppName, BTreeSet<ClusterRef>, Vec<Dependency>)> + 'a {
        self.placements
            .iter()
            .filter(move |(_, clusters, _)| clusters.contains(cluster))
    }
}

/// Skeletons by context, so that ten thousand tasks of one context read its placements once, not ten
/// thousand times: the first task of a context reads it, and the tasks that start meanwhile wait for that
/// read. Bounded: when full, it is emptied and refilled by the contexts in use.
#[derive(Default)]
pub struct Skeletons {
    cache: dashmap::DashMap<ContextId, Arc<OnceCell<Arc<Skeleton>>>>,
}

impl Skeletons {
    /// How many contexts are kept.
    pub const LIMIT: usize = 256;

    /// The skeleton of `ctx`, read on first use. A failed read is not kept: the next call reads again.
    pub async fn get(
        &self,
        store: &Arc<dyn ContextStore>,
        ctx: ContextId,
    ) -> appcontext::Result<Arc<Skeleton>> {
        let cell = match self.cache.get(&ctx) {
            Some(cell) => cell.clone(),
            None => {
                if self.cache.len() >= Self::LIMIT {
                    self.cache.clear();
                }
                self.cache.entry(ctx).or_default().clone()
            }
        };
        cell.get_or_try_init(|| async { Skeleton::load(store, ctx).await.map(Arc::new) })
            .await
            .cloned()
    }
}

impl ContextPlan {
    /// Reads the plan of `ctx` on `cluster`: the skeleton from `skeletons`, the resources from the store.
    pub async fn load(
        store: &Arc<dyn ContextStore>,
        skeletons: &Skeletons,
        ctx: ContextId,
        cluster: &ClusterRef,
    ) -> appcontext::Result<Self> {
        let skeleton = skeletons.get(store, ctx).await?;
        let records = store
            .get_all(&Self::record_keys(&skeleton, ctx, cluster))
            .await?;
        Self::from_records(store, skeleton, ctx, cluster, &records).await
    }

    /// The keys [`from_records`](Self::from_records) needs the values of, for a caller that reads them
    /// with other keys in one request: the resource list of each app on `cluster`.
    pub fn record_keys(skeleton: &Skeleton, ctx: ContextId, cluster: &ClusterRef) -> Vec<Key> {
        let keys = ContextKeys::new(ctx);
        skeleton
            .apps_on(cluster)
            .map(|(app, _, _)| keys.cluster(app, cluster))
            .collect()
    }

    /// The plan of `ctx` on `cluster` from the values read at [`record_keys`](Self::record_keys), in
    /// their order; bodies come from the skeleton's shared blobs (read from the store on first use).
    pub async fn from_records(
        store: &Arc<dyn ContextStore>,
        skeleton: Arc<Skeleton>,
        ctx: ContextId,
        cluster: &ClusterRef,
        records: &[Option<KeyValue>],
    ) -> appcontext::Result<Self> {
        let mut apps = Vec::new();
        let placed: Vec<_> = skeleton.apps_on(cluster).collect();
        assert_eq!(
            placed.len(),
            records.len(),
            "one record per app placed on the cluster"
        );
        for ((name, _, depends_on), record) in placed.into_iter().zip(records) {
            let manifests = appcontext::manifests_from(
                store.as_ref(),
                ctx,
                name,
                cluster,
                record.as_ref(),
                &skeleton.blobs,
            )
            .await?;
            apps.push(AppPlan {
                name: name.clone(),
                depends_on: depends_on.clone(),
                manifests: Arc::new(manifests),
            });
        }
        Ok(Self {
            ctx,
            namespace: skeleton.namespace.clone(),
            apps,
            skeleton,
        })
    }

    /// Every app of the context with its clusters and dependencies.
    pub fn placements(&self) -> &[(AppName, BTreeSet<ClusterRef>, Vec<Dependency>)] {
        &self.skeleton.placements
    }

    /// The clusters `app` is placed on.
    pub fn clusters_of(&self, app: &AppName) -> Option<&BTreeSet<ClusterRef>> {
        self.skeleton
            .placements
            .iter()
            .find(|(a, _, _)| a == app)
            .map(|(_, c, _)| c)
    }

    /// The apps that depend on `app`.
    pub fn dependents_of(&self, app: &AppName) -> Vec<AppName> {
        self.skeleton
            .placements
            .iter()
            .filter(|(_, _, deps)| deps.iter().any(|d| &d.app == app))
            .map(|(a, _, _)| a.clone())
            .collect()
    }

    /// The app named `app` on this cluster.
    pub fn app(&self, app: &AppName) -> Option<&AppPlan> {
        self.apps.iter().find(|a| &a.name == app)
    }
}
