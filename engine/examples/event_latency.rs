//! Benchmark: how long a lifecycle event takes from the context-store commit of its transition to a NATS
//! subscriber, through the real outbox, relay and JetStream bus, on a real etcd and nats-server started by
//! the test harness.
//!
//! Each transition is what the lifecycle commits: read the DIG's runtime record, push the new state, and
//! compare-and-swap it on its mod revision with the event staged by `Outbox::stage_in` in the same
//! transaction (retried on a lost swap, as the lifecycle does). The clock starts when that transaction
//! returns and stops when a core-NATS subscriber on `canopy.>` (its own connection) receives the event,
//! matched by event id. The relay (`relay::Config::build(..).run(..)`) runs in this process.
//!
//! Two modes, each on fresh servers after a warm-up of 200 transitions:
//! - `paced`: `--rate` transitions a second (the latency a subscriber sees in steady state);
//! - `burst`: all `--count` at once, `--concurrency` transactions in flight (queueing included).
//!
//! ```text
//! export CANOPY_ETCD_BIN=... CANOPY_NATS_BIN=...
//! cargo run --release -p canopy-engine --example event_latency -- --count 10000 --rate 1000
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use canopy_engine::context::{Compare, ContextStore, Op, Txn, etcd};
use canopy_engine::events::bus::{Bus, jetstream};
use canopy_engine::events::{Outbox, relay};
use canopy_engine::lifecycle::{DigId, DigRecord, Target};
use canopy_schemas::event::Event;
use canopy_schemas::{ContextId, DigState, EventId};
use canopy_tests::{EtcdServer, NatsServer};
use clap::{Parser, ValueEnum};
use futures::StreamExt;
use tokio::task::JoinSet;

/// The states each DIG cycles through, one transition each.
const CYCLE: [DigState; 5] = [
    DigState::Approved,
    DigState::Instantiating,
    DigState::Instantiated,
    DigState::Terminating,
    DigState::Terminated,
];
const WARM_UP: usize = 200;
const DEADLINE: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Mode {
    Paced,
    Burst,
}

/// Event latency from commit to subscriber.
#[derive(Debug, Parser)]
struct Args {
    /// Transitions per mode.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Transitions a second in the paced mode.
    #[arg(long, default_value_t = 1_000)]
    rate: u32,
    /// Transactions in flight in the burst mode.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// DIGs the transitions are spread over (transitions of one DIG are serialised by its record).
    #[arg(long, default_value_t = 1_000)]
    digs: usize,
    /// Modes to run, in order.
    #[arg(long, value_delimiter = ',', default_value = "paced,burst")]
    modes: Vec<Mode>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    for &mode in &args.modes {
        let figures = run(&args, mode).await?;
        figures.print(mode, &args);
    }
    Ok(())
}

/// The running system of one mode: servers, store, relay and a subscriber connection.
struct System {
    _etcd: EtcdServer,
    _nats: NatsServer,
    ctx: Arc<dyn ContextStore>,
    subscriber: async_nats::Client,
    _relay: tokio::task::JoinHandle<()>,
}

impl System {
    async fn start() -> anyhow::Result<Self> {
        let etcd = EtcdServer::start().await?;
        let nats = NatsServer::start().await?;
        let ctx: Arc<dyn ContextStore> =
            Arc::new(etcd::Config::new([etcd.endpoint()]).connect().await?);
        let bus: Arc<dyn Bus> = Arc::new(
            jetstream::Config::default()
                .build(nats.connect().await?)
                .await?,
        );
        let relay = tokio::spawn(
            relay::Config::default()
                .build(ctx.clone(), bus)
                .run(std::future::pending()),
        );
        let subscriber = nats.connect().await?;
        Ok(Self {
            _etcd: etcd,
            _nats: nats,
            ctx,
            subscriber,
            _relay: relay,
        })
    }
}

/// One lifecycle transition of DIG `n`, committed with its event; the event's id and the instant the
/// transaction returned.
async fn transition(ctx: &dyn ContextStore, n: usize) -> anyhow::Result<(EventId, Instant)> {
    let target = Target::Dig(DigId {
        project: "proj".parse()?,
        composite_app: "ca".parse()?,
        version: "v1".parse()?,
        dig: format!("dig-{n:05}").parse()?,
    });
    let key = target.key();
    loop {
        let current = ctx.get(&key).await?;
        let (mut record, guard) = match &current {
            Some(kv) => (
                DigRecord::decode(&key, &kv.value)?,
                Compare::mod_revision(key.clone(), kv.mod_revision),
            ),
            None => (DigRecord::default(), Compare::absent(key.clone())),
        };
        let from = record.state;
        let to = CYCLE[(record.actions.len()) % CYCLE.len()];
        let revision = record.next_revision();
        let context = ContextId::new(n as u64 + 1);
        record.push(to, Some(context), Some(revision), None);
        let event: Event = target.event(from, to, Some(revision), Some(context), None);
        let txn = Txn::new()
            .when([guard])
            .and_then([Op::put(key.clone(), record.encode(&key)?)]);
        let response = ctx.txn(Outbox::stage_in(txn, &event)?).await?;
        let committed = Instant::now();
        if response.succeeded {
            return Ok((event.id, committed));
        }
    }
}

