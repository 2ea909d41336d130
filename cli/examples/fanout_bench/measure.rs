//! What the benchmark reads while it runs: the saga's and the DIG's recorded times, the `st/` keys,
//! and the two raw limits (edgesim's server-side apply, etcd's transactions).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use canopy_engine::appcontext::{AppProgress, ContextKeys, Phase};
use canopy_engine::context::watch::EventKind;
use canopy_engine::context::{ContextStore, Key, Revision};
use canopy_engine::lifecycle::DigRecord;
use canopy_engine::lifecycle::saga::progress::Progress;
use canopy_schemas::ContextId;
use serde_json::json;

use crate::{LIMIT_CONCURRENCY, LIMIT_TIME};

/// When each saga step was recorded, counted from `POST DIG/instantiate`: where the engine's time goes
/// before rsync has the work.
pub async fn print_saga_steps(
    ctx: &dyn ContextStore,
    id: ContextId,
    wall0: SystemTime,
    n: usize,
) -> anyhow::Result<()> {
    let keys = ContextKeys::new(id);
    let Some(progress) = Progress::load(ctx, &keys).await? else {
        return Ok(());
    };
    let steps: Vec<String> = progress
        .done
        .iter()
        .map(|d| {
            let at = SystemTime::from(d.time)
                .duration_since(wall0)
                .unwrap_or_default();
            format!("{} {:.2} s", d.step.as_str(), at.as_secs_f64())
        })
        .collect();
    println!("N={n}: saga steps done at: {}", steps.join(", "));
    Ok(())
}

/// The DIG's runtime record, read from etcd directly: cheaper than `GET DIG/status`, which also
/// computes the status of every resource.
pub async fn dig_record(ctx: &dyn ContextStore) -> anyhow::Result<DigRecord> {
    let key = canopy_engine::appcontext::keys::dig(
        &"p1".parse()?,
        &"ca".parse()?,
        &"v1".parse()?,
        &"dig1".parse()?,
    );
    let kv = ctx.get(&key).await?.context("the DIG's record")?;
    Ok(DigRecord::decode(&key, &kv.value)?)
}

/// When the DIG's state changes were recorded, counted from `POST DIG/instantiate`.
pub async fn print_dig_actions(
    ctx: &dyn ContextStore,
    wall0: SystemTime,
    n: usize,
) -> anyhow::Result<()> {
    let record = dig_record(ctx).await?;
    let actions: Vec<String> = record
        .actions
        .iter()
        .filter_map(|a| {
            let at = SystemTime::from(a.time).duration_since(wall0).ok()?;
            Some(format!("{} {:.2} s", a.state.as_str(), at.as_secs_f64()))
        })
        .collect();
    println!("N={n}: DIG states recorded at: {}", actions.join(", "));
    Ok(())
}

/// Watches the context's `st/` keys from revision `from` and returns the time (from `t0`) at which all
/// `expected` app statuses were `Ready`. A watch, not a range: one range of every `st/` value is over
/// the etcd client's 4 MiB message limit beyond about 1,000 clusters.
pub fn watch_ready(
    ctx: Arc<dyn ContextStore>,
    id: ContextId,
    from: i64,
    expected: usize,
    t0: Instant,
) -> tokio::task::JoinHandle<anyhow::Result<Duration>> {
    tokio::spawn(async move {
        let prefix = ContextKeys::new(id).statuses();
        let mut watch = ctx.watch(&prefix, Some(Revision(from))).await?;
        let mut ready: HashMap<Vec<u8>, bool> = HashMap::new();
        let mut count = 0usize;
        while let Some(event) = watch.next().await {
            let event = event?;
            let key = event.kv.key.as_bytes().to_vec();
            let now = event.kind == EventKind::Put
                && AppProgress::decode(&event.kv)?.phase == Phase::Ready;
            let was = ready.insert(key, now).unwrap_or(false);
            count = count + usize::from(now) - usize::from(was);
            if count == expected {
                return Ok(t0.elapsed());
            }
        }
        anyhow::bail!("the watch ended with {count} of {expected} Ready")
    })
}

/// edgesim's raw rate: `LIMIT_CONCURRENCY` loops of server-side apply of a ConfigMap with plain kube
/// clients, each on its own cluster, for `LIMIT_TIME`.
pub async fn ssa_limit(url: &str, names: &[String]) -> anyhow::Result<f64> {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::{Api, Patch, PatchParams};
    use kube::config::{KubeConfigOptions, Kubeconfig};

    let mut apis = Vec::new();
    for w in 0..LIMIT_CONCURRENCY {
        let yaml = canopy_edgesim::kubeconfig::render(url, &names[w % names.len()]);
        let config = kube::Config::from_custom_kubeconfig(
            Kubeconfig::from_yaml(&yaml)?,
            &KubeConfigOptions::default(),
        )
        .await?;
        apis.push(Api::<ConfigMap>::namespaced(
            kube::Client::try_from(config)?,
            "default",
        ));
    }
    let ok = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + LIMIT_TIME;
    let loops = apis.into_iter().enumerate().map(|(w, api)| {
        let ok = ok.clone();
        tokio::spawn(async move {
            let name = format!("bench-{w}");
            let params = PatchParams::apply("bench").force();
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                    "data": {"n": i.to_string()}});
                if api.patch(&name, &params, &Patch::Apply(cm)).await.is_ok() {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    });
    futures::future::join_all(loops).await;
    Ok(ok.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// etcd's raw rate: `LIMIT_CONCURRENCY` loops of one-put transactions through the client rsync uses.
pub async fn etcd_limit(ctx: Arc<dyn ContextStore>) -> anyhow::Result<f64> {
    let ok = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + LIMIT_TIME;
    let loops = (0..LIMIT_CONCURRENCY).map(|w| {
        let (ok, ctx) = (ok.clone(), ctx.clone());
        tokio::spawn(async move {
            let key = Key::new(format!("/bench/limit/{w}"));
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                if ctx.put(&key, i.to_string().into_bytes()).await.is_ok() {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    });
    futures::future::join_all(loops).await;
    Ok(ok.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// etcd's count of handled gRPC requests by method (`grpc_server_handled_total` on its `/metrics`).
pub async fn etcd_requests(endpoint: &str) -> anyhow::Result<BTreeMap<String, f64>> {
    let text = reqwest::get(format!("{endpoint}/metrics"))
        .await?
        .error_for_status()?
        .text()
        .await?;
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let Some(labels) = line.strip_prefix("grpc_server_handled_total{") else {
            continue;
        };
        let Some((labels, value)) = labels.rsplit_once("} ") else {
            continue;
        };
        let method = labels
            .split(',')
            .find_map(|l| l.strip_prefix("grpc_method=\""))
            .map(|m| m.trim_end_matches('"'));
        if let (Some(method), Ok(value)) = (method, value.trim().parse::<f64>()) {
            *counts.entry(method.to_owned()).or_default() += value;
        }
    }
    Ok(counts)
}
