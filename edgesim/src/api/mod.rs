//! HTTP routes: the Kubernetes API of each virtual cluster and the `/admin` control API.

mod admin;
mod discovery;
mod resources;

use std::path::PathBuf;

use axum::Router;
use axum::routing::{any, get};

use crate::fleet::Fleet;

/// Marks a response that must not be sent: the connection is closed instead (an unreachable cluster).
#[derive(Debug, Clone, Copy)]
pub struct Refused;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The clusters.
    pub fleet: Fleet,
    /// The URL clients use to reach this server, for kubeconfigs.
    pub base_url: String,
    /// Where kubeconfigs of newly created clusters are written, if anywhere.
    pub kubeconfig_dir: Option<PathBuf>,
}

/// The router of the whole server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/clusters/{cluster}/{*rest}", any(resources::handle))
        .route(
            "/admin/clusters",
            get(admin::list)
                .post(admin::create)
                .delete(admin::delete_range),
        )
        .route(
            "/admin/clusters/{name}",
            axum::routing::delete(admin::delete),
        )
        .route("/admin/clusters/{name}/kubeconfig", get(admin::kubeconfig))
        .route(
            "/admin/clusters/{name}/faults",
            get(admin::get_faults).put(admin::put_faults),
        )
        .route("/admin/clusters/{name}/objects", get(admin::objects))
        .route("/admin/clusters/{name}/log", get(admin::log))
        .with_state(state)
}
