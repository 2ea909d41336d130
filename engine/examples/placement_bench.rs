//! Benchmark: placement of one app over N clusters (1,000 and 10,000) through 3 placement controllers served
//! over real gRPC on loopback, the saga's steps 2–4 (docs/DESIGN.md §4) without the saga's bookkeeping.
//!
//! - The clusters live in an embedded resource store under one provider, each with 1–2 labels and one
//!   kv-pair object (`cpu`, `memory`, `region`), written in batches through `ResourceStore`.
//! - The controllers: the built-in `placement` twice (a label rule and a cpu floor; a memory floor and a
//!   spread over `region` with other weights) and `name-hash`, which keeps every cluster with a score from a
//!   hash of its name.
//! - Each run measures the catalog load, resolve (one anyOf list over every cluster by label, 3 allOf
//!   clusters), each `FilterClusters` call (request build, gRPC, response conversion) and its
//!   `Scores::apply`, and select. End to end is their sum. 5 runs; the median and the maximum are printed.
//!
//! Run with `cargo run --release -p canopy-engine --example placement_bench`.

use std::collections::{BTreeMap, BTreeSet};
use std::future::pending;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use canopy_controllers::{PlacementController, builtin, serve_placement};
use canopy_engine::remote::{self, ControllerInfo, Remote};
use canopy_engine::scheduler::{catalog, resolve, select};
use canopy_engine::stack;
use canopy_engine::store::{Key, Put, ResourceStore, Write, key};
use canopy_schemas::controller::{
    AppDecision, ClusterDecision, DigIdentity, FilterRequest, FilterResponse, Intent,
};
use canopy_schemas::ids::{ContextId, Revision};
use canopy_schemas::name::{AppName, ClusterProviderName, ClusterRef};
use canopy_schemas::proto::controller::v1 as pb;
use canopy_schemas::rest::dig::AppIntent;
use prost::Message;
use serde_json::{Value, json};

const SIZES: [usize; 2] = [1_000, 10_000];
const RUNS: usize = 5;
const PROVIDER: &str = "provider1";
const REGIONS: [&str; 4] = ["a", "b", "c", "d"];
/// Writes per resource-store transaction during setup.
const BATCH: usize = 2_000;

/// Keeps every candidate with a score in `[0, 1)` from a hash of its name.
struct NameHash;

#[async_trait::async_trait]
impl PlacementController for NameHash {
    async fn filter_clusters(
        &self,
        request: FilterRequest,
    ) -> canopy_controllers::Result<FilterResponse> {
        let apps = request.apps.iter().map(|app| {
            let mut seen = BTreeSet::new();
            let clusters = (app.clusters())
                .filter(|c| seen.insert(&c.cluster))
                .map(|c| {
                    let mut h = DefaultHasher::new();
                    c.cluster.to_string().hash(&mut h);
                    ClusterDecision::keep(
                        c.cluster.clone(),
                        (h.finish() >> 11) as f64 / 2f64.powi(53),
                    )
                })
                .collect();
            AppDecision {
                app: app.app.clone(),
                clusters,
            }
        });
        Ok(FilterResponse {
            apps: apps.collect(),
        })
    }
}

/// Cluster `i`'s cpu, memory and region.
fn capacity(i: usize) -> (usize, usize, &'static str) {
    (4 + i % 29, 16 + i % 61, REGIONS[i % REGIONS.len()])
}

/// Whether cluster `i` passes every controller's rules (an allOf cluster must, or select fails).
fn fits(i: usize) -> bool {
    let (cpu, memory, _) = capacity(i);
    cpu >= 8 && memory >= 32 && i % 50 != 7
}

fn cluster_name(i: usize) -> String {
    format!("cluster{i:05}")
}

