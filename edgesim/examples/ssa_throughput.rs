//! Prints SSA throughput over HTTP through kube 5 clients at concurrency 1, 16 and 256, and the process RSS:
//! `cargo run --release -p canopy-edgesim --example ssa_throughput -- 1000 4` (clusters, applies per cluster
//! and concurrency level). The server runs in the same process, so both share the machine's cores.

use std::time::Instant;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{Patch, PatchParams};
use kube::client::ConfigExt;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    kube::client::Body,
>;

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn client(
    handle: &canopy_edgesim::Handle,
    cluster: &str,
    http: &Http,
) -> anyhow::Result<kube::Client> {
    let kubeconfig = Kubeconfig::from_yaml(&handle.kubeconfig(cluster))?;
    let config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .service(http.clone());
    Ok(kube::Client::new(service, config.default_namespace))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let clusters = args.next().transpose()?.unwrap_or(1000);
    let per_cluster = args.next().transpose()?.unwrap_or(4);
    let range = format!("edge-{:05}..edge-{clusters:05}", 1);
    let config = canopy_edgesim::Config {
        clusters: Some(range),
        ..Default::default()
    };
    let server = config.build().await?;
    let handle = server.handle();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let http: Http =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let mut apis = Vec::new();
    for name in handle.fleet().names() {
        apis.push(Api::<ConfigMap>::default_namespaced(
            client(&handle, &name, &http).await?,
        ));
    }
    println!(
        "{clusters} clusters, {per_cluster} applies per cluster and level; RSS {:.0} MiB",
        rss_mib()
    );
    for concurrency in [1usize, 16, 256] {
        let jobs = apis
            .iter()
            .flat_map(|api| (0..per_cluster).map(move |i| (api, i)));
        let started = Instant::now();
        let results: Vec<Result<ConfigMap, kube::Error>> = futures::stream::iter(jobs)
            .map(|(api, i)| async move {
                let name = format!("c{concurrency}-{i}");
                let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                    "data": {"payload": "x".repeat(512)}});
                api.patch(
                    &name,
                    &PatchParams::apply("bench").force(),
                    &Patch::Apply(cm),
                )
                .await
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let elapsed = started.elapsed();
        let failed = results.iter().filter(|r| r.is_err()).count();
        println!(
            "concurrency {concurrency:>3}: {} applies in {elapsed:.2?} = {:.0}/s ({failed} failed); RSS {:.0} MiB",
            results.len(),
            results.len() as f64 / elapsed.as_secs_f64(),
            rss_mib()
        );
    }
    drop(stop);
    serving.await?;
    Ok(())
}
