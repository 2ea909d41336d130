//! The server: binds, creates the initial clusters, and serves connections until shutdown. A connection
//! speaks HTTP/1.1, or HTTP/2 with prior knowledge (h2c: the client opens with the HTTP/2 preface), as
//! the client chooses.
//!
//! It runs its own accept loop over hyper rather than `axum::serve` so that a response marked
//! [`api::Refused`] can close the connection without an answer: under HTTP/2 too, where a failed request
//! would otherwise only reset its own stream.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::api::{self, AppState, Refused};
use crate::cluster::Cluster;
use crate::fleet::{self, Fleet};
use crate::kubeconfig;

/// How long open connections (watches, hanging requests) may finish after shutdown before they are aborted.
const GRACE: Duration = Duration::from_secs(1);

/// A failed server start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding the listen address failed.
    #[error("binding {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The initial cluster range is invalid.
    #[error("creating the initial clusters")]
    Clusters(#[source] fleet::Error),
    /// Writing a kubeconfig failed.
    #[error("writing the initial kubeconfigs")]
    Kubeconfig(#[source] kubeconfig::Error),
}

/// How to start a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Clusters to create at start: a name or a range such as `edge-0001..edge-0100`.
    pub clusters: Option<String>,
    /// Directory for one kubeconfig per cluster, written at creation.
    pub kubeconfig_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clusters: None,
            kubeconfig_dir: None,
        }
    }
}

impl Config {
    /// Binds the listener and creates the initial clusters (and their kubeconfigs).
    pub async fn build(self) -> Result<Server, Error> {
        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: self.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: self.listen,
            source,
        })?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let state = AppState {
            fleet: Fleet::default(),
            base_url: format!("http://{host}:{}", addr.port()),
            kubeconfig_dir: self.kubeconfig_dir,
        };
        if let Some(range) = &self.clusters {
            for name in fleet::expand(range).map_err(Error::Clusters)? {
                state.fleet.create(&name).map_err(Error::Clusters)?;
                if let Some(dir) = &state.kubeconfig_dir {
                    kubeconfig::write(dir, &state.base_url, &name).map_err(Error::Kubeconfig)?;
                }
            }
        }
        Ok(Server {
            listener,
            addr,
            state,
            accepted: Arc::default(),
        })
    }
}

/// A bound server, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    accepted: Arc<AtomicU64>,
}

/// A cheap-clone handle to a server's clusters, for tests and embedding.
#[derive(Debug, Clone)]
pub struct Handle {
    state: AppState,
    addr: SocketAddr,
    accepted: Arc<AtomicU64>,
}

impl Handle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many connections the server has accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// The base URL, such as `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.state.base_url
    }

    /// The clusters.
    pub fn fleet(&self) -> &Fleet {
        &self.state.fleet
    }

    /// The named cluster.
    pub fn cluster(&self, name: &str) -> Option<Arc<Cluster>> {
        self.state.fleet.get(name)
    }

    /// The kubeconfig YAML for one cluster.
    pub fn kubeconfig(&self, cluster: &str) -> String {
        kubeconfig::render(&self.state.base_url, cluster)
    }
}

/// The connection was closed on purpose: the cluster is injected as unreachable.
#[derive(Debug, thiserror::Error)]
#[error("virtual cluster unreachable: connection closed")]
struct Refusal;

/// Serves one connection until it ends or a request on it is refused; a refusal drops the connection, so
/// the client sees it closed, whichever protocol it spoke.
async fn serve_connection(stream: tokio::net::TcpStream, router: axum::Router) {
    let refused = Arc::new(tokio::sync::Notify::new());
    let on_refusal = refused.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let router = router.clone();
        let on_refusal = on_refusal.clone();
        async move {
            let response = router
                .oneshot(req.map(axum::body::Body::new))
                .await
                .unwrap_or_else(|e| match e {});
            if response.extensions().get::<Refused>().is_some() {
                on_refusal.notify_one();
                Err(Refusal)
            } else {
                Ok(response)
            }
        }
    });
    let builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        ended = connection => {
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended");
            }
        }
        () = refused.notified() => tracing::debug!("connection closed: the cluster is unreachable"),
    }
}

impl Server {
    /// A handle to this server.
    pub fn handle(&self) -> Handle {
        Handle {
            state: self.state.clone(),
            addr: self.addr,
            accepted: self.accepted.clone(),
        }
    }

    /// Serves until `shutdown` completes; then stops accepting, lets connections finish for a grace period
    /// and aborts the rest.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let router = api::router(self.state.clone());
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let stream = match accepted {
                        Ok((stream, _)) => stream,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    };
                    self.accepted.fetch_add(1, Ordering::Relaxed);
                    let router = router.clone();
                    connections.spawn(serve_connection(stream, router));
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        let drain = async { while connections.join_next().await.is_some() {} };
        if tokio::time::timeout(GRACE, drain).await.is_err() {
            connections.abort_all();
        }
    }
}
