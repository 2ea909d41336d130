//! What every part of one rsync process shares.

use std::sync::Arc;

use canopy_engine::appcontext::BlobHash;
use canopy_engine::context::ContextStore;
use canopy_schemas::name::ClusterRef;

use crate::cluster::{ApplyError, Clients};
use crate::config::Config;
use crate::kubeconfig::{KubeconfigError, Kubeconfigs};
use crate::monitor::{Monitor, Watched};
use crate::queue::Queue;
use crate::registry::Registry;
use crate::status::StatusWriter;

/// One rsync process's shared state.
pub struct Runtime {
    /// The context store: AppContexts, operations, status.
    pub store: Arc<dyn ContextStore>,
    /// The task queue.
    pub queue: Arc<dyn Queue>,
    /// Where kubeconfigs come from.
    pub kubeconfigs: Arc<dyn Kubeconfigs>,
    /// One kube client per cluster.
    pub clients: Clients,
    /// Cancellation per operation.
    pub registry: Arc<Registry>,
    /// Status writes.
    pub status: StatusWriter,
    /// Readiness watches and resync.
    pub monitor: Monitor,
    /// Tunables.
    pub config: Config,
    /// What the tasks of one context share, read once.
    pub skeletons: crate::run::plan::Skeletons,
}

/// Why a cluster's handle could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No kubeconfig, or one that cannot be used: terminal.
    #[error("{0}")]
    Terminal(String),
    /// A retry may succeed.
    #[error("{0}")]
    Retryable(String),
}

impl Runtime {
    /// A runtime over its parts.
    pub fn new(
        store: Arc<dyn ContextStore>,
        queue: Arc<dyn Queue>,
        kubeconfigs: Arc<dyn Kubeconfigs>,
        config: Config,
    ) -> Arc<Self> {
        let status = StatusWriter::new(store.clone());
        Arc::new(Self {
            monitor: Monitor::new(status.clone(), config.resync),
            store,
            queue,
            kubeconfigs,
            clients: Clients::new().with_h2c(config.h2c),
            registry: Arc::default(),
            status,
            config,
            skeletons: Default::default(),
        })
    }

    /// The watched handle of `cluster` with default namespace `namespace`, from its current kubeconfig. A
    /// changed kubeconfig (the cluster was registered again) gives a new client and new watches.
    pub async fn connect(
        &self,
        cluster: &ClusterRef,
        namespace: &str,
    ) -> Result<Arc<Watched>, ConnectError> {
        let kubeconfig = self.kubeconfigs.get(cluster).await.map_err(|e| match e {
            KubeconfigError::Missing(_) => ConnectError::Terminal(e.to_string()),
            KubeconfigError::Unavailable { .. } => ConnectError::Retryable(e.to_string()),
        })?;
        let client = self
            .clients
            .get(cluster, &kubeconfig)
            .await
            .map_err(|e| match e {
                ApplyError::Unreachable(_) | ApplyError::Retryable(_) => {
                    ConnectError::Retryable(e.to_string())
                }
                _ => ConnectError::Terminal(format!("the kubeconfig of {cluster}: {e}")),
            })?;
        Ok(self
            .monitor
            .watched(cluster, namespace, client, BlobHash::of(&kubeconfig)))
    }
}
