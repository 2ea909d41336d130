//! One bounded call to the controller under test, sorted into an answer, a contract error, or a failure.

use std::future::Future;
use std::time::Duration;

use tonic::{Code, Request, Response, Status};

use super::report::{Check, Failures};
use crate::error::Error;

/// Makes calls with a deadline and records what breaks the contract.
pub(super) struct Probe {
    /// The deadline of every call.
    pub(super) deadline: Duration,
    /// What failed so far.
    pub(super) failures: Failures,
}

impl Probe {
    /// A request carrying the deadline in its `grpc-timeout` header.
    pub(super) fn request<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request.set_timeout(self.deadline);
        request
    }

    /// Awaits `call` for at most the deadline. Returns the answer, or the error when its code is one of the
    /// contract's; records a failure and returns `None` otherwise.
    pub(super) async fn call<T>(
        &mut self,
        rpc: &str,
        call: impl Future<Output = Result<Response<T>, Status>>,
    ) -> Option<Result<T, Status>> {
        let deadline = self.deadline;
        let started = tokio::time::Instant::now();
        match tokio::time::timeout(deadline, call).await {
            Err(_) => {
                let detail = format!("{rpc} did not answer within {deadline:?}");
                self.failures.push(Check::Deadline, detail);
                None
            }
            Ok(Ok(response)) => Some(Ok(response.into_inner())),
            // A call the server gave up on ends at the deadline; one that ends earlier with these codes was
            // aborted by the controller (a panic resets the stream), which the last arm reports.
            Ok(Err(status))
                if matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled)
                    && started.elapsed() >= deadline =>
            {
                let detail = format!("{rpc} ran out of its {deadline:?} deadline: {status}");
                self.failures.push(Check::Deadline, detail);
                None
            }
            Ok(Err(status)) if Error::from_status(&status).is_some() => Some(Err(status)),
            Ok(Err(status)) => {
                let detail = format!(
                    "{rpc} answered {:?} ({}); a controller answers only INVALID_ARGUMENT, \
                     FAILED_PRECONDITION, UNAVAILABLE or RESOURCE_EXHAUSTED",
                    status.code(),
                    status.message()
                );
                self.failures.push(Check::ContractCodes, detail);
                None
            }
        }
    }
}
