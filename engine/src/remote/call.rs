//! [`Remote`]: one call with its deadline and retries, over a channel from the connection [`Table`].
//!
//! Every attempt carries the deadline (as `grpc-timeout`, and the engine stops waiting when it passes). A
//! connection failure, `UNAVAILABLE` or `RESOURCE_EXHAUSTED` is retried after [`Config::backoff`] until
//! [`Config::attempts`] were made; a missed deadline ends the call at once (another attempt could take the
//! whole deadline again; the caller decides, [`CallError::is_retryable`] says it may); every other code is
//! terminal.

use std::future::Future;
use std::time::Duration;

use canopy_schemas::name::ControllerName;
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic::{Code, ConnectError, Request, Response, Status};

use super::endpoint::{ControllerInfo, Kind};
use super::error::{CallError, Method, retryable_code};
use super::retry::Config;
use super::table::Table;

/// The engine's client of controllers and rsync. Share it in an `Arc`.
#[derive(Debug)]
pub struct Remote {
    config: Config,
    table: Table,
}

/// How one attempt failed.
enum Failure {
    Deadline,
    Unreachable(String),
    Status(Code, String),
}

impl Remote {
    /// A client with `config` and an empty connection table.
    pub fn new(config: Config) -> Self {
        Self {
            table: Table::new(&config),
            config,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Its connection table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Drops the cached channel of `controller` (after it was re-registered or deleted).
    pub fn invalidate(&self, controller: &ControllerName) -> bool {
        self.table.invalidate(controller)
    }

    /// Fails with [`CallError::WrongKind`] unless `controller` is one of `kinds`.
    pub(super) fn expect_kind(
        controller: &ControllerInfo,
        method: Method,
        kinds: &[Kind],
    ) -> Result<(), CallError> {
        if kinds.contains(&controller.kind) {
            return Ok(());
        }
        Err(CallError::WrongKind {
            controller: controller.name.clone(),
            method,
            kind: controller.kind,
        })
    }

    /// Runs `rpc` against `controller` with the deadline, retrying transient failures.
    pub(super) async fn call<Req, Resp, F, Fut>(
        &self,
        controller: &ControllerInfo,
        method: Method,
        request: Req,
        rpc: F,
    ) -> Result<Resp, CallError>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Resp>, Status>>,
    {
        let deadline = self.config.deadline;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let channel =
                self.table
                    .channel(controller)
                    .map_err(|source| CallError::BadEndpoint {
                        controller: controller.name.clone(),
                        method,
                        endpoint: controller.uri(),
                        source,
                    })?;
            let mut message = Request::new(request.clone());
            message.set_timeout(deadline);
            let started = Instant::now();
            let failure = match tokio::time::timeout(deadline, rpc(channel, message)).await {
                Ok(Ok(response)) => return Ok(response.into_inner()),
                Ok(Err(status)) => classify(&status, started.elapsed(), deadline),
                Err(_) => Failure::Deadline,
            };
            let retry = match &failure {
                Failure::Deadline => false,
                Failure::Unreachable(_) => true,
                Failure::Status(code, _) => retryable_code(*code),
            };
            if !retry || attempt >= self.config.attempts {
                return Err(error(controller, method, failure, attempt, deadline));
            }
            let wait = self.config.backoff(attempt);
            let reason = match &failure {
                Failure::Unreachable(m) | Failure::Status(_, m) => m.as_str(),
                Failure::Deadline => "",
            };
            tracing::warn!(controller = %controller.name, %method, attempt, ?wait, error = %reason,
                "controller call failed; retrying");
            tokio::time::sleep(wait).await;
        }
    }
}

/// Sorts a failed attempt: a missed deadline, a connection that could not be made, or an answered status.
fn classify(status: &Status, elapsed: Duration, deadline: Duration) -> Failure {
    let code = status.code();
    if code == Code::DeadlineExceeded || (code == Code::Cancelled && elapsed >= deadline) {
        return Failure::Deadline;
    }
    let mut source = std::error::Error::source(status);
    while let Some(e) = source {
        if e.is::<ConnectError>() {
            return Failure::Unreachable(status.message().to_owned());
        }
        source = e.source();
    }
    Failure::Status(code, status.message().to_owned())
}

fn error(
    controller: &ControllerInfo,
    method: Method,
    failure: Failure,
    attempts: u32,
    deadline: Duration,
) -> CallError {
    let name = controller.name.clone();
    match failure {
        Failure::Deadline => CallError::Deadline {
            controller: name,
            method,
            deadline,
        },
        Failure::Unreachable(message) => CallError::Unreachable {
            controller: name,
            method,
            endpoint: controller.uri(),
            attempts,
            message,
        },
        Failure::Status(code, message) => CallError::Rejected {
            controller: name,
            method,
            code,
            message,
            attempts,
        },
    }
}