/// Receives events on `canopy.>` until `count` distinct ids arrived; the instant each arrived.
async fn subscribe(
    client: &async_nats::Client,
    count: usize,
) -> anyhow::Result<tokio::task::JoinHandle<anyhow::Result<HashMap<EventId, Instant>>>> {
    let mut sub = client.subscribe("canopy.>").await?;
    client.flush().await?;
    Ok(tokio::spawn(async move {
        let mut got = HashMap::with_capacity(count);
        let deadline = tokio::time::sleep(DEADLINE);
        tokio::pin!(deadline);
        while got.len() < count {
            tokio::select! {
                msg = sub.next() => {
                    let msg = msg.context("the subscription ended")?;
                    let at = Instant::now();
                    let event = Event::from_msgpack(&msg.payload)?;
                    // A core subscriber sees a re-publish too; the first arrival counts.
                    got.entry(event.id).or_insert(at);
                }
                () = &mut deadline => bail!("only {} of {count} events arrived", got.len()),
            }
        }
        Ok(got)
    }))
}

/// Writes `count` transitions, paced at `rate` a second or as a burst; the commits.
async fn write(
    ctx: &Arc<dyn ContextStore>,
    mode: Mode,
    args: &Args,
    count: usize,
) -> anyhow::Result<Vec<(EventId, Instant)>> {
    match mode {
        Mode::Burst => futures::stream::iter(0..count)
            .map(|i| {
                let ctx = ctx.clone();
                let n = i % args.digs;
                async move { transition(ctx.as_ref(), n).await }
            })
            .buffer_unordered(args.concurrency)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect(),
        Mode::Paced => {
            let mut tick =
                tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(args.rate)));
            let mut tasks = JoinSet::new();
            for i in 0..count {
                tick.tick().await;
                let ctx = ctx.clone();
                let n = i % args.digs;
                tasks.spawn(async move { transition(ctx.as_ref(), n).await });
            }
            let mut commits = Vec::with_capacity(count);
            while let Some(done) = tasks.join_next().await {
                commits.push(done??);
            }
            Ok(commits)
        }
    }
}

/// What one mode measured.
struct Figures {
    latencies: Vec<Duration>,
    /// Arrivals before their commit returned (counted as 0).
    early: usize,
    /// From the first write to the last commit.
    writing: Duration,
    /// From the first write to the last arrival.
    delivering: Duration,
}

async fn run(args: &Args, mode: Mode) -> anyhow::Result<Figures> {
    let system = System::start().await?;
    // Warm-up: connections, the stream, etcd's and the relay's first batches.
    let warm = subscribe(&system.subscriber, WARM_UP).await?;
    write(&system.ctx, Mode::Burst, args, WARM_UP).await?;
    warm.await??;

    let arrivals = subscribe(&system.subscriber, args.count).await?;
    let start = Instant::now();
    let commits = write(&system.ctx, mode, args, args.count).await?;
    let writing = start.elapsed();
    let arrivals = arrivals.await??;
    let last = arrivals.values().max().copied().context("no arrivals")?;
    let mut latencies = Vec::with_capacity(commits.len());
    let mut early = 0;
    for (id, committed) in &commits {
        let arrived = arrivals.get(id).context("an event without its arrival")?;
        match arrived.checked_duration_since(*committed) {
            Some(d) => latencies.push(d),
            None => {
                early += 1;
                latencies.push(Duration::ZERO);
            }
        }
    }
    ensure!(latencies.len() == args.count, "every event measured");
    latencies.sort();
    Ok(Figures {
        latencies,
        early,
        writing,
        delivering: last.duration_since(start),
    })
}

impl Figures {
    fn at(&self, quantile: f64) -> f64 {
        let i = ((self.latencies.len() as f64 * quantile).ceil() as usize).saturating_sub(1);
        self.latencies[i.min(self.latencies.len() - 1)].as_secs_f64() * 1e3
    }

    fn print(&self, mode: Mode, args: &Args) {
        let n = self.latencies.len();
        let how = match mode {
            Mode::Paced => format!("paced at {}/s", args.rate),
            Mode::Burst => format!("burst, {} in flight", args.concurrency),
        };
        println!(
            "{how}: {n} events over {} DIGs: commit -> subscriber p50 {:.2} ms, p90 {:.2} ms, \
             p99 {:.2} ms, max {:.2} ms",
            args.digs.min(n),
            self.at(0.50),
            self.at(0.90),
            self.at(0.99),
            self.at(1.0),
        );
        println!(
            "{how}: written in {:.2} s ({:.0} commits/s), delivered in {:.2} s ({:.0} events/s){}",
            self.writing.as_secs_f64(),
            n as f64 / self.writing.as_secs_f64(),
            self.delivering.as_secs_f64(),
            n as f64 / self.delivering.as_secs_f64(),
            if self.early > 0 {
                format!(
                    "; {} arrived before their commit returned (counted 0)",
                    self.early
                )
            } else {
                String::new()
            }
        );
    }
}
