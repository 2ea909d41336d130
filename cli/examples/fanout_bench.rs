//! Benchmark: the fan-out of one DIG (3 apps × 10 resources, no dependencies) to N edgesim clusters
//! through the whole system: a real etcd (context store), a real nats-server (rsync's JetStream task queue
//! and the event stream), the engine in this process over REST, `canopy rsync` as its own process, and
//! edgesim as its own process. For each size it prints the time from `POST DIG/instantiate` until the
//! context is `Instantiated` (every resource applied) and until every app on every cluster is `Ready`, the
//! applies per second, the peak memory of the engine and of rsync, the events a NATS subscriber on
//! `canopy.>` receives (the total and the largest rate over any 1-second window), the time and size of
//! `GET DIG/status` (summary and `output=all`) once all is Ready, and, in the same run, two physical
//! limits: edgesim's raw server-side-apply rate and etcd's raw transaction rate.
//!
//! ```text
//! export PROTOC=/usr/bin/protoc CANOPY_ETCD_BIN=... CANOPY_NATS_BIN=...
//! cargo build --release -p canopy-cli -p canopy-edgesim --bins
//! cargo run --release -p canopy-cli --example fanout_bench -- --sizes 100,1000,10000
//! ```
//!
//! The `canopy` and `edgesim` binaries are taken from the target directory this example runs from
//! (`target/release/`), so build them with the same profile first.

#[path = "fanout_bench/events.rs"]
mod events;
#[path = "fanout_bench/measure.rs"]
mod measure;
#[path = "fanout_bench/process.rs"]
mod process;
#[path = "fanout_bench/rest.rs"]
mod rest;
#[path = "fanout_bench/writes.rs"]
mod writes;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use canopy_engine::appcontext::{ContextKeys, Reader, State};
use canopy_engine::context::{ContextStore, Revision};
use canopy_engine::server::{BusConfig, open_bus};
use canopy_engine::stack::{self, Stack};
use canopy_engine::{api, remote};
use canopy_tests::{EtcdServer, NatsServer};
use clap::Parser;

use canopy_schemas::DigState;
use measure::{
    dig_record, etcd_limit, etcd_requests, print_dig_actions, print_saga_steps, ssa_limit,
    watch_ready,
};
use process::{AbortOnDrop, Process, cpu_seconds, free_port, proc_kib, reset_peak_memory};
use rest::Engine;

/// The allocator of the `canopy` binary, so that the engine in this process runs as `canopy engine` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CA: &str = "/projects/p1/composite-apps/ca/v1";
const DIG: &str = "/projects/p1/composite-apps/ca/v1/deployment-intent-groups/dig1";
const LC: &str = "/projects/p1/logical-clouds/lc1";
const PROVIDER: &str = "edge";
const APPS: [&str; 3] = ["alpha", "beta", "gamma"];
/// Main resources per app: 8 ConfigMaps, a Service and a Deployment.
const RESOURCES: usize = 10;
/// Requests in flight while registering clusters and cluster references (setup).
const SETUP_CONCURRENCY: usize = 32;
/// Requests in flight while measuring the raw limits.
const LIMIT_CONCURRENCY: usize = 64;
const LIMIT_TIME: Duration = Duration::from_secs(5);
const TIMEOUT: Duration = Duration::from_secs(900);

/// Fan-out of one DIG to N edgesim clusters, with the physical limits beside it.
#[derive(Debug, Parser)]
struct Args {
    /// Cluster counts to run, in order.
    #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
    sizes: Vec<usize>,
    /// Run rsync as a `canopy rsync` process (its peak memory is then its own); `false` runs it in
    /// this process.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    rsync_process: bool,
    /// `canopy rsync --max-clusters`.
    #[arg(long, default_value_t = 256)]
    max_clusters: usize,
    /// `canopy rsync --h2c`: HTTP/2 with prior knowledge to edgesim, one connection per cluster. Over
    /// HTTP/1.1 rsync holds a connection per watched kind per cluster, and 10,000 clusters need more file
    /// descriptors than this machine allows a process (20,000).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    h2c: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let bin = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .context("the example's directory")?
        .to_path_buf();
    let mut rows = Vec::new();
    for &n in &args.sizes {
        println!("== N = {n} clusters");
        match run(&args, &bin, n).await {
            Ok(row) => {
                row.print_details();
                rows.push(row);
            }
            Err(e) => println!("N = {n}: failed: {e:#}"),
        }
    }
    print_table(&rows);
    Ok(())
}