/// Writes the provider and `n` clusters, each with a region label, every 10th a `gpu` label, every 50th
/// (from 7) a `maintenance` label, and a kv-pair object `capacity`.
async fn setup(store: &dyn ResourceStore, n: usize) -> anyhow::Result<()> {
    let create = |kind: &'static key::Kind, names: &[&str], data: Value| -> anyhow::Result<Write> {
        Ok(Write::Create(Put::new(Key::parse(kind, names)?, data)))
    };
    store
        .write(vec![create(
            &key::CLUSTER_PROVIDER,
            &[PROVIDER],
            json!({"metadata": {"name": PROVIDER}}),
        )?])
        .await?;
    let mut batch = Vec::new();
    for i in 0..n {
        let name = cluster_name(i);
        let (cpu, memory, region) = capacity(i);
        let meta = json!({"metadata": {"name": name}});
        batch.push(create(&key::CLUSTER, &[PROVIDER, &name], meta)?);
        let mut labels = vec![format!("region-{region}")];
        if i % 10 == 0 {
            labels.push("gpu".into());
        } else if i % 50 == 7 {
            labels.push("maintenance".into());
        }
        for label in labels {
            let data = json!({"clusterLabel": label});
            batch.push(create(
                &key::CLUSTER_LABEL,
                &[PROVIDER, &name, &label],
                data,
            )?);
        }
        let kv = json!({"metadata": {"name": "capacity"},
            "spec": {"kv": [{"cpu": cpu}, {"memory": memory}, {"region": region}]}});
        batch.push(create(
            &key::CLUSTER_KV,
            &[PROVIDER, &name, "capacity"],
            kv,
        )?);
        if batch.len() >= BATCH || i + 1 == n {
            store.write(std::mem::take(&mut batch)).await?;
        }
    }
    Ok(())
}

/// The app's intent: allOf 3 clusters that pass every rule (in regions a, b, c), anyOf every region label.
fn app_intent(n: usize) -> anyhow::Result<AppIntent> {
    let all_of: Vec<Value> = (0..3)
        .map(|r| {
            let i = (0..n)
                .find(|&i| i % REGIONS.len() == r && fits(i))
                .expect("a cluster fits");
            json!({"clusterProvider": PROVIDER, "cluster": cluster_name(i)})
        })
        .collect();
    let any_of: Vec<Value> = (REGIONS.iter())
        .map(|r| json!({"clusterProvider": PROVIDER, "clusterLabel": format!("region-{r}")}))
        .collect();
    Ok(serde_json::from_value(json!({
        "metadata": {"name": "web-placement"},
        "spec": {"app": "web", "intent": {"allOf": all_of, "anyOf": any_of}},
    }))?)
}

/// One placement controller as the saga calls it.
struct Call {
    info: ControllerInfo,
    intent: Intent,
}

/// Serves the three controllers on loopback; the servers stop when the returned handles drop.
async fn controllers() -> anyhow::Result<(Vec<Call>, Vec<canopy_controllers::Serving>)> {
    let any: SocketAddr = "127.0.0.1:0".parse()?;
    let specs = [
        (
            "placement-a",
            json!({"labelSelector": [{"key": "maintenance", "operator": "DoesNotExist"}],
                   "capacity": [{"key": "cpu", "op": ">=", "value": 8}]}),
        ),
        (
            "placement-b",
            json!({"capacity": [{"key": "memory", "op": ">=", "value": 32}],
                   "spread": {"topologyKey": "region", "maxSkew": 1},
                   "weights": {"capacity": 2.0, "balance": 0.5, "spread": 1.0}}),
        ),
        ("name-hash", json!({})),
    ];
    let (mut calls, mut servers) = (Vec::new(), Vec::new());
    for (priority, (name, spec)) in specs.into_iter().enumerate() {
        let server = match name {
            "name-hash" => serve_placement(any, NameHash, pending()).await?,
            _ => serve_placement(any, builtin::placement::Controller, pending()).await?,
        };
        calls.push(Call {
            info: ControllerInfo {
                name: name.parse()?,
                host: "127.0.0.1".into(),
                port: server.addr().port(),
                kind: remote::Kind::Placement,
                priority: Some(u32::try_from(priority)?),
            },
            intent: Intent {
                controller: name.parse()?,
                name: "i1".parse()?,
                spec,
            },
        });
        servers.push(server);
    }
    Ok((calls, servers))
}

fn dig() -> anyhow::Result<DigIdentity> {
    Ok(DigIdentity {
        project: "proj".parse()?,
        composite_app: "ca".parse()?,
        composite_app_version: "v1".parse()?,
        dig: "dig".parse()?,
        app_context_id: ContextId::new(1),
        revision: Revision::FIRST,
        namespace: "default".into(),
        logical_cloud: "lc".parse()?,
        release: "r".into(),
    })
}

