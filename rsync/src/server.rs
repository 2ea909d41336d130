//! One rsync process, assembled: the gRPC service, the workers, the supervisor and start-up recovery.

use std::net::SocketAddr;
use std::sync::Arc;

use canopy_engine::context::ContextStore;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::config::Config;
use crate::intake::Intake;
use crate::kubeconfig::Kubeconfigs;
use crate::queue::Queue;
use crate::runtime::Runtime;
use crate::service::Service;
use crate::{recover, supervisor, worker};

/// What an rsync process is made of.
pub struct Parts {
    /// The context store.
    pub store: Arc<dyn ContextStore>,
    /// The task queue.
    pub queue: Arc<dyn Queue>,
    /// Where kubeconfigs come from.
    pub kubeconfigs: Arc<dyn Kubeconfigs>,
    /// Tunables.
    pub config: Config,
}

/// rsync could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Recovery could not read the store.
    #[error("recovering unfinished work: {0}")]
    Recover(String),
}

/// A running rsync.
pub struct Running {
    addr: SocketAddr,
    shutdown: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    runtime: Arc<Runtime>,
}

impl Running {
    /// Starts rsync on `listen`: recovers unfinished work, then serves.
    pub async fn start(parts: Parts, listen: SocketAddr) -> Result<Self, StartError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: listen,
            source,
        })?;
        let supervise_every = parts.config.supervise_every;
        let runtime = Runtime::new(
            parts.store.clone(),
            parts.queue.clone(),
            parts.kubeconfigs,
            parts.config,
        );
        let intake = Intake::new(parts.store.clone(), parts.queue);
        let requeued = recover::requeue(&parts.store, &intake)
            .await
            .map_err(StartError::Recover)?;
        if requeued > 0 {
            tracing::info!(requeued, "unfinished operations queued again");
        }
        let shutdown = CancellationToken::new();
        let mut tasks = Vec::new();
        tasks.push(tokio::spawn(worker::run(runtime.clone(), shutdown.clone())));
        tasks.push(tokio::spawn(supervisor::run(
            parts.store.clone(),
            runtime.registry.clone(),
            supervise_every,
            shutdown.clone(),
        )));
        let rewatching = runtime.clone();
        tasks.push(tokio::spawn(async move {
            recover::rewatch(rewatching).await;
        }));
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            let served = Server::builder()
                .add_service(Service::server(intake))
                .serve_with_incoming_shutdown(TcpIncoming::from(listener), stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!("rsync gRPC server: {e}");
            }
        }));
        tracing::info!(%addr, "rsync serving");
        Ok(Self {
            addr,
            shutdown,
            tasks,
            runtime,
        })
    }

    /// The address the gRPC service listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared runtime (for tests and benchmarks: the monitor, the client cache).
    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// Stops serving and taking tasks, cancels the work in flight, and waits for the loops to end. Tasks
    /// that were not acked are delivered again to another replica, or at the next start.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.runtime.registry.cancel_all();
        self.runtime.monitor.stop();
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
