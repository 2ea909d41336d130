//! Test harness: an edgesim server on port 0 and kube clients built from its kubeconfigs.

#![allow(dead_code)] // Each test file uses a different part of the harness.

use std::time::Duration;

use canopy_edgesim::{Config, Handle};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;
use tokio::sync::oneshot;

/// Deadline for every wait on a state.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A plain-HTTP connection pool that many kube clients can share.
pub type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    kube::client::Body,
>;

/// A new shared connection pool.
pub fn http() -> Http {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// A running server; dropping it shuts the server down.
pub struct Sim {
    pub handle: Handle,
    _stop: oneshot::Sender<()>,
}

impl Sim {
    /// Starts a server with the given clusters (a name or a range).
    pub async fn start(clusters: &str) -> Self {
        let config = Config {
            clusters: Some(clusters.to_string()),
            ..Config::default()
        };
        let server = config.build().await.expect("server starts");
        let handle = server.handle();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Self {
            handle,
            _stop: stop,
        }
    }

    /// A kube client for one cluster, built from its kubeconfig as a user would.
    pub async fn client(&self, cluster: &str) -> kube::Client {
        kube::Client::try_from(self.config(cluster).await).expect("client builds")
    }

    /// A kube client for one cluster without kube's default retry of 429/503/504 (up to 15 retries with
    /// exponential backoff), so that every injected failure reaches the caller.
    pub async fn client_without_retry(&self, cluster: &str) -> kube::Client {
        let mut config = self.config(cluster).await;
        config.default_retry = false;
        kube::Client::try_from(config).expect("client builds")
    }

    /// A kube client for one cluster that shares `http`'s connection pool with other clusters' clients.
    /// It skips the TLS setup `Client::try_from` does per client (about 40 ms each in a debug build).
    pub async fn client_over(&self, cluster: &str, http: &Http) -> kube::Client {
        use kube::client::ConfigExt;
        let config = self.config(cluster).await;
        let service = tower::ServiceBuilder::new()
            .layer(config.base_uri_layer())
            .service(http.clone());
        kube::Client::new(service, config.default_namespace)
    }

    /// The kube config for one cluster.
    pub async fn config(&self, cluster: &str) -> kube::Config {
        let kubeconfig =
            Kubeconfig::from_yaml(&self.handle.kubeconfig(cluster)).expect("kubeconfig parses");
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .expect("config loads")
    }

    /// Sets a cluster's faults through the control API.
    pub async fn set_faults(&self, cluster: &str, faults: serde_json::Value) {
        let url = format!("{}/admin/clusters/{cluster}/faults", self.handle.url());
        let response = reqwest::Client::new()
            .put(url)
            .json(&faults)
            .send()
            .await
            .expect("admin API answers");
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// GETs a control API document.
    pub async fn admin(&self, path: &str) -> serde_json::Value {
        let url = format!("{}/admin/{path}", self.handle.url());
        let response = reqwest::Client::new()
            .get(url)
            .send()
            .await
            .expect("admin API answers");
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.expect("admin API returns JSON")
    }
}

/// A Deployment manifest with one labelled container.
pub fn deployment(name: &str, replicas: i32, image: &str) -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name, "tier": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image}]}}}})
}

/// The HTTP code of a kube API error, if it is one.
pub fn api_code(error: &kube::Error) -> Option<u16> {
    match error {
        kube::Error::Api(status) => Some(status.code),
        _ => None,
    }
}