/// The inputs of one placement, as the saga has them after loading the DIG.
struct Inputs {
    store: std::sync::Arc<dyn ResourceStore>,
    providers: Vec<ClusterProviderName>,
    apps: Vec<AppName>,
    intents: Vec<AppIntent>,
    allowed: BTreeSet<ClusterRef>,
    dig: DigIdentity,
}

/// What one run measured: named stages in order, and the request size of the first call.
struct Run {
    stages: Vec<(String, Duration)>,
    request_bytes: usize,
    placed: usize,
}

/// Stage timings, one lap after another.
struct Laps {
    t: Instant,
    stages: Vec<(String, Duration)>,
}

impl Laps {
    fn lap(&mut self, name: String) {
        self.stages.push((name, self.t.elapsed()));
        self.t = Instant::now();
    }
}

async fn run(inputs: &Inputs, remote: &Remote, calls: &[Call]) -> anyhow::Result<Run> {
    let mut laps = Laps {
        t: Instant::now(),
        stages: Vec::new(),
    };
    let mut catalog = catalog::load(inputs.store.as_ref(), &inputs.providers).await?;
    catalog::set_placed_apps(&mut catalog, &BTreeMap::new());
    laps.lap("catalog".into());
    let candidates = resolve::resolve(
        &inputs.apps,
        &inputs.intents,
        &catalog,
        Some(&inputs.allowed),
    )?;
    laps.lap("resolve".into());
    let mut scores = select::Scores::new(candidates);
    let mut request_bytes = 0;
    for call in calls {
        let request = FilterRequest {
            dig: inputs.dig.clone(),
            intent: call.intent.clone(),
            apps: scores.candidates().to_vec(),
        };
        if request_bytes == 0 {
            // Not counted: `filter_clusters` converts the request again itself.
            let started = Instant::now();
            request_bytes = pb::FilterClustersRequest::from(request.clone()).encoded_len();
            laps.t += started.elapsed();
        }
        let answer = remote.filter_clusters(&call.info, request).await?;
        laps.lap(format!("filter[{}]", call.info.name));
        scores.apply(&call.info.name, &answer)?;
        laps.lap(format!("apply[{}]", call.info.name));
    }
    let selected = scores.select()?;
    laps.lap("select".into());
    let placed = selected.iter().map(|(_, p)| p.clusters.len()).sum();
    Ok(Run {
        stages: laps.stages,
        request_bytes,
        placed,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn report(n: usize, runs: &[Run]) {
    let mut parts = Vec::new();
    for (i, (name, _)) in runs[0].stages.iter().enumerate() {
        let each: Vec<Duration> = runs.iter().map(|r| r.stages[i].1).collect();
        parts.push(format!("{name} {}", ms(median(each))));
    }
    let totals: Vec<Duration> = (runs.iter())
        .map(|r| r.stages.iter().map(|s| s.1).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or_default();
    println!(
        "placement N={n}: {}, end-to-end {} (median of {}), max {}, request {:.2} MiB, {} clusters placed",
        parts.join(", "),
        ms(median(totals)),
        runs.len(),
        ms(max),
        runs[0].request_bytes as f64 / (1 << 20) as f64,
        runs[0].placed,
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (calls, _servers) = controllers().await?;
    let remote = Remote::new(remote::Config::default());
    for n in SIZES {
        let dir = tempfile::tempdir()?;
        let (store, _contexts) = stack::embedded(&dir.path().join("canopy.redb"))?;
        let started = Instant::now();
        setup(store.as_ref(), n).await?;
        println!(
            "placement N={n}: setup {} (not in end-to-end)",
            ms(started.elapsed())
        );
        let inputs = Inputs {
            store,
            providers: vec![PROVIDER.parse()?],
            apps: vec!["web".parse()?],
            intents: vec![app_intent(n)?],
            allowed: (0..n)
                .map(|i| format!("{PROVIDER}+{}", cluster_name(i)).parse())
                .collect::<Result<_, _>>()?,
            dig: dig()?,
        };
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(run(&inputs, &remote, &calls).await?);
        }
        report(n, &runs);
    }
    Ok(())
}
