//! Retry with exponential backoff for errors that say a retry may help, bounded in total time.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::Result;

/// How a call is retried after a retryable error: delays start at `first`, double up to `max_delay`,
/// and no retry starts after `total` has passed since the first attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The first delay.
    pub first: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// The time after which the last error is returned.
    pub total: Duration,
}

impl Default for Policy {
    /// 50 ms doubling to 2 s, for up to 30 s: long enough for an etcd restart.
    fn default() -> Self {
        Self {
            first: Duration::from_millis(50),
            max_delay: Duration::from_secs(2),
            total: Duration::from_secs(30),
        }
    }
}

impl Policy {
    /// Calls `call` until it succeeds, fails with an error that is not retryable, or time is up.
    pub(crate) async fn run<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let deadline = Instant::now() + self.total;
        let mut delay = self.first;
        loop {
            match call().await {
                Err(e) if e.is_retryable() && Instant::now() + delay < deadline => {
                    tracing::debug!(error = %e, ?delay, what, "context store call failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(self.max_delay);
                }
                result => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::context::Error;

    fn unavailable() -> Error {
        Error::Backend {
            message: "unavailable".into(),
            retryable: true,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retryable_errors_are_retried_until_the_call_succeeds() {
        let calls = AtomicU32::new(0);
        let result = Policy::default()
            .run("test", || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0..3 => Err(unavailable()),
                    n => Ok(n),
                }
            })
            .await;
        assert_eq!(result.unwrap(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_stop_when_the_total_time_is_up() {
        let start = Instant::now();
        let result: Result<()> = Policy::default()
            .run("test", || async { Err(unavailable()) })
            .await;
        assert!(result.unwrap_err().is_retryable());
        assert!(start.elapsed() <= Policy::default().total);
    }

    #[tokio::test(start_paused = true)]
    async fn terminal_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let result: Result<()> = Policy::default()
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Error::FutureRevision(crate::context::Revision(9)))
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
