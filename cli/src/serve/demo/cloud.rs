//! The project `demo` and its level-0 logical cloud `demo` over every demo cluster, instantiated: a DIG
//! names a logical cloud, and its instantiate needs that cloud's AppContext `Instantiated`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Config, LOGICAL_CLOUD, NAMESPACE, PROJECT, PROVIDER};
use crate::serve::error::{Error, Result};
use crate::serve::local::Local;

/// How often the logical cloud's status is read while waiting for it.
const POLL: Duration = Duration::from_millis(100);

/// Creates what is missing, instantiates the logical cloud unless it is instantiated (or on its way), and
/// waits up to `wait` until it and its AppContext are `Instantiated`.
pub async fn ensure(local: &Local, config: &Config, wait: Duration) -> Result<()> {
    local
        .post("/projects", &json!({"metadata": {"name": PROJECT}}))
        .await?
        .expect("creating the project demo", &[201, 409])?;
    let clouds = format!("/projects/{PROJECT}/logical-clouds");
    local
        .post(
            &clouds,
            &json!({"metadata": {"name": LOGICAL_CLOUD}, "spec": {"namespace": NAMESPACE, "level": "0"}}),
        )
        .await?
        .expect("creating the logical cloud demo", &[201, 409])?;
    let cloud = format!("{clouds}/{LOGICAL_CLOUD}");
    for name in config.names() {
        let added = local
            .post(
                &format!("{cloud}/cluster-references"),
                &json!({"metadata": {"name": name}, "spec": {"clusterProvider": PROVIDER, "cluster": name}}),
            )
            .await?;
        if !matches!(added.status, 201 | 409) {
            tracing::warn!(cluster = %name, status = added.status, answer = %added.body, "the demo cluster could not join the logical cloud demo; deployments will not reach it");
        }
    }
    let (state, _, _) = status(local, &cloud).await?;
    if !matches!(state.as_str(), "Instantiated" | "Instantiating") {
        local
            .json(
                axum::http::Method::POST,
                &format!("{cloud}/instantiate"),
                None,
            )
            .await?
            .expect("instantiating the logical cloud demo", &[200, 202])?;
        tracing::info!("instantiating the logical cloud demo");
    }
    let start = Instant::now();
    loop {
        let (state, deployed, reason) = status(local, &cloud).await?;
        if state == "Instantiated" && deployed == "Instantiated" {
            return Ok(());
        }
        if state.ends_with("Failed") || deployed.ends_with("Failed") || start.elapsed() > wait {
            return Err(Error::Cloud {
                seconds: wait.as_secs(),
                state: format!("{state}, its AppContext {deployed}"),
                reason,
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The logical cloud's state, its AppContext's state, and the reason given, as `GET .../status` says.
async fn status(local: &Local, cloud: &str) -> Result<(String, String, String)> {
    let body = local
        .get(&format!("{cloud}/status"))
        .await?
        .expect("reading the status of the logical cloud demo", &[200])?
        .body;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Ok((
        body.get("state").map_or_else(|| "Created".to_owned(), text),
        body.get("deployedStatus").map(text).unwrap_or_default(),
        body.get("deployedReason").map(text).unwrap_or_default(),
    ))
}
