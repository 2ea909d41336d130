//! `canopy engine`: serves the API on one port until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api::{self, Api, Limits};
use crate::store::ResourceStore;
use crate::store::embedded::EmbeddedStore;

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

/// How to serve.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Resource store.
    pub store: StoreConfig,
    /// Request size limits.
    pub limits: Limits,
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

/// Opens the configured store.
pub async fn open_store(config: &StoreConfig) -> Result<Arc<dyn ResourceStore>, Error> {
    match config {
        StoreConfig::Embedded { dir } => {
            std::fs::create_dir_all(dir).map_err(|source| Error::DataDir {
                dir: dir.clone(),
                source,
            })?;
            Ok(Arc::new(
                EmbeddedStore::open(dir.join(STORE_FILE)).map_err(Error::Store)?,
            ))
        }
        StoreConfig::Mongo { uri, database } => {
            let store = crate::store::mongo::MongoStore::connect(uri, database)
                .await
                .map_err(Error::Store)?;
            Ok(Arc::new(store))
        }
    }
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    api: Api,
}

impl Server {
    /// Opens the store and binds the address.
    pub async fn bind(config: Config) -> Result<Self, Error> {
        let store = open_store(&config.store).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Listen {
                addr: config.listen,
                source,
            })?;
        Ok(Self {
            listener,
            api: Api::new(store, config.limits),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        tracing::info!(addr = %self.local_addr(), "canopy engine serving the EMCO v2 API");
        let app = api::app(self.api).layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        );
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::Serve)
    }
}

/// `canopy engine`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Address to serve the API on.
    #[arg(long, value_name = "ADDR", default_value_t = SocketAddr::from(([0, 0, 0, 0], DEFAULT_PORT)))]
    pub listen: SocketAddr,
    /// Directory of the embedded store (`canopy.redb`), used unless --mongo is given.
    #[arg(long, value_name = "DIR", default_value = "./canopy-data")]
    pub data_dir: PathBuf,
    /// Keep resources in MongoDB (a replica set; transactions are used) instead of the embedded store.
    #[arg(long, value_name = "URL", env = "CANOPY_MONGO")]
    pub mongo: Option<String>,
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
            None => StoreConfig::Embedded { dir: args.data_dir },
        };
        Config {
            listen: args.listen,
            store,
            limits: Limits {
                json_bytes: args.max_json_bytes,
                upload_bytes: args.max_upload_bytes,
            },
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
