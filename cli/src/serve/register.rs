//! The controllers `canopy serve` runs, registered with the engine as an EMCO user registers them
//! (`POST /v2/controllers`, reference §1.3): `rsync` (host and port only: the engine finds it by that name),
//! `gac` (an action controller) and `placement` (a placement controller), both with priority 1. A
//! registration that exists is replaced (`PUT /v2/controllers/{name}`), so every start points them at the
//! ports of this run.

use std::net::SocketAddr;

use axum::http::Method;
use serde_json::{Value, json};

use super::error::Result;
use super::local::Local;

/// The priority of the built-in controllers (EMCO's examples register theirs at 1).
pub const PRIORITY: u32 = 1;

/// One controller to register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// Its name.
    pub name: &'static str,
    /// `placement` or `action`; `None` for rsync.
    pub kind: Option<&'static str>,
    /// Where it serves gRPC.
    pub addr: SocketAddr,
}

impl Registration {
    /// rsync at `addr`.
    pub fn rsync(addr: SocketAddr) -> Self {
        Self {
            name: canopy_rsync::register::NAME,
            kind: None,
            addr,
        }
    }

    /// The REST body.
    pub fn body(&self) -> Value {
        let mut spec = json!({"host": self.addr.ip().to_string(), "port": self.addr.port()});
        if let Some(kind) = self.kind {
            spec["type"] = json!(kind);
            spec["priority"] = json!(PRIORITY);
        }
        json!({
            "metadata": {"name": self.name, "description": "started by canopy serve"},
            "spec": spec,
        })
    }
}

/// The type a built-in controller registers with.
pub fn kind_of(name: &str) -> Option<&'static str> {
    match canopy_controllers::builtin::controller(name)?.1 {
        canopy_controllers::serve::Controller::Placement(_) => Some("placement"),
        canopy_controllers::serve::Controller::Action(_) => Some("action"),
    }
}

/// Registers `registration`, or re-points it when it exists.
pub async fn register(local: &Local, registration: &Registration) -> Result<()> {
    let body = registration.body();
    let step = format!("registering the controller {}", registration.name);
    let created = local.post("/controllers", &body).await?;
    if created.status == 409 {
        local
            .json(
                Method::PUT,
                &format!("/controllers/{}", registration.name),
                Some(&body),
            )
            .await?
            .expect(&step, &[200, 201])?;
    } else {
        created.expect(&step, &[200, 201])?;
    }
    tracing::info!(controller = registration.name, addr = %registration.addr, "registered with the engine");
    Ok(())
}
