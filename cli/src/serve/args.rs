//! `canopy serve`'s command line and the [`Config`] it gives.

use std::time::Duration;

use canopy_engine::server;

use super::demo;

/// The drift resync period without `--resync`.
pub const RESYNC: Duration = Duration::from_secs(600);

/// The drift resync period with `--demo` and without `--resync`: edgesim forgets its objects when the
/// process stops, and a resync applies the deployed resources again after a restart.
pub const DEMO_RESYNC: Duration = Duration::from_secs(30);

/// How long rsync's JetStream tasks may go unacknowledged (with `--nats`), as `canopy rsync --ack-wait`.
pub const ACK_WAIT: Duration = Duration::from_secs(30);

/// `canopy serve`: the engine's flags, plus `--demo`, `--resync` and `--max-clusters`.
// No argument group of its own: the flattened engine `Args` already takes the group name `Args`.
#[derive(Debug, Clone, clap::Args)]
#[group(skip)]
pub struct Args {
    /// The engine's flags: --listen, --data-dir, --etcd, --nats, --mongo and the limits.
    #[command(flatten)]
    pub engine: server::Args,
    /// Also start N simulated edge clusters (edgesim, in memory, on a loopback port) and register them as
    /// demo-1..demo-N under the cluster provider `demo`, labelled region-east and region-west in turn, in
    /// the instantiated logical cloud `demo` of the project `demo`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=demo::MAX_CLUSTERS as i64))]
    pub demo: Option<u32>,
    /// rsync's drift resync period in seconds (0 = off); 600 by default, 30 with --demo.
    #[arg(long, value_name = "SECONDS")]
    pub resync: Option<u64>,
    /// How many clusters rsync works on at once.
    #[arg(long, value_name = "N", default_value_t = RSYNC_MAX_CLUSTERS)]
    pub max_clusters: usize,
}

/// What [`super::start`] starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The engine: API address, data directory, stores and bus. rsync uses the same context store, and
    /// JetStream for its tasks when the bus is NATS.
    pub engine: server::Config,
    /// rsync's tunables.
    pub rsync: canopy_rsync::Config,
    /// How long a JetStream task may go unacknowledged before another worker gets it.
    pub ack_wait: Duration,
    /// The demo clusters, if any.
    pub demo: Option<demo::Config>,
}

impl Config {
    /// The embedded mode on `data_dir` (stores in `canopy.redb`, events in process), serving the API on
    /// `listen`, with `demo` clusters when given; everything else at its default.
    pub fn embedded(
        listen: std::net::SocketAddr,
        data_dir: impl Into<std::path::PathBuf>,
        demo: Option<u32>,
    ) -> Self {
        let data_dir = data_dir.into();
        Self {
            engine: server::Config {
                listen,
                store: server::StoreConfig::Embedded {
                    dir: data_dir.clone(),
                },
                context: server::ContextConfig::Embedded,
                bus: server::BusConfig::Memory,
                data_dir,
                stack: canopy_engine::stack::Config::default(),
            },
            rsync: rsync_config(RSYNC_MAX_CLUSTERS, resync(None, demo)),
            ack_wait: ACK_WAIT,
            demo: demo.map(|clusters| demo::Config { clusters }),
        }
    }
}

/// How many clusters rsync works on at once without `--max-clusters`.
pub const RSYNC_MAX_CLUSTERS: usize = 256;

/// The resync period: `--resync` when given, else [`DEMO_RESYNC`] with `--demo`, else [`RESYNC`].
fn resync(seconds: Option<u64>, demo: Option<u32>) -> Duration {
    match (seconds, demo) {
        (Some(seconds), _) => Duration::from_secs(seconds),
        (None, Some(_)) => DEMO_RESYNC,
        (None, None) => RESYNC,
    }
}

fn rsync_config(max_clusters: usize, resync: Duration) -> canopy_rsync::Config {
    canopy_rsync::Config {
        max_clusters,
        resync,
        keep_alive: ACK_WAIT / 3,
        ..canopy_rsync::Config::default()
    }
}

impl From<Args> for Config {
    fn from(args: Args) -> Self {
        Self {
            engine: args.engine.into(),
            rsync: rsync_config(args.max_clusters, resync(args.resync, args.demo)),
            ack_wait: ACK_WAIT,
            demo: args.demo.map(|n| demo::Config { clusters: n }),
        }
    }
}
