//! Where rsync finds a cluster's kubeconfig: the engine's resource store, read in process
//! ([`StoreKubeconfigs`]), or the engine's REST API (`GET .../clusters/{c}` with
//! `Accept: application/octet-stream`, [`RestKubeconfigs`]) when rsync runs as its own process.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use canopy_engine::store::{Key, ResourceStore, key};
use canopy_schemas::name::ClusterRef;

/// A kubeconfig could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    /// The cluster is not registered, or has no kubeconfig: terminal.
    #[error("cluster {0} is not registered or has no kubeconfig")]
    Missing(ClusterRef),
    /// The source failed; a retry may succeed.
    #[error("reading the kubeconfig of {cluster}: {message}")]
    Unavailable {
        /// The cluster.
        cluster: ClusterRef,
        /// Why.
        message: String,
    },
}

/// A source of kubeconfigs.
#[async_trait]
pub trait Kubeconfigs: Send + Sync + 'static {
    /// The kubeconfig of `cluster`, as uploaded.
    async fn get(&self, cluster: &ClusterRef) -> Result<Vec<u8>, KubeconfigError>;
}

/// Reads kubeconfigs from the resource store, in the engine's process.
pub struct StoreKubeconfigs(pub Arc<dyn ResourceStore>);

#[async_trait]
impl Kubeconfigs for StoreKubeconfigs {
    async fn get(&self, cluster: &ClusterRef) -> Result<Vec<u8>, KubeconfigError> {
        let names = [cluster.provider.as_str(), cluster.cluster.as_str()];
        let k = Key::parse(&key::CLUSTER, &names)
            .map_err(|_| KubeconfigError::Missing(cluster.clone()))?;
        match self.0.blob(&k, "kubeconfig").await {
            Ok(Some(bytes)) => Ok(bytes.to_vec()),
            Ok(None) => Err(KubeconfigError::Missing(cluster.clone())),
            Err(e) => Err(KubeconfigError::Unavailable {
                cluster: cluster.clone(),
                message: e.to_string(),
            }),
        }
    }
}

/// Fetches kubeconfigs from the engine's REST API.
pub struct RestKubeconfigs {
    base: String,
    http: reqwest::Client,
}

impl RestKubeconfigs {
    /// Fetches from the engine at `base` (for example `http://127.0.0.1:9015/v2`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a plain HTTP client builds"),
        }
    }
}

#[async_trait]
impl Kubeconfigs for RestKubeconfigs {
    async fn get(&self, cluster: &ClusterRef) -> Result<Vec<u8>, KubeconfigError> {
        let url = format!(
            "{}/cluster-providers/{}/clusters/{}",
            self.base, cluster.provider, cluster.cluster
        );
        let unavailable = |message: String| KubeconfigError::Unavailable {
            cluster: cluster.clone(),
            message,
        };
        let response = self
            .http
            .get(&url)
            .header("accept", "application/octet-stream")
            .send()
            .await
            .map_err(|e| unavailable(format!("GET {url}: {e}")))?;
        match response.status().as_u16() {
            200 => Ok(response
                .bytes()
                .await
                .map_err(|e| unavailable(format!("GET {url}: {e}")))?
                .to_vec()),
            404 => Err(KubeconfigError::Missing(cluster.clone())),
            status => Err(unavailable(format!("GET {url} answered {status}"))),
        }
    }
}