/// What one size measured.
struct Row {
    n: usize,
    setup: Duration,
    saga: Duration,
    applied: Duration,
    ready: Duration,
    engine_kib: f64,
    rsync_kib: f64,
    edgesim_kib: f64,
    engine_base: f64,
    rsync_base: f64,
    etcd_writes: i64,
    sim_raw: f64,
    etcd_raw: f64,
}

impl Row {
    fn applies_per_s(&self) -> f64 {
        (self.n * APPS.len() * RESOURCES) as f64 / self.applied.as_secs_f64()
    }

    fn writes_per_s(&self) -> f64 {
        self.etcd_writes as f64 / self.applied.as_secs_f64()
    }

    fn print_details(&self) {
        println!(
            "N={}: DIG Instantiated (saga done, handed to rsync) after {:.2} s; context Instantiated after {:.2} s; \
             all Ready after {:.2} s",
            self.n,
            self.saga.as_secs_f64(),
            self.applied.as_secs_f64(),
            self.ready.as_secs_f64()
        );
        println!(
            "N={}: etcd revisions during instantiate→Applied: {} ({:.0}/s; raw {:.0} txn/s = {:.0} %)",
            self.n,
            self.etcd_writes,
            self.writes_per_s(),
            self.etcd_raw,
            100.0 * self.writes_per_s() / self.etcd_raw
        );
        println!(
            "N={}: peak RSS engine (with the driver) {:.1} MiB, rsync {:.1} MiB, edgesim {:.1} MiB; \
             resident just before instantiate (after setup): engine {:.1} MiB, rsync {:.1} MiB; \
             peak over that: {:.1} KB/cluster",
            self.n,
            self.engine_kib / 1024.0,
            self.rsync_kib / 1024.0,
            self.edgesim_kib / 1024.0,
            self.engine_base / 1024.0,
            self.rsync_base / 1024.0,
            (self.engine_kib + self.rsync_kib - self.engine_base - self.rsync_base) * 1.024
                / self.n as f64
        );
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:>6} {:>8} {:>10} {:>8} {:>10} {:>10} {:>9} {:>10} {:>12} {:>10} {:>8} {:>8}",
        "N",
        "setup s",
        "Applied s",
        "Ready s",
        "applies/s",
        "engine MiB",
        "rsync MiB",
        "KB/cluster",
        "sim raw ap/s",
        "etcd txn/s",
        "% apply",
        "% etcd"
    );
    for r in rows {
        println!(
            "{:>6} {:>8.1} {:>10.2} {:>8.2} {:>10.0} {:>10.1} {:>9.1} {:>10.1} {:>12.0} {:>10.0} {:>7.0}% {:>7.0}%",
            r.n,
            r.setup.as_secs_f64(),
            r.applied.as_secs_f64(),
            r.ready.as_secs_f64(),
            r.applies_per_s(),
            r.engine_kib / 1024.0,
            r.rsync_kib / 1024.0,
            (r.engine_kib + r.rsync_kib) * 1.024 / r.n as f64,
            r.sim_raw,
            r.etcd_raw,
            100.0 * r.applies_per_s() / r.sim_raw,
            100.0 * r.writes_per_s() / r.etcd_raw
        );
    }
    println!(
        "engine MiB: this process's VmHWM (peak reset per size), which includes the benchmark driver; \
         KB/cluster = (engine + rsync peak) / N; % apply = applies/s of the raw edgesim SSA rate; \
         % etcd = etcd revisions/s (instantiate→Applied) of the raw txn rate."
    );
}

