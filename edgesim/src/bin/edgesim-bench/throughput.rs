//! The raw server-side-apply loop: `concurrency` kube 5 clients, each applying its own ConfigMap with new data
//! as fast as the server answers, for a fixed time.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{Patch, PatchParams};
use kube::client::ConfigExt;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

use crate::child::Server;

type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    kube::client::Body,
>;

/// The outcome of one concurrency level.
pub struct Throughput {
    /// Successful applies.
    pub ok: usize,
    /// Failed applies.
    pub failed: usize,
    /// Wall time of the loop.
    pub elapsed: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
}

impl fmt::Display for Throughput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.0} applies/s ({} in {:.2?}, {} failed), latency p50 {:.2?}, p99 {:.2?}",
            self.ok as f64 / self.elapsed.as_secs_f64(),
            self.ok,
            self.elapsed,
            self.failed,
            self.p50,
            self.p99
        )
    }
}

/// A kube client for one cluster, from the kubeconfig the control API serves, over a shared connection pool
/// and without kube's retry layer (so every answer counts once).
async fn client(server: &Server, cluster: &str, http: &Http) -> anyhow::Result<kube::Client> {
    let yaml = server
        .http()
        .get(server.admin(&format!("clusters/{cluster}/kubeconfig")))
        .send()
        .await?
        .text()
        .await?;
    let kubeconfig = Kubeconfig::from_yaml(&yaml).context("the kubeconfig parses")?;
    let config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .service(http.clone());
    Ok(kube::Client::new(service, config.default_namespace))
}

/// Runs `concurrency` apply loops, worker `w` on cluster `w mod clusters`, for `duration`.
pub async fn run(
    server: &Server,
    clusters: &[String],
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<Throughput> {
    let http: Http =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let mut apis = Vec::new();
    for worker in 0..concurrency.max(1) {
        let cluster = &clusters[worker % clusters.len()];
        apis.push(Api::<ConfigMap>::namespaced(
            client(server, cluster, &http).await?,
            "default",
        ));
    }
    let started = Instant::now();
    let deadline = started + duration;
    let workers = apis.into_iter().enumerate().map(|(worker, api)| {
        tokio::spawn(async move {
            let name = format!("bench-{concurrency}-{worker}");
            let params = PatchParams::apply("bench").force();
            let mut latencies = Vec::new();
            let mut failed = 0usize;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                    "data": {"n": n.to_string(), "payload": "x".repeat(256)}});
                let sent = Instant::now();
                match api.patch(&name, &params, &Patch::Apply(cm)).await {
                    Ok(_) => latencies.push(sent.elapsed()),
                    Err(_) => failed += 1,
                }
            }
            (latencies, failed)
        })
    });
    let mut latencies = Vec::new();
    let mut failed = 0;
    for worker in futures::future::join_all(workers).await {
        let (l, f) = worker?;
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Throughput {
        ok: latencies.len(),
        failed,
        elapsed,
        p50: quantile(0.50),
        p99: quantile(0.99),
    })
}
