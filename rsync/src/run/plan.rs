//! What one task does on its cluster: the apps of the context placed there, in the context's order, with
//! their dependencies and resources; for an update, also the apps of the context it replaces.

use std::collections::BTreeSet;
use std::sync::Arc;

use canopy_engine::appcontext::{self, Dependency, Manifests, Reader};
use canopy_engine::context::ContextStore;
use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};

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
    blobs: std::sync::Mutex<appcontext::BlobCache>,
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
}

/// Skeletons by context, so that ten thousand tasks of one context read its placements once, not ten
/// thousand times. Bounded: when full, it is emptied and refilled by the contexts in use.
#[derive(Default)]
pub struct Skeletons {
    cache: dashmap::DashMap<ContextId, Arc<Skeleton>>,
}

impl Skeletons {
    /// How many contexts are kept.
    pub const LIMIT: usize = 256;

    /// The skeleton of `ctx`, read on first use.
    pub async fn get(
        &self,
        store: &Arc<dyn ContextStore>,
        ctx: ContextId,
    ) -> appcontext::Result<Arc<Skeleton>> {
        if let Some(s) = self.cache.get(&ctx) {
            return Ok(s.clone());
        }
        let skeleton = Arc::new(Skeleton::load(store, ctx).await?);
        if self.cache.len() >= Self::LIMIT {
            self.cache.clear();
        }
        self.cache.insert(ctx, skeleton.clone());
        Ok(skeleton)
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
        let reader = Reader::open(store.as_ref(), ctx).await?;
        let mut apps = Vec::new();
        let mut blobs = skeleton.blobs.lock().expect("lock").clone();
        let known = blobs.len();
        for (name, clusters, depends_on) in &skeleton.placements {
            if clusters.contains(cluster) {
                let manifests = reader.manifests_cached(name, cluster, &mut blobs).await?;
                apps.push(AppPlan {
                    name: name.clone(),
                    depends_on: depends_on.clone(),
                    manifests: Arc::new(manifests),
                });
            }
        }
        if blobs.len() > known {
            skeleton.blobs.lock().expect("lock").extend(blobs);
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
