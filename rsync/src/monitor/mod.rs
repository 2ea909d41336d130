//! The readiness monitor (docs/DESIGN.md §7): after a task applied an app, the app is registered here, and
//! from then on this process keeps
//! - one shared watch per kind on the cluster (the cluster's [`Watches`]), whose readiness changes update
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

use crate::cluster::{Cluster, Watches};
use crate::status::StatusWriter;

/// The watched clusters of this process.
#[derive(Clone)]
pub struct Monitor {
    inner: Arc<Inner>,
}

struct Inner {
    status: StatusWriter,
    resync: std::time::Duration,
    /// One per cluster and default namespace (the contexts of one logical cloud).
    clusters: DashMap<(ClusterRef, String), Arc<Watched>>,
    /// The watches of each cluster, shared by its namespaces, with the hash of the kubeconfig whose
    /// client they use.
    watches: DashMap<ClusterRef, (BlobHash, Watches)>,
}

impl Monitor {
    /// A monitor writing through `status`, resyncing every `resync` (zero: never).
    pub fn new(status: StatusWriter, resync: std::time::Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                status,
                resync,
                clusters: DashMap::new(),
                watches: DashMap::new(),
            }),
        }
    }

    /// The watched handle of `cluster` for objects in `namespace` by default, made with `client` (built
    /// from the kubeconfig whose hash is `config`); a handle made from an older kubeconfig is replaced.
    /// The handles of one cluster's namespaces share its watches, one per kind, as long as they use the
    /// same kubeconfig.
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
        let start = || {
            let watches = {
                let fresh = || {
                    (
                        config,
                        Watches::for_cluster(&Cluster::new(client.clone(), namespace)),
                    )
                };
                let mut shared = self
                    .inner
                    .watches
                    .entry(cluster.clone())
                    .or_insert_with(fresh);
                if shared.0 != config {
                    *shared = fresh();
                }
                shared.1.in_namespace(namespace)
            };
            Watched::start(
                cluster.clone(),
                watches,
                config,
                self.inner.status.clone(),
                self.inner.resync,
            )
        };
        // Under the entry's lock: two tasks connecting at once get the same handle.
        let (w, replaced) = {
            let mut slot = self.inner.clusters.entry(key).or_insert_with(start);
            if slot.config() == config {
                (slot.clone(), None)
            } else {
                let old = std::mem::replace(&mut *slot, start());
                slot.adopting();
                (slot.clone(), Some(old))
            }
        };
        if let Some(old) = replaced {
            // The apps the old handle followed (those of other contexts too) are followed by the new one.
            old.stop();
            let moved = old.followed();
            let new = w.clone();
            tokio::spawn(async move { new.adopt(moved).await });
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
        self.inner.watches.clear();
    }
}

/// The label value that marks what rsync applied for `app` of `ctx`: `<ctx>-<app>`.
pub fn deployment_id(ctx: ContextId, app: &AppName) -> String {
    format!("{ctx}-{app}")
}
