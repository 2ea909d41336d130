//! The Kubernetes API of one virtual cluster: `/clusters/<name>/...`, with its faults applied first.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::Value;
use tracing::Instrument;

use super::{AppState, Refused, discovery};
use crate::cluster::{Cluster, Target};
use crate::fault::Verdict;
use crate::ops::{ListQuery, PatchKind, Propagation, WatchQuery, WriteOptions};
use crate::selector::{Fields, Labels};
use crate::status::{Error, Result};

/// How long a hanging cluster holds a request.
const HANG: Duration = Duration::from_secs(3600);

/// Entry point for every request under `/clusters/<name>/`.
pub async fn handle(
    State(state): State<AppState>,
    Path((cluster, rest)): Path<(String, String)>,
    method: Method,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let span = tracing::debug_span!("request", cluster = %cluster, method = %method, path = %rest);
    let request = Request {
        method,
        query,
        headers,
        body,
    };
    faulted(state, cluster, rest, request)
        .instrument(span)
        .await
}

/// Applies the cluster's faults, then serves the request.
async fn faulted(state: AppState, cluster: String, rest: String, request: Request) -> Response {
    let Some(cluster) = state.fleet.get(&cluster) else {
        return Error::NotFound(format!("virtual cluster {cluster:?} does not exist"))
            .into_response();
    };
    let write = request.method != Method::GET;
    match cluster.faults().verdict(write) {
        Verdict::Refuse => return refused(),
        Verdict::Hang => {
            tokio::time::sleep(HANG).await;
            return refused();
        }
        Verdict::Fail(latency, code) => {
            if write {
                cluster.count_failed_write();
            }
            delay(latency).await;
            return Error::Injected(
                code,
                format!("injected failure ({code}) on {}", cluster.name()),
            )
            .into_response();
        }
        Verdict::Serve(latency) => delay(latency).await,
    }
    match serve(&cluster, &rest, request) {
        Ok(response) => response,
        Err(e) => {
            tracing::debug!(error = %e, "request failed");
            e.into_response()
        }
    }
}

/// Waits for an injected latency. No latency means no wait: even a zero `tokio::time::sleep` waits for the
/// timer's next millisecond tick, which made every request take about a millisecond longer.
async fn delay(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

fn refused() -> Response {
    let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
    response.extensions_mut().insert(Refused);
    response
}

struct Request {
    method: Method,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
}

impl Request {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1"))
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body)
            .or_else(|_| yaml_serde::from_slice(&self.body))
            .map_err(|e| {
                Error::BadRequest(format!("the request body is not valid JSON or YAML: {e}"))
            })
    }
}

fn serve(cluster: &Arc<Cluster>, rest: &str, req: Request) -> Result<Response> {
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let kinds = || cluster.store().kinds.all().to_vec();
    let aggregated = discovery::wants_aggregated(req.header(header::ACCEPT));
    let found = |doc: Option<Value>| {
        doc.map(json).ok_or_else(|| {
            Error::NotFound("the server could not find the requested resource".into())
        })
    };
    match segs.as_slice() {
        ["version"] => Ok(json(discovery::version())),
        ["api"] if aggregated => Ok(aggregated_json(discovery::aggregated(&kinds(), true))),
        ["api"] => Ok(json(discovery::core_versions())),
        ["apis"] if aggregated => Ok(aggregated_json(discovery::aggregated(&kinds(), false))),
        ["apis"] => Ok(json(discovery::groups(&kinds()))),
        ["apis", group] => found(discovery::group(&kinds(), group)),
        ["api", version] => found(discovery::resources(&kinds(), "", version)),
        ["apis", group, version] => found(discovery::resources(&kinds(), group, version)),
        ["api", version, path @ ..] => resource(cluster, "", version, path, req),
        ["apis", group, version, path @ ..] => resource(cluster, group, version, path, req),
        _ => Err(Error::NotFound(format!(
            "the server could not find the requested resource ({rest})"
        ))),
    }
}

