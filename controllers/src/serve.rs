//! The server harness: bind, report the bound address, serve one controller, and shut down in two phases
//! (stop taking calls and let the calls in flight finish; after a grace period, stop waiting).
//!
//! Stopping waiting is not aborting: tonic runs each connection in a task of its own, which the harness
//! cannot reach, so a call still running after the grace period runs on until it ends or the runtime stops.
//! The listener is closed either way.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::action::ActionController;
use crate::grpc::{ActionService, PlacementService};
use crate::placement::PlacementController;

/// How long calls in flight may take to finish once shutdown is asked for: EMCO's controller call deadline.
pub const GRACE: Duration = Duration::from_secs(10);

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address could not be bound.
    #[error("binding {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The bound listener has no local address.
    #[error("reading the bound address")]
    LocalAddr(#[source] std::io::Error),
    /// The gRPC server stopped with an error.
    #[error("serving gRPC")]
    Transport(#[source] tonic::transport::Error),
    /// Calls were still in flight when the grace period ended.
    #[error("calls still in flight {0:?} after shutdown was asked for")]
    GraceExceeded(Duration),
    /// The server task panicked or was cancelled.
    #[error("the server task ended abnormally")]
    Task(#[source] tokio::task::JoinError),
}

/// The controller a server serves: the closed set of controller kinds.
#[derive(Clone)]
pub enum Controller {
    /// A placement controller.
    Placement(Arc<dyn PlacementController>),
    /// An action controller.
    Action(Arc<dyn ActionController>),
}

impl Controller {
    /// Wraps a placement controller.
    pub fn placement(controller: impl PlacementController) -> Self {
        Self::Placement(Arc::new(controller))
    }

    /// Wraps an action controller.
    pub fn action(controller: impl ActionController) -> Self {
        Self::Action(Arc::new(controller))
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Placement(_) => "placement",
            Self::Action(_) => "action",
        }
    }
}

/// A running server. Dropping it stops the server at once; [`Serving::wait`] waits for the graceful end
/// that the shutdown future starts.
#[derive(Debug)]
pub struct Serving {
    addr: SocketAddr,
    task: JoinHandle<Result<(), Error>>,
}

impl Serving {
    /// The address the server is bound to (the real port when port 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits until the server has stopped: after the shutdown future completed and the calls in flight
    /// finished, or the grace period ended.
    pub async fn wait(mut self) -> Result<(), Error> {
        (&mut self.task).await.map_err(Error::Task)?
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` (port 0 picks a free port) and serves `controller` until `shutdown` completes, then drains
/// for up to [`GRACE`].
pub async fn serve(
    addr: SocketAddr,
    controller: Controller,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Serving, Error> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    serve_listener(listener, controller, shutdown, GRACE)
}

/// Serves a placement controller on `addr`; see [`serve`].
pub async fn serve_placement(
    addr: SocketAddr,
    controller: impl PlacementController,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Serving, Error> {
    serve(addr, Controller::placement(controller), shutdown).await
}

/// Serves an action controller on `addr`; see [`serve`].
pub async fn serve_action(
    addr: SocketAddr,
    controller: impl ActionController,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Serving, Error> {
    serve(addr, Controller::action(controller), shutdown).await
}

/// Serves `controller` on a listener the caller bound, draining for up to `grace` after `shutdown`.
pub fn serve_listener(
    listener: TcpListener,
    controller: Controller,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Result<Serving, Error> {
    let addr = listener.local_addr().map_err(Error::LocalAddr)?;
    tracing::info!(%addr, kind = controller.kind(), "controller serving");
    let router = match controller {
        Controller::Placement(c) => {
            Server::builder().add_service(PlacementService::new(c).into_server())
        }
        Controller::Action(c) => Server::builder().add_service(ActionService::new(c).into_server()),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    // Without TCP_NODELAY a response can wait for the engine's delayed ACK (about 40 ms on Linux); the
    // builder's own `tcp_nodelay` does not apply to an incoming stream given to it.
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let server = router.serve_with_incoming_shutdown(incoming, async move {
        // A dropped sender also stops the server.
        let _ = stopped.await;
    });
    let task = tokio::spawn(async move {
        tokio::pin!(server);
        tokio::select! {
            ended = &mut server => return ended.map_err(Error::Transport),
            () = shutdown => {}
        }
        tracing::info!(%addr, "controller draining");
        let _ = stop.send(());
        match tokio::time::timeout(grace, server).await {
            Ok(ended) => ended.map_err(Error::Transport),
            Err(_) => Err(Error::GraceExceeded(grace)),
        }
    });
    Ok(Serving { addr, task })
}
