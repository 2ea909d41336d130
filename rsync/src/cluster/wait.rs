//! Waits on single objects: a CRD until it is established, a hook until it has run, objects until they
//! are gone. They poll (every [`POLL`]) since they are few and short; the many resources an app deploys are
//! waited on through the shared watches instead ([`super::Watches`]). Every wait returns
//! [`ApplyError::Cancelled`] as soon as `cancel` fires.

use std::time::Duration;

use canopy_engine::appcontext::Manifest;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::apply::{Cluster, describe};
use super::error::{ApplyError, Result};
use super::ready;

/// How often a single-object wait looks again.
pub const POLL: Duration = Duration::from_millis(200);

impl Cluster {
    /// Waits until the CRD `crd` is established: condition `Established=True`, or, on a server that writes
    /// no CRD conditions (edgesim), until discovery serves its kind. A CRD whose names were not accepted
    /// (`NamesAccepted=False`) is terminal.
    pub async fn wait_established(&self, crd: &Manifest, cancel: &CancellationToken) -> Result<()> {
        let what = format!("waiting for {} to be established", describe(crd));
        loop {
            if let Some(obj) = self.get(crd).await? {
                if ready::condition(&obj, "NamesAccepted") == Some(false) {
                    return Err(ApplyError::Terminal(format!(
                        "{what}: its names were not accepted: {}",
                        condition_message(&obj, "NamesAccepted")
                    )));
                }
                match ready::condition(&obj, "Established") {
                    Some(true) => return Ok(()),
                    Some(false) => {}
                    None if self.serves_kind_of(&obj).await? => return Ok(()),
                    None => {}
                }
            }
            pause(cancel, &what).await?;
        }
    }

    /// Waits until the hook `m` has run: a Job until it completed, a Pod until it succeeded, any other kind
    /// until it exists. A failed Job or Pod is terminal. A Job or Pod that is gone once it was seen is
    /// taken as finished (a `ttlSecondsAfterFinished` of 0 removes a Job as it completes).
    pub async fn wait_hook(&self, m: &Manifest, cancel: &CancellationToken) -> Result<()> {
        let what = format!("waiting for hook {}", describe(m));
        let mut seen = false;
        loop {
            match self.get(m).await? {
                Some(obj) => {
                    seen = true;
                    if hook_done(&m.kind, &obj).map_err(|e| {
                        ApplyError::Terminal(format!("hook {} failed: {e}", describe(m)))
                    })? {
                        return Ok(());
                    }
                }
                None if seen => {
                    tracing::warn!(hook = %describe(m), "hook gone before its result was seen; taking it as finished");
                    return Ok(());
                }
                None => {}
            }
            pause(cancel, &what).await?;
        }
    }

    /// Waits until none of `ms` exists.
    pub async fn wait_gone(&self, ms: &[Manifest], cancel: &CancellationToken) -> Result<()> {
        let mut left: Vec<&Manifest> = ms.iter().collect();
        loop {
            let mut still = Vec::with_capacity(left.len());
            for m in left {
                if self.exists(m).await? {
                    still.push(m);
                }
            }
            left = still;
            let Some(first) = left.first() else {
                return Ok(());
            };
            let what = format!(
                "waiting for {} (and {} more) to be gone",
                describe(first),
                left.len() - 1
            );
            pause(cancel, &what).await?;
        }
    }

    /// True when discovery (refreshed) serves the kind a CRD object defines, in one of its served versions.
    async fn serves_kind_of(&self, crd: &Value) -> Result<bool> {
        let spec = &crd["spec"];
        let (Some(group), Some(kind)) = (spec["group"].as_str(), spec["names"]["kind"].as_str())
        else {
            return Ok(false);
        };
        let versions = spec["versions"].as_array().cloned().unwrap_or_default();
        for v in versions.iter().filter(|v| v["served"] != false) {
            if let Some(version) = v["name"].as_str()
                && self
                    .refresh_kind(&format!("{group}/{version}"), kind)
                    .await?
                    .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Whether a hook object has finished; `Err` with the reason when it failed.
fn hook_done(kind: &str, obj: &Value) -> std::result::Result<bool, String> {
    match kind {
        "Job" if ready::job_failed(obj) => Err(condition_message(obj, "Failed")),
        "Job" => Ok(ready::job_complete(obj)),
        "Pod" => match obj["status"]["phase"].as_str() {
            Some("Failed") => Err(obj["status"]["message"]
                .as_str()
                .unwrap_or("the pod failed")
                .to_string()),
            Some("Succeeded") => Ok(true),
            _ => Ok(false),
        },
        _ => Ok(true),
    }
}

/// The reason and message of a condition, for error messages.
fn condition_message(obj: &Value, kind: &str) -> String {
    let c = obj["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind));
    match c {
        Some(c) => format!(
            "{}: {}",
            c["reason"].as_str().unwrap_or(kind),
            c["message"].as_str().unwrap_or("")
        ),
        None => kind.to_string(),
    }
}

/// Sleeps one [`POLL`], or returns [`ApplyError::Cancelled`] when `cancel` fires first.
pub(super) async fn pause(cancel: &CancellationToken, what: &str) -> Result<()> {
    tokio::select! {
        () = cancel.cancelled() => Err(ApplyError::Cancelled(what.to_string())),
        () = tokio::time::sleep(POLL) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_hook_job_is_done_when_complete_and_an_error_when_failed() {
        assert_eq!(
            hook_done("Job", &json!({"status": {"succeeded": 1}})),
            Ok(true)
        );
        assert_eq!(
            hook_done("Job", &json!({"status": {"active": 1}})),
            Ok(false)
        );
        let failed = json!({"status": {"conditions": [{"type": "Failed", "status": "True",
            "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}});
        let e = hook_done("Job", &failed).unwrap_err();
        assert!(e.contains("BackoffLimitExceeded"), "{e}");
    }

    #[test]
    fn a_hook_pod_is_done_when_succeeded_and_an_error_when_failed() {
        assert_eq!(
            hook_done("Pod", &json!({"status": {"phase": "Succeeded"}})),
            Ok(true)
        );
        assert_eq!(
            hook_done("Pod", &json!({"status": {"phase": "Running"}})),
            Ok(false)
        );
        assert!(hook_done("Pod", &json!({"status": {"phase": "Failed"}})).is_err());
        assert_eq!(hook_done("ConfigMap", &json!({})), Ok(true));
    }
}
