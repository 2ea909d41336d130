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
    pub placements: Vec<(AppName, BTreeSet<ClusterRef>, Vec<Dependency>)>,
}

impl ContextPlan {
    /// Reads the plan of `ctx` on `cluster`.
    pub async fn load(
        store: &Arc<dyn ContextStore>,
        ctx: ContextId,
        cluster: &ClusterRef,
    ) -> appcontext::Result<Self> {
        let reader = Reader::open(store.as_ref(), ctx).await?;
        let meta = reader.meta().await?;
        let mut apps = Vec::new();
        let mut placements = Vec::new();
        for (name, depends_on) in reader.apps().await? {
            let clusters: BTreeSet<ClusterRef> = reader
                .placement(&name)
                .await?
                .clusters
                .into_iter()
                .map(|p| p.cluster)
                .collect();
            if clusters.contains(cluster) {
                let manifests = reader.manifests(&name, cluster).await?;
                apps.push(AppPlan {
                    name: name.clone(),
                    depends_on: depends_on.clone(),
                    manifests: Arc::new(manifests),
                });
            }
            placements.push((name, clusters, depends_on));
        }
        Ok(Self {
            ctx,
            namespace: meta.namespace,
            apps,
            placements,
        })
    }

    /// The clusters `app` is placed on.
    pub fn clusters_of(&self, app: &AppName) -> Option<&BTreeSet<ClusterRef>> {
        self.placements
            .iter()
            .find(|(a, _, _)| a == app)
            .map(|(_, c, _)| c)
    }

    /// The apps that depend on `app`.
    pub fn dependents_of(&self, app: &AppName) -> Vec<AppName> {
        self.placements
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
