//! `canopy engine`: serves the API on one port until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api::{self, Limits};
use crate::context::ContextStore;
use crate::events::Bus;
use crate::events::bus::{MemoryBus, jetstream};
use crate::stack::{self, Stack};
use crate::store::ResourceStore;

/// EMCO's orchestrator port, canopy's default.
pub const DEFAULT_PORT: u16 = 9015;

/// The file of the embedded store inside the data directory.
pub const STORE_FILE: &str = "canopy.redb";

/// Where the resource store lives.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// The embedded store, in `<dir>/canopy.redb`.
    Embedded {
        /// The data directory.
        dir: PathBuf,
    },
    /// MongoDB.
    Mongo {
        /// Connection string.
        uri: String,
        /// Database name.
        database: String,
    },
}

/// Where lifecycle state and AppContexts live.
#[derive(Debug, Clone)]
pub enum ContextConfig {
    /// The embedded context store, in the same `canopy.redb` file as the embedded resource store.
    Embedded,
    /// etcd.
    Etcd {
        /// Client URLs.
        endpoints: Vec<String>,
    },
}

/// Where events are published.
#[derive(Debug, Clone)]
pub enum BusConfig {
    /// In process (the embedded mode); subscribers in the same process only.
    Memory,
    /// NATS JetStream, stream `CANOPY_EVENTS`.
    Nats {
        /// Server URL.
        url: String,
        /// The stream's retention and publish settings; the stream is created or updated to them.
        stream: jetstream::Config,
    },
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Resource store.
    pub store: StoreConfig,
    /// Context store.
    pub context: ContextConfig,
    /// Event bus.
    pub bus: BusConfig,
    /// The data directory (the embedded file lives here).
    pub data_dir: PathBuf,
    /// Limits, deadlines and retries.
    pub stack: stack::Config,
}