/// One size, on fresh servers.
async fn run(args: &Args, bin: &Path, n: usize) -> anyhow::Result<Row> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let etcd = EtcdServer::start().await?;
    let nats = NatsServer::start().await?;
    let sim = Process::edgesim(&bin.join("edgesim"), n).await?;
    // The engine: etcd as the context store, the resource store embedded, events on JetStream.
    let (store, _) = stack::embedded(&dir.path().join("canopy.redb"))?;
    let ctx: Arc<dyn ContextStore> = Arc::new(
        canopy_engine::context::etcd::Config::new([etcd.endpoint()])
            .connect()
            .await?,
    );
    let bus = open_bus(&BusConfig::Nats {
        url: nats.url(),
        stream: Default::default(),
    })
    .await?;
    let config = stack::Config {
        remote: remote::Config {
            deadline: Duration::from_secs(60),
            ..remote::Config::default()
        },
        ..stack::Config::default()
    };
    let Stack { api, runner, relay } = Stack::new(store.clone(), ctx.clone(), bus, config);
    runner.resume_all().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let engine = Engine {
        base: format!("http://{}/v2", listener.local_addr()?),
        http: reqwest::Client::new(),
    };
    let app = api::app(api);
    let server = AbortOnDrop(tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    }));
    let relay = AbortOnDrop(tokio::spawn(relay.run(std::future::pending())));

    // rsync.
    let port = free_port()?;
    let mut rsync_process = None;
    let mut _rsync_in_process = None;
    if args.rsync_process {
        rsync_process = Some(Process::rsync(
            &bin.join("canopy"),
            &etcd.endpoint(),
            &nats.url(),
            &engine.base,
            port,
            args.max_clusters,
            args.h2c,
        )?);
    } else {
        let queue = canopy_rsync::queue::JetStreamQueue::open(
            nats.connect().await?,
            Duration::from_secs(30),
        )
        .await?;
        let parts = canopy_rsync::Parts {
            store: ctx.clone(),
            queue: Arc::new(queue),
            kubeconfigs: Arc::new(canopy_rsync::kubeconfig::StoreKubeconfigs(store.clone())),
            config: canopy_rsync::Config {
                max_clusters: args.max_clusters,
                resync: Duration::ZERO,
                h2c: args.h2c,
                ..canopy_rsync::Config::default()
            },
        };
        let running =
            canopy_rsync::Running::start(parts, format!("127.0.0.1:{port}").parse()?).await?;
        canopy_rsync::register::register(&engine.base, "127.0.0.1", port)
            .await
            .map_err(anyhow::Error::msg)?;
        _rsync_in_process = Some(running);
    }
    let e = &engine;
    engine
        .wait(move || async move { Ok(e.get("/controllers/rsync").await?.0 == 200) })
        .await
        .context("rsync registers")?;

    // Setup: clusters, logical cloud, composite app, DIG.
    let names: Vec<String> = (1..=n).map(|i| format!("edge-{i:05}")).collect();
    engine.register_clusters(&names, sim.url()).await?;
    engine.logical_cloud(&names, ctx.as_ref()).await?;
    engine.composite_app().await?;
    engine.dig(&names).await?;
    let setup = started.elapsed();
    println!("N={n}: setup {:.1} s", setup.as_secs_f64());

    // Measured: instantiate → DIG Instantiated → context Instantiated → all Ready.
    reset_peak_memory();
    let engine_base = proc_kib("self", "VmRSS:")?;
    let rsync_base = match &rsync_process {
        Some(p) => proc_kib(&p.pid().to_string(), "VmRSS:")?,
        None => 0.0,
    };
    let rev0 = ctx.revision().await?.0;
    let wall0 = std::time::SystemTime::now();
    let pids = [
        ("engine+driver", Some(std::process::id())),
        ("rsync", rsync_process.as_ref().map(Process::pid)),
        ("etcd", etcd.pid()),
        ("nats", nats.pid()),
        ("edgesim", Some(sim.pid())),
    ];
    let cpu0 = cpu_seconds(&pids);
    let requests0 = etcd_requests(&etcd.endpoint()).await?;
    let events = events::Events::subscribe(nats.connect().await?).await?;
    let t0 = Instant::now();
    engine
        .expect("POST", DIG, &format!("{DIG}/instantiate"), None, 202)
        .await?;
    // The saga's end: the DIG's record says Instantiated and names the context rsync works on.
    let (saga, id) = loop {
        let record = dig_record(ctx.as_ref()).await?;
        match (record.state, record.status_context) {
            (DigState::Instantiated, Some(id)) => break (t0.elapsed(), id),
            (state, _) if state.as_str().ends_with("Failed") => bail!("the DIG is {state:?}"),
            _ if t0.elapsed() > TIMEOUT => bail!("the DIG stayed {:?}", record.state),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let expected = n * APPS.len();
    let ready = watch_ready(ctx.clone(), id, rev0 + 1, expected, t0);
    print_dig_actions(ctx.as_ref(), wall0, n).await?;
    let applied = loop {
        let state = Reader::open(ctx.as_ref(), id)
            .await
            .ok()
            .map(|r| r.status.state);
        match state {
            Some(State::Instantiated) => break t0.elapsed(),
            Some(State::InstantiateFailed) => bail!("context {id} InstantiateFailed"),
            _ if t0.elapsed() > TIMEOUT => bail!("context {id} stayed {state:?}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let applied_at = ctx.revision().await?;
    let etcd_writes = applied_at.0 - rev0;
    let requests = etcd_requests(&etcd.endpoint()).await?;
    let cpu: Vec<String> = (pids.iter().zip(cpu_seconds(&pids).iter().zip(&cpu0)))
        .map(|((name, _), (after, before))| format!("{name} {:.1} s", after - before))
        .collect();
    println!(
        "N={n}: CPU used from instantiate to Applied ({:.1} s wall, 2 cores): {}",
        applied.as_secs_f64(),
        cpu.join(", ")
    );
    let per_cluster: Vec<String> = requests
        .iter()
        .map(|(method, after)| {
            (
                method,
                after - requests0.get(method).copied().unwrap_or(0.0),
            )
        })
        .filter(|(_, d)| *d > 0.0)
        .map(|(method, d)| format!("{method} {:.2}", d / n as f64))
        .collect();
    println!(
        "N={n}: etcd requests per cluster from instantiate to Applied (every client): {}",
        per_cluster.join(", ")
    );
    print_saga_steps(ctx.as_ref(), id, wall0, n).await?;
    let ready = tokio::time::timeout(TIMEOUT, ready)
        .await
        .context("waiting for all Ready")???;
    let counted = events.finish(ctx.as_ref()).await?;
    println!(
        "N={n}: events on NATS (a subscriber on canopy.>) from instantiate until all Ready and the outbox \
         empty: {} in {:.2} s, {:.0}/s on average, at most {} within any 1-s window",
        counted.total,
        counted.span.as_secs_f64(),
        counted.total as f64 / counted.span.as_secs_f64().max(1e-9),
        counted.peak_per_s
    );
    let engine_kib = proc_kib("self", "VmHWM:")?;
    let rsync_kib = match &rsync_process {
        Some(p) => proc_kib(&p.pid().to_string(), "VmHWM:")?,
        None => 0.0,
    };
    let edgesim_kib = proc_kib(&sim.pid().to_string(), "VmHWM:")?;
    // After the peaks are read: the status query's answer is built in the engine.
    let statuses = ctx.range(&ContextKeys::new(id).statuses()).await?.kvs;
    println!(
        "N={n}: st/ keys: {}, {:.1} MiB of values",
        statuses.len(),
        statuses.iter().map(|kv| kv.value.len()).sum::<usize>() as f64 / (1 << 20) as f64
    );
    drop(statuses);
    writes::print_writes(ctx.as_ref(), Revision(rev0 + 1), applied_at, n).await?;
    for query in ["status=ready&output=summary", "status=ready&output=all"] {
        let figures = rest::status_query(&engine, query, n).await?;
        println!("N={n}: {figures}");
    }
    // rsync is idle now (resync off); stop it so the limits run alone.
    drop(rsync_process);
    drop(_rsync_in_process);

    let sim_raw = ssa_limit(sim.url(), &names).await?;
    let etcd_raw = etcd_limit(ctx.clone()).await?;
    println!("N={n}: raw limits: edgesim SSA {sim_raw:.0} applies/s, etcd {etcd_raw:.0} txn/s");
    drop((server, relay));
    Ok(Row {
        n,
        setup,
        saga,
        applied,
        ready,
        engine_kib,
        rsync_kib,
        edgesim_kib,
        engine_base,
        rsync_base,
        etcd_writes,
        sim_raw,
        etcd_raw,
    })
}
