//! The controllers canopy ships (docs/controllers.md), served by `canopy controller <name> --listen ADDR`:
//!
//! - [`gac`]: the generic action controller, EMCO's gac over the spec of
//!   [`canopy_schemas::controller::gac`];
//! - [`placement`]: a scoring placement controller over the spec of
//!   [`canopy_schemas::controller::placement`];
//! - `decode`: turning an intent spec into its type, with the failing field's path.
//!
//! Violations name fields by their path inside the intent spec (`resources[0].spec.newObject`); a rule about
//! the spec as a whole names `spec`.

pub mod gac;
pub mod placement;

mod decode;

use std::future::Future;
use std::net::SocketAddr;

use crate::serve::{self, Controller, Serving};

/// The names [`serve_builtin`] knows, in the order `canopy controller --help` lists them.
pub const NAMES: &[&str] = &["gac", "placement"];

/// Why a built-in controller could not be served.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No built-in controller has this name.
    #[error("no built-in controller is named {name:?}; the built-in controllers are {}", NAMES.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// Serving failed (binding the address, most likely).
    #[error("serving the built-in controller {name}")]
    Serve {
        /// The controller.
        name: &'static str,
        /// Why.
        #[source]
        source: serve::Error,
    },
}

/// The built-in controller named `name`, or `None` when there is none.
pub fn controller(name: &str) -> Option<(&'static str, Controller)> {
    match name {
        "gac" => Some(("gac", Controller::action(gac::Controller))),
        "placement" => Some(("placement", Controller::placement(placement::Controller))),
        _ => None,
    }
}

/// Binds `addr` (port 0 picks a free port) and serves the built-in controller `name` until `shutdown`
/// completes; see [`crate::serve()`]. An unknown name is an [`Error::Unknown`] that lists [`NAMES`].
pub async fn serve_builtin(
    name: &str,
    addr: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Serving, Error> {
    let (name, controller) = controller(name).ok_or_else(|| Error::Unknown {
        name: name.to_owned(),
    })?;
    serve::serve(addr, controller, shutdown)
        .await
        .map_err(|source| Error::Serve { name, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_a_controller_and_nothing_else_is() {
        for name in NAMES {
            assert_eq!(controller(name).map(|(n, _)| n), Some(*name));
        }
        assert!(controller("ovnaction").is_none());
    }

    #[tokio::test]
    async fn an_unknown_name_is_refused_with_the_known_names() {
        let addr = SocketAddr::from(([127, 0, 0, 1], 0));
        let e = serve_builtin("hpa", addr, std::future::pending())
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "no built-in controller is named \"hpa\"; the built-in controllers are gac, placement"
        );
    }
}
