//! `canopy rsync`'s command line, and running it: rsync as its own process, against etcd (the context
//! store the engine uses) and, for more than one replica, NATS JetStream (the shared task queue).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use canopy_engine::context::ContextStore;

use crate::backoff::Backoff;
use crate::config::Config;
use crate::kubeconfig::RestKubeconfigs;
use crate::queue::{EmbeddedQueue, JetStreamQueue, Queue};
use crate::server::{Parts, Running};

/// `canopy rsync`.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Address to serve gRPC on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:9031")]
    pub listen: SocketAddr,
    /// etcd client URLs (comma-separated): the context store the engine uses.
    #[arg(
        long,
        value_name = "URLS",
        env = "CANOPY_ETCD",
        value_delimiter = ',',
        required = true
    )]
    pub etcd: Vec<String>,
    /// NATS URL: tasks go on the JetStream work queue CANOPY_RSYNC_TASKS, shared by every replica. Without
    /// it the queue is kept in etcd and only one replica may run.
    #[arg(long, value_name = "URL", env = "CANOPY_NATS")]
    pub nats: Option<String>,
    /// The engine's API base (for kubeconfigs and registration), e.g. http://127.0.0.1:9015/v2.
    #[arg(long, value_name = "URL", env = "CANOPY_ENGINE")]
    pub engine: String,
    /// Register with the engine as the controller `rsync` at this host:port (default: don't register).
    #[arg(long, value_name = "HOST:PORT")]
    pub advertise: Option<String>,
    /// How many clusters this process works on at once.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_clusters: usize,
    /// First retry delay bound for an unreachable cluster, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub backoff_base_ms: u64,
    /// Largest retry delay bound, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub backoff_cap: u64,
    /// Give a cluster up after this many retries (default: retry until stopped or terminated).
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// Drift resync period in seconds; 0 turns it off.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub resync: u64,
    /// How long a task may go without an ack or keep-alive before the queue hands it to another worker,
    /// in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub ack_wait: u64,
    /// Speak HTTP/2 with prior knowledge (h2c) to clusters whose server URL is http:// (edgesim speaks
    /// it): one connection per cluster instead of one per watched kind. TLS clusters are not affected.
    #[arg(long)]
    pub h2c: bool,
}

impl Args {
    /// The tunables these arguments give.
    pub fn config(&self) -> Config {
        Config {
            max_clusters: self.max_clusters,
            backoff: Backoff {
                base: Duration::from_millis(self.backoff_base_ms),
                cap: Duration::from_secs(self.backoff_cap),
            },
            max_retries: self.max_retries,
            resync: Duration::from_secs(self.resync),
            keep_alive: Duration::from_secs((self.ack_wait / 3).max(1)),
            h2c: self.h2c,
            ..Config::default()
        }
    }
}

/// Runs `canopy rsync` until `stop` resolves.
pub async fn run(args: Args, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
    let store: Arc<dyn ContextStore> = Arc::new(
        canopy_engine::context::etcd::Config::new(args.etcd.clone())
            .connect()
            .await
            .map_err(|e| anyhow::anyhow!("connecting to etcd {:?}: {e}", args.etcd))?,
    );
    let queue: Arc<dyn Queue> = match &args.nats {
        Some(url) => {
            let client = async_nats::connect(url.as_str())
                .await
                .map_err(|e| anyhow::anyhow!("connecting to NATS {url}: {e}"))?;
            Arc::new(JetStreamQueue::open(client, Duration::from_secs(args.ack_wait)).await?)
        }
        None => Arc::new(EmbeddedQueue::open(store.clone()).await?),
    };
    let parts = Parts {
        store,
        queue,
        kubeconfigs: Arc::new(RestKubeconfigs::new(args.engine.clone())),
        config: args.config(),
    };
    let running = Running::start(parts, args.listen).await?;
    if let Some(advertise) = &args.advertise {
        let (host, port) = advertise
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
            .ok_or_else(|| anyhow::anyhow!("--advertise {advertise:?} must be HOST:PORT"))?;
        crate::register::register(&args.engine, &host, port)
            .await
            .map_err(|e| anyhow::anyhow!("registering with the engine: {e}"))?;
        tracing::info!(%advertise, "registered with the engine as rsync");
    }
    stop.await;
    running.stop().await;
    Ok(())
}
