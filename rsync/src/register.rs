//! Registration with the engine: rsync registers itself as the controller named `rsync` (EMCO's
//! convention, reference §2), with the host and port the engine should call. A registration that exists
//! is updated, so a restart with a new address takes effect.

use std::time::Duration;

use serde_json::json;

/// The name the engine finds rsync by.
pub const NAME: &str = "rsync";

/// Registers (or re-registers) rsync at `host:port` with the engine at `base` (for example
/// `http://127.0.0.1:9015/v2`).
pub async fn register(base: &str, host: &str, port: u16) -> Result<(), String> {
    let base = base.trim_end_matches('/');
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let body = json!({
        "metadata": { "name": NAME, "description": "canopy rsync" },
        "spec": { "host": host, "port": port },
    });
    let created = http
        .post(format!("{base}/controllers"))
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("POST {base}/controllers: {e}"))?;
    match created.status().as_u16() {
        200 | 201 => Ok(()),
        409 => {
            let put = http
                .put(format!("{base}/controllers/{NAME}"))
                .json(&body)
                .send()
                .await
                .map_err(|e| format!("PUT {base}/controllers/{NAME}: {e}"))?;
            if put.status().is_success() {
                Ok(())
            } else {
                Err(format!(
                    "PUT {base}/controllers/{NAME} answered {}: {}",
                    put.status(),
                    put.text().await.unwrap_or_default()
                ))
            }
        }
        status => Err(format!(
            "POST {base}/controllers answered {status}: {}",
            created.text().await.unwrap_or_default()
        )),
    }
}
