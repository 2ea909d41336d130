//! [`RsyncDouble`]: a stand-in for rsync's gRPC service on a free loopback port. It records every call in
//! order (method and AppContext ids, as they crossed the wire), answers `Accepted`, and can be told to fail
//! the next calls with a status code. Tests wait for the n-th call with [`RsyncDouble::wait_for_call`].

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use canopy_schemas::proto::rsync::v1 as pb;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Code, Request, Response, Status};

/// An rsync RPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsyncMethod {
    /// `InstallApp`.
    InstallApp,
    /// `UninstallApp`.
    UninstallApp,
    /// `UpdateApp`.
    UpdateApp,
    /// `RollbackApp`.
    RollbackApp,
    /// `ReadAppContext`.
    ReadAppContext,
}

/// One call the double received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsyncCall {
    /// Which RPC.
    pub method: RsyncMethod,
    /// The AppContext ids it carried, as sent: one, or `[from, to]` for update and rollback.
    pub contexts: Vec<String>,
    /// The code it was answered with (`Code::Ok` when accepted).
    pub answered: Code,
}

/// What the service shares with the handle.
#[derive(Debug)]
struct State {
    calls: watch::Sender<Vec<RsyncCall>>,
    failures: Mutex<VecDeque<Code>>,
}

/// The double. Dropping it stops the server.
#[derive(Debug)]
pub struct RsyncDouble {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for RsyncDouble {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RsyncDouble {
    /// Serves the double on `127.0.0.1:0`.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            calls: watch::Sender::new(Vec::new()),
            failures: Mutex::new(VecDeque::new()),
        });
        let service = pb::rsync_server::RsyncServer::new(Service(state.clone()));
        let server = Server::builder()
            .add_service(service)
            .serve_with_incoming(TcpIncoming::from(listener));
        let task = tokio::spawn(async move {
            if let Err(e) = server.await {
                eprintln!("rsync double at {addr} stopped: {e}");
            }
        });
        Ok(Self { addr, state, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<RsyncCall> {
        self.state.calls.borrow().clone()
    }

    /// Answers the next `n` calls with `code` (and a message naming it) instead of accepting them.
    pub fn fail_next(&self, n: usize, code: Code) {
        let mut failures = self.state.failures.lock().expect("failures lock");
        failures.extend(std::iter::repeat_n(code, n));
    }

    /// Waits until the `n`-th call (counting from 1) arrived, for at most `timeout`, and returns it; `None`
    /// when it did not arrive in time.
    pub async fn wait_for_call(&self, n: usize, timeout: Duration) -> Option<RsyncCall> {
        let mut calls = self.state.calls.subscribe();
        let arrived = tokio::time::timeout(timeout, calls.wait_for(|c| c.len() >= n)).await;
        match arrived {
            Ok(Ok(calls)) => calls.get(n - 1).cloned(),
            _ => None,
        }
    }
}

struct Service(Arc<State>);

impl Service {
    fn answer(
        &self,
        method: RsyncMethod,
        contexts: Vec<String>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let failure = self.0.failures.lock().expect("failures lock").pop_front();
        let answered = failure.unwrap_or(Code::Ok);
        let target = contexts.last().cloned().unwrap_or_default();
        self.0.calls.send_modify(|calls| {
            calls.push(RsyncCall {
                method,
                contexts,
                answered,
            })
        });
        match failure {
            Some(code) => Err(Status::new(
                code,
                format!("rsync double told to fail with {code:?}"),
            )),
            None => Ok(Response::new(pb::Accepted {
                app_context_id: target,
                newly_queued: true,
                message: format!("{method:?} accepted by the rsync double"),
            })),
        }
    }
}

#[tonic::async_trait]
impl pb::rsync_server::Rsync for Service {
    async fn install_app(
        &self,
        r: Request<pb::InstallAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        self.answer(RsyncMethod::InstallApp, vec![r.into_inner().app_context_id])
    }

    async fn uninstall_app(
        &self,
        r: Request<pb::UninstallAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        self.answer(
            RsyncMethod::UninstallApp,
            vec![r.into_inner().app_context_id],
        )
    }

    async fn update_app(
        &self,
        r: Request<pb::UpdateAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let r = r.into_inner();
        self.answer(
            RsyncMethod::UpdateApp,
            vec![r.from_app_context_id, r.to_app_context_id],
        )
    }

    async fn rollback_app(
        &self,
        r: Request<pb::RollbackAppRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        let r = r.into_inner();
        self.answer(
            RsyncMethod::RollbackApp,
            vec![r.from_app_context_id, r.to_app_context_id],
        )
    }

    async fn read_app_context(
        &self,
        r: Request<pb::ReadAppContextRequest>,
    ) -> Result<Response<pb::Accepted>, Status> {
        self.answer(
            RsyncMethod::ReadAppContext,
            vec![r.into_inner().app_context_id],
        )
    }
}
