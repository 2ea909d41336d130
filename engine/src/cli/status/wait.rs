//! `--wait`: reads the DIG's status every [`POLL`] until it reaches the target, fails, or the time is up.
//! Only the status route is read, so the wait is right whether or not the server streams events.

use std::time::Duration;

use canopy_schemas::event::filter::DigRef;
use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use super::anchor::status_path;
use super::progress::Progress;
use super::view::{Failure, Snapshot, Target, Verdict};
use super::{Error, Result};
use crate::cli::client::{Body, Client, Request};

/// How often the status is read.
pub const POLL: Duration = Duration::from_millis(500);

/// How a wait ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The target was reached.
    Reached(Snapshot),
    /// The target cannot be reached: the last status and why.
    Failed(Snapshot, Vec<Failure>),
    /// Time ran out; the last status read, if any.
    TimedOut(Option<Snapshot>),
}

impl Outcome {
    /// The exit code of `canopy status --wait`: 0 reached, 1 failed, 2 timed out.
    pub const fn exit_code(&self) -> u8 {
        match self {
            Self::Reached(_) => 0,
            Self::Failed(..) => 1,
            Self::TimedOut(_) => 2,
        }
    }
}

/// Reads the status body of `dig` (`status=ready&output=detail`).
pub async fn fetch_body(client: &Client, dig: &DigRef) -> Result<Value> {
    let request = Request {
        method: Method::GET,
        path: format!("{}?status=ready&output=detail", status_path(dig)),
        body: Body::Empty,
    };
    let response = client.send(&request).await.map_err(Error::Unreachable)?;
    if !response.is_success() {
        return Err(Error::Refused {
            status: response.status,
            message: response.error_message(),
        });
    }
    serde_json::from_slice(&response.body).map_err(Error::Body)
}

/// Reads and interprets the status of `dig`.
pub async fn fetch(client: &Client, dig: &DigRef) -> Result<Snapshot> {
    let body = fetch_body(client, dig).await?;
    Snapshot::from_json(&body).map_err(Error::Body)
}

/// Waits until `dig` on `server` reaches `target`, fails, or `timeout` passes, showing each status read
/// on `progress`. A server that stops answering after the first read is asked again until the time is
/// up; one that cannot be reached at first, or refuses the request, is an error.
pub async fn wait(
    server: &str,
    dig: &DigRef,
    target: Target,
    timeout: Duration,
    progress: &mut (dyn Progress + Send),
) -> Result<Outcome> {
    let client = Client::new(server).map_err(Error::Client)?;
    let deadline = Instant::now() + timeout;
    let mut last: Option<Snapshot> = None;
    let outcome = loop {
        match tokio::time::timeout_at(deadline, fetch(&client, dig)).await {
            Err(_elapsed) => break Outcome::TimedOut(last),
            Ok(Err(Error::Unreachable(_))) if last.is_some() => {}
            Ok(Err(e)) => return Err(e),
            Ok(Ok(s)) => {
                progress.show(&s, target).map_err(Error::Output)?;
                match s.verdict(target) {
                    Verdict::Reached => break Outcome::Reached(s),
                    Verdict::Failed(why) => break Outcome::Failed(s, why),
                    Verdict::Waiting => last = Some(s),
                }
            }
        }
        if Instant::now() + POLL >= deadline {
            tokio::time::sleep_until(deadline).await;
            break Outcome::TimedOut(last);
        }
        tokio::time::sleep(POLL).await;
    };
    progress.done().map_err(Error::Output)?;
    Ok(outcome)
}