/// Serving failed to start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data directory could not be made.
    #[error("creating data directory {dir}")]
    DataDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The store could not be opened.
    #[error("opening the resource store")]
    Store(#[source] crate::store::Error),
    /// The embedded file could not be opened.
    #[error(transparent)]
    Embedded(#[from] stack::EmbeddedError),
    /// etcd could not be reached.
    #[error("connecting to etcd")]
    Etcd(#[source] crate::context::Error),
    /// NATS could not be reached, or its JetStream stream could not be made.
    #[error("connecting to NATS at {url}: {message}")]
    Nats {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// Pending events could not be settled.
    #[error("settling pending events")]
    Announcements(#[source] api::announce::Error),
    /// Unfinished sagas could not be read.
    #[error("resuming unfinished sagas")]
    Resume(#[source] crate::lifecycle::Error),
    /// The address could not be bound.
    #[error("listening on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("serving HTTP")]
    Serve(#[source] std::io::Error),
}

/// Opens the configured stores: the embedded ones share one redb file.
pub async fn open_stores(config: &Config) -> Result<stack::Stores, Error> {
    let embedded_needed = matches!(config.store, StoreConfig::Embedded { .. })
        || matches!(config.context, ContextConfig::Embedded);
    let embedded = if embedded_needed {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| Error::DataDir {
            dir: config.data_dir.clone(),
            source,
        })?;
        Some(stack::embedded(&config.data_dir.join(STORE_FILE))?)
    } else {
        None
    };
    let store: Arc<dyn ResourceStore> = match &config.store {
        StoreConfig::Embedded { .. } => embedded.as_ref().expect("opened above").0.clone(),
        StoreConfig::Mongo { uri, database } => Arc::new(
            crate::store::mongo::MongoStore::connect(uri, database)
                .await
                .map_err(Error::Store)?,
        ),
    };
    let ctx: Arc<dyn ContextStore> = match &config.context {
        ContextConfig::Embedded => embedded.as_ref().expect("opened above").1.clone(),
        ContextConfig::Etcd { endpoints } => Arc::new(
            crate::context::etcd::Config::new(endpoints.clone())
                .connect()
                .await
                .map_err(Error::Etcd)?,
        ),
    };
    Ok((store, ctx))
}

/// Opens the configured bus. With NATS, the stream is created or updated to the configured retention; a
/// server without JetStream is an error that says how to enable it.
pub async fn open_bus(config: &BusConfig) -> Result<Arc<dyn Bus>, Error> {
    match config {
        BusConfig::Memory => Ok(Arc::new(MemoryBus::new(MEMORY_BUS_EVENTS))),
        BusConfig::Nats { url, stream } => {
            let nats = |message: String| Error::Nats {
                url: url.clone(),
                message,
            };
            let client = async_nats::connect(url.as_str())
                .await
                .map_err(|e| nats(e.to_string()))?;
            let bus = stream
                .clone()
                .build(client)
                .await
                .map_err(|e| nats(crate::lifecycle::saga::chain(&e)))?;
            Ok(Arc::new(bus))
        }
    }
}

/// How many events the in-process bus keeps for replay.
pub const MEMORY_BUS_EVENTS: usize = 100_000;

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    stack: Stack,
}

impl Server {
    /// Opens the stores and the bus, and binds the address.
    pub async fn bind(config: Config) -> Result<Self, Error> {
        let stores = open_stores(&config).await?;
        let bus = open_bus(&config.bus).await?;
        Self::bind_over(config, stores, bus).await
    }

    /// Binds the address and serves over stores and a bus the caller opened (with [`open_stores`] and
    /// [`open_bus`]): `canopy serve` shares the same stores with rsync in one process.
    pub async fn bind_over(
        config: Config,
        (store, ctx): stack::Stores,
        bus: Arc<dyn Bus>,
    ) -> Result<Self, Error> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Listen {
                addr: config.listen,
                source,
            })?;
        Ok(Self {
            listener,
            stack: Stack::new(store, ctx, bus, config.stack),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The REST API's shared state: `canopy serve` sends requests through [`api::app`] in process with it
    /// (registrations that must exist before [`Server::run`] resumes sagas that call controllers).
    pub fn api(&self) -> &api::Api {
        &self.stack.api
    }

    /// Resumes unfinished sagas, runs the outbox relay, and serves until `shutdown` completes; then finishes
    /// the requests in flight and stops the sagas, which the next start resumes.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let Stack { api, runner, relay } = self.stack;
        let (promoted, dropped) = api::announce::recover(api.store.as_ref(), api.ctx.as_ref())
            .await
            .map_err(Error::Announcements)?;
        if promoted + dropped > 0 {
            tracing::info!(
                promoted,
                dropped,
                "settled the pending events of a previous run"
            );
        }
        let resumed = runner.resume_all().await.map_err(Error::Resume)?;
        tracing::info!(addr = %self.listener.local_addr().map_err(Error::Serve)?, resumed, "canopy engine serving the EMCO v2 API");
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let relay_task = tokio::spawn(async move {
            let mut stop_rx = stop_rx;
            relay
                .run(async move {
                    let _ = stop_rx.wait_for(|stop| *stop).await;
                })
                .await;
        });
        let app = api::app(api).layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        );
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::Serve);
        runner.abort_all();
        let _ = stop_tx.send(true);
        let _ = relay_task.await;
        served
    }
}

/// `canopy engine`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Address to serve the API on.
    #[arg(long, value_name = "ADDR", default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub listen: SocketAddr,
    /// Directory of the embedded store (`canopy.redb`), used for whatever --mongo and --etcd do not take.
    #[arg(long, value_name = "DIR", default_value = "./canopy-data")]
    pub data_dir: PathBuf,
    /// Keep resources in MongoDB (a replica set; transactions are used) instead of the embedded store.
    #[arg(long, value_name = "URL", env = "CANOPY_MONGO")]
    pub mongo: Option<String>,
    /// Keep lifecycle state and AppContexts in etcd (comma-separated client URLs) instead of the embedded
    /// store.
    #[arg(long, value_name = "URLS", env = "CANOPY_ETCD", value_delimiter = ',')]
    pub etcd: Vec<String>,
    /// Publish events to NATS JetStream (stream CANOPY_EVENTS) instead of the in-process bus.
    #[arg(long, value_name = "URL", env = "CANOPY_NATS")]
    pub nats: Option<String>,
    /// How long the stream CANOPY_EVENTS keeps events (with --nats): a whole number and s, m, h or d;
    /// 0s keeps them until --events-max-bytes pushes them out.
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = crate::duration::parse)]
    pub events_max_age: std::time::Duration,
    /// The most bytes the stream CANOPY_EVENTS keeps, the oldest events going first (with --nats).
    /// Unlimited when absent.
    #[arg(long, value_name = "BYTES")]
    pub events_max_bytes: Option<u64>,
    /// How long a controller or rsync call may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub controller_deadline: u64,
    /// MongoDB database name.
    #[arg(long, value_name = "NAME", default_value = "canopy")]
    pub mongo_database: String,
    /// Largest JSON request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().json_bytes)]
    pub max_json_bytes: usize,
    /// Largest multipart request (chart uploads), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().upload_bytes)]
    pub max_upload_bytes: usize,
}

impl From<Args> for Config {
    fn from(args: Args) -> Self {
        let store = match args.mongo {
            Some(uri) => StoreConfig::Mongo {
                uri,
                database: args.mongo_database,
            },
            None => StoreConfig::Embedded {
                dir: args.data_dir.clone(),
            },
        };
        let context = if args.etcd.is_empty() {
            ContextConfig::Embedded
        } else {
            ContextConfig::Etcd {
                endpoints: args.etcd,
            }
        };
        let bus = match args.nats {
            Some(url) => BusConfig::Nats {
                url,
                stream: jetstream::Config {
                    max_age: args.events_max_age,
                    max_bytes: args.events_max_bytes,
                    ..jetstream::Config::default()
                },
            },
            None => BusConfig::Memory,
        };
        let mut stack = stack::Config {
            limits: Limits {
                json_bytes: args.max_json_bytes,
                upload_bytes: args.max_upload_bytes,
            },
            ..stack::Config::default()
        };
        stack.remote.deadline = std::time::Duration::from_secs(args.controller_deadline);
        Config {
            listen: args.listen,
            store,
            context,
            bus,
            data_dir: args.data_dir,
            stack,
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn stop_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("stop signal received; finishing requests in flight");
}
