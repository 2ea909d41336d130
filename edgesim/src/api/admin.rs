//! The control API under `/admin`: clusters, kubeconfigs, faults, object dumps and apply logs (JSON).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use crate::fault::Faults;
use crate::{fleet, kubeconfig};

/// A failed control request: a 400 or 404 with `{"error": ...}`.
fn fail(code: StatusCode, message: impl std::fmt::Display) -> Response {
    (code, Json(json!({"error": message.to_string()}))).into_response()
}

/// The body of `POST /admin/clusters` and the query of `DELETE /admin/clusters`.
#[derive(Debug, Deserialize)]
pub struct Range {
    /// A name, or a range such as `edge-0001..edge-0100`.
    pub range: String,
}

/// `GET /admin/clusters`: the names of all clusters.
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"clusters": state.fleet.names()}))
}

/// `POST /admin/clusters {"range": ...}`: creates clusters; writes their kubeconfigs if a directory is set.
pub async fn create(State(state): State<AppState>, Json(body): Json<Range>) -> Response {
    let names = match fleet::expand(&body.range) {
        Ok(names) => names,
        Err(e) => return fail(StatusCode::BAD_REQUEST, e),
    };
    let mut created = 0;
    for name in &names {
        match state.fleet.create(name) {
            Ok(true) => created += 1,
            Ok(false) => {}
            Err(e) => return fail(StatusCode::BAD_REQUEST, e),
        }
        if let Some(dir) = &state.kubeconfig_dir
            && let Err(e) = kubeconfig::write(dir, &state.base_url, name)
        {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "{e}: {}",
                    std::error::Error::source(&e)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                ),
            );
        }
    }
    (
        StatusCode::CREATED,
        Json(json!({"requested": names.len(), "created": created})),
    )
        .into_response()
}

/// `DELETE /admin/clusters?range=...`: deletes clusters in bulk.
pub async fn delete_range(State(state): State<AppState>, Query(q): Query<Range>) -> Response {
    match fleet::expand(&q.range) {
        Ok(names) => {
            Json(json!({"deleted": names.iter().filter(|n| state.fleet.delete(n)).count()}))
                .into_response()
        }
        Err(e) => fail(StatusCode::BAD_REQUEST, e),
    }
}

/// `DELETE /admin/clusters/<name>`.
pub async fn delete(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    if state.fleet.delete(&name) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        fail(StatusCode::NOT_FOUND, format!("no cluster {name:?}"))
    }
}

/// `GET /admin/clusters/<name>/kubeconfig`: the kubeconfig YAML.
pub async fn kubeconfig(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    if state.fleet.get(&name).is_none() {
        return fail(StatusCode::NOT_FOUND, format!("no cluster {name:?}"));
    }
    (
        [(header::CONTENT_TYPE, "application/yaml")],
        kubeconfig::render(&state.base_url, &name),
    )
        .into_response()
}

/// `GET /admin/clusters/<name>/faults`.
pub async fn get_faults(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.fleet.get(&name) {
        Some(c) => Json(c.faults()).into_response(),
        None => fail(StatusCode::NOT_FOUND, format!("no cluster {name:?}")),
    }
}

/// `PUT /admin/clusters/<name>/faults`: replaces the cluster's faults (`{}` heals it).
pub async fn put_faults(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Json(faults): Json<Faults>,
) -> Response {
    match state.fleet.get(&name) {
        Some(c) => {
            c.set_faults(faults.clone());
            Json(faults).into_response()
        }
        None => fail(StatusCode::NOT_FOUND, format!("no cluster {name:?}")),
    }
}

/// `GET /admin/clusters/<name>/objects`: every stored object.
pub async fn objects(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.fleet.get(&name) {
        Some(c) => {
            let items: Vec<Value> = c.store().scan(|_| true).map(|(_, o)| o).collect();
            Json(json!({"items": items})).into_response()
        }
        None => fail(StatusCode::NOT_FOUND, format!("no cluster {name:?}")),
    }
}

/// `GET /admin/clusters/<name>/log`: the apply log's last writes, oldest first, and how many older ones
/// were dropped.
pub async fn log(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.fleet.get(&name) {
        Some(c) => {
            let (entries, dropped) = c.apply_log();
            Json(json!({"entries": entries, "dropped": dropped})).into_response()
        }
        None => fail(StatusCode::NOT_FOUND, format!("no cluster {name:?}")),
    }
}
