//! The readiness monitor (docs/DESIGN.md §7): after a task applied an app, the app is registered here, and
//! from then on this process keeps
//! - one shared watch per kind on the cluster (the cluster's [`Watches`](crate::cluster::Watches)), whose readiness changes update
//!   the resources' `ready` and `ready_at` in `st/<cluster>/<app>` and move the app between `Applied` and
//!   `Ready`, with their events;
//! - a periodic resync that re-applies the cluster's desired state and reports each repair as a
//!   `drift-corrected` event.
//!
//! At start-up every deployed context (`/canopy/rsync/deployed/`) is registered again
//! ([`crate::recover`]), so status keeps flowing for idle deployments after a restart. With several
//! replicas, a cluster may be watched by more than one of them after a restart; the status writer's
//! compare-and-swap makes each transition land, and be announced, once.

mod cluster;

use std::sync::Arc;

use canopy_engine::appcontext::{BlobHash, Manifests};
use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ClusterRef};
use dashmap::DashMap;

pub use cluster::{Watched, apply_readiness};

use crate::status::StatusWriter;

/// The watched clusters of this process.
#[derive(Clone)]
pub struct Monitor {
    inner: Arc<Inner>,
}

struct Inner {
    status: StatusWriter,
    resync: std::time::Duration,
    clusters: DashMap<(ClusterRef, String), Arc<Watched>>,
}

impl Monitor {
    /// A monitor writing through `status`, resyncing every `resync` (zero: never).
    pub fn new(status: StatusWriter, resync: std::time::Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                status,
                resync,
                clusters: DashMap::new(),
            }),
        }
    }

    /// The watched handle of `cluster` for objects in `namespace` by default, made with `client` (built
    /// from the kubeconfig whose hash is `config`); a handle made from an older kubeconfig is replaced.
    pub fn watched(
        &self,
        cluster: &ClusterRef,
        namespace: &str,
        client: kube::Client,
        config: BlobHash,
    ) -> Arc<Watched> {
        let key = (cluster.clone(), namespace.to_owned());
        if let Some(w) = self.inner.clusters.get(&key)
            && w.config() == config
        {
            return w.clone();
        }
        let w = Watched::start(
            cluster.clone(),
            crate::cluster::Cluster::new(client, namespace),
            config,
            self.inner.status.clone(),
            self.inner.resync,
        );
        if let Some(old) = self.inner.clusters.insert(key, w.clone()) {
            old.stop();
        }
        w
    }

    /// Registers `app` of `ctx`, applied on `w`'s cluster with `deployment_id`: its readiness is followed
    /// and it is resynced from now on.
    pub async fn register(
        &self,
        w: &Arc<Watched>,
        ctx: ContextId,
        app: AppName,
        manifests: Arc<Manifests>,
        deployment_id: String,
    ) {
        w.register(ctx, app, manifests, deployment_id).await;
    }

    /// Stops following `app` of `ctx` on `cluster` (before it is deleted or replaced).
    pub fn unregister(&self, cluster: &ClusterRef, ctx: ContextId, app: &AppName) {
        for entry in self.inner.clusters.iter() {
            if &entry.key().0 == cluster {
                entry.value().unregister(ctx, app);
            }
        }
    }

    /// How many clusters are watched.
    pub fn clusters(&self) -> usize {
        self.inner.clusters.len()
    }

    /// Stops every watch and resync.
    pub fn stop(&self) {
        for entry in self.inner.clusters.iter() {
            entry.value().stop();
        }
        self.inner.clusters.clear();
    }
}

/// The label value that marks what rsync applied for `app` of `ctx`: `<ctx>-<app>`.
pub fn deployment_id(ctx: ContextId, app: &AppName) -> String {
    format!("{ctx}-{app}")
}