/// Splits `[namespaces/<ns>/]<plural>[/<name>[/status]]` and dispatches on the verb.
fn resource(
    cluster: &Arc<Cluster>,
    group: &str,
    version: &str,
    path: &[&str],
    req: Request,
) -> Result<Response> {
    let namespace_sub =
        path.len() == 3 && group.is_empty() && matches!(path[2], "status" | "finalize");
    let (namespace, rest) = match path {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() && !namespace_sub => {
            (Some(ns.to_string()), rest)
        }
        _ => (None, path),
    };
    let (plural, name, status) = match rest {
        [plural] => (*plural, None, false),
        [plural, name] => (*plural, Some(name.to_string()), false),
        [plural, name, "status"] => (*plural, Some(name.to_string()), true),
        _ => {
            return Err(Error::NotFound(
                "the server could not find the requested resource".into(),
            ));
        }
    };
    let target = cluster.resolve(group, version, plural, namespace, name)?;
    let manager = req.param("fieldManager").unwrap_or("").to_string();
    let opts = WriteOptions {
        manager: &manager,
        force: req.flag("force"),
        dry_run: req.param("dryRun") == Some("All"),
    };
    match (req.method.clone(), &target.name) {
        (Method::GET, Some(_)) => Ok(json(cluster.get(&target)?)),
        (Method::GET, None) if req.flag("watch") => watch(cluster, &target, &req),
        (Method::GET, None) => Ok(json(cluster.list(&target, &list_query(&req)?)?)),
        (Method::POST, None) => Ok(created(cluster.create(
            &with_ns(&target)?,
            req.json()?,
            &opts,
        )?)),
        (Method::PUT, Some(_)) => Ok(json(cluster.replace(
            &target,
            req.json()?,
            &opts,
            status,
        )?)),
        (Method::PATCH, Some(_)) => {
            let kind = PatchKind::from_content_type(req.header(header::CONTENT_TYPE))?;
            Ok(json(cluster.patch(
                &target,
                kind,
                &req.json()?,
                &opts,
                status,
            )?))
        }
        (Method::DELETE, name) => {
            let options = if req.body.is_empty() {
                Value::Null
            } else {
                req.json()?
            };
            let policy = req
                .param("propagationPolicy")
                .or(options["propagationPolicy"].as_str());
            let propagation = policy
                .map(Propagation::parse)
                .transpose()?
                .unwrap_or_default();
            let body_dry_run = options["dryRun"]
                .as_array()
                .is_some_and(|d| d.iter().any(|v| v == "All"));
            let opts = WriteOptions {
                dry_run: opts.dry_run || body_dry_run,
                ..opts
            };
            match name {
                Some(_) => Ok(json(cluster.delete(&target, propagation, &opts)?)),
                None => Ok(json(cluster.delete_collection(
                    &target,
                    &list_query(&req)?,
                    propagation,
                    &opts,
                )?)),
            }
        }
        (method, _) => Err(Error::MethodNotAllowed(format!(
            "{method} is not supported on this path"
        ))),
    }
}

/// Namespaced creates need the namespace in the path.
fn with_ns(target: &Target) -> Result<Target> {
    if target.kind.namespaced && target.namespace.is_none() {
        return Err(Error::BadRequest(format!(
            "{} must be created in a namespace",
            target.kind.plural
        )));
    }
    Ok(target.clone())
}

fn list_query(req: &Request) -> Result<ListQuery> {
    Ok(ListQuery {
        labels: Labels::parse(req.param("labelSelector").unwrap_or(""))?,
        fields: Fields::parse(req.param("fieldSelector").unwrap_or(""))?,
        limit: req
            .param("limit")
            .map(|l| {
                l.parse()
                    .map_err(|_| Error::BadRequest(format!("invalid limit {l:?}")))
            })
            .transpose()?,
        continue_token: req.param("continue").map(str::to_string),
    })
}

fn watch(cluster: &Cluster, target: &Target, req: &Request) -> Result<Response> {
    let resource_version = match req.param("resourceVersion") {
        Some(rv) => Some(
            rv.parse()
                .map_err(|_| Error::BadRequest(format!("invalid resourceVersion {rv:?}")))?,
        ),
        None => None,
    };
    let timeout = req
        .param("timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .map(Duration::from_secs);
    let query = WatchQuery {
        list: list_query(req)?,
        resource_version,
        bookmarks: req.flag("allowWatchBookmarks"),
        send_initial_events: req.flag("sendInitialEvents"),
        timeout,
    };
    let stream = cluster.watch(target, query)?.map(Ok::<_, Infallible>);
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response())
}

fn json(value: Value) -> Response {
    axum::Json(value).into_response()
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}

fn aggregated_json(value: Value) -> Response {
    let content_type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    ([(header::CONTENT_TYPE, content_type)], axum::Json(value)).into_response()
}
