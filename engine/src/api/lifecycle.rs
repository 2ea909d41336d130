//! The lifecycle routes (docs/DESIGN.md §3, §4): `POST DIG/approve|instantiate|terminate|stop|update|rollback`,
//! `GET DIG/status`, and the logical clouds' `POST .../instantiate|terminate|update|stop` and `GET .../status`.
//! Each POST answers 202 once the transition is committed; the work runs as a saga afterwards.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use canopy_schemas::Revision;
use canopy_schemas::rest::Violation;
use canopy_schemas::rest::dig::Dig;
use canopy_schemas::rest::logical_cloud::LogicalCloud;
use serde::Deserialize;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};

use super::resources::under_dig;
use super::routes::{Routes, error_doc};
use super::status;
use super::{Api, ApiError, ApiResult};
use crate::lifecycle::{self, CloudId, DigId, Operation, Request, Target};
use crate::store::{Key, key};

/// The header that makes a lifecycle POST idempotent.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header set on an answer replayed for a repeated `Idempotency-Key`.
pub const REPLAYED: &str = "idempotent-replayed";

const LOGICAL_CLOUD: &str = "/projects/{project}/logical-clouds/{logicalCloud}";

/// Registers the lifecycle routes.
pub fn register(mut routes: Routes) -> Routes {
    for op in [
        Operation::Approve,
        Operation::Instantiate,
        Operation::Terminate,
        Operation::Stop,
        Operation::Update,
        Operation::Rollback,
    ] {
        routes = routes.route(
            &under_dig(&format!("/{}", op.as_str())),
            post(move |api, url, headers, body| dig_op(api, url, headers, body, op)),
            vec![(HttpMethod::Post, op_doc(op, "deployment intent group"))],
        );
    }
    routes = routes.route(
        &under_dig("/status"),
        get(status::dig_status),
        vec![(HttpMethod::Get, status::doc("deployment intent group"))],
    );
    for op in [
        Operation::Instantiate,
        Operation::Terminate,
        Operation::Update,
        Operation::Stop,
    ] {
        routes = routes.route(
            &format!("{LOGICAL_CLOUD}/{}", op.as_str()),
            post(move |api, url, headers, body| cloud_op(api, url, headers, body, op)),
            vec![(HttpMethod::Post, op_doc(op, "logical cloud"))],
        );
    }
    routes.route(
        &format!("{LOGICAL_CLOUD}/status"),
        get(status::cloud_status),
        vec![(HttpMethod::Get, status::doc("logical cloud"))],
    )
}

fn op_doc(op: Operation, noun: &str) -> OperationBuilder {
    OperationBuilder::new()
        .tag("lifecycle")
        .summary(Some(format!("{op} the {noun}")))
        .description(Some(
            "Answers 202 once the transition is recorded; the work runs afterwards. An `Idempotency-Key` \
             header makes a repeat return the first answer without doing anything again.",
        ))
        .response("202", error_doc("Accepted: `{state, revision, instance}`"))
        .response("404", error_doc("The object, or the rollback revision, does not exist"))
        .response("409", error_doc("The current state forbids the operation; the message names it"))
        .response("422", error_doc("The Idempotency-Key was used for another operation"))
        .response("501", error_doc("A level-1 logical cloud cannot be instantiated yet"))
}

/// A name from a URL; one that breaks the name rule names nothing, so it is not found.
pub fn name<T: std::str::FromStr>(s: &str) -> ApiResult<T>
where
    T::Err: std::fmt::Display,
{
    s.parse()
        .map_err(|e| ApiError::not_found(format!("{s:?}: {e}")))
}

/// The lifecycle target of a DIG's resource-store key.
pub fn dig_target(key: &Key) -> ApiResult<Target> {
    let n = key.names();
    Ok(Target::Dig(DigId {
        project: name(n[0].as_str())?,
        composite_app: name(n[1].as_str())?,
        version: name(n[2].as_str())?,
        dig: name(n[3].as_str())?,
    }))
}

/// The DIG named by a DIG URL.
pub fn dig_id(names: &[(String, String)]) -> ApiResult<(DigId, Key)> {
    let values: Vec<&str> = names.iter().map(|(_, v)| v.as_str()).collect();
    let key = Key::parse(&key::DIG, &values).map_err(|e| ApiError::not_found(e.to_string()))?;
    Ok((
        DigId {
            project: name(values[0])?,
            composite_app: name(values[1])?,
            version: name(values[2])?,
            dig: name(values[3])?,
        },
        key,
    ))
}

/// The logical cloud named by a logical-cloud URL.
pub fn cloud_id(names: &[(String, String)]) -> ApiResult<(CloudId, Key)> {
    let values: Vec<&str> = names.iter().map(|(_, v)| v.as_str()).collect();
    let key =
        Key::parse(&key::LOGICAL_CLOUD, &values).map_err(|e| ApiError::not_found(e.to_string()))?;
    Ok((
        CloudId {
            project: name(values[0])?,
            logical_cloud: name(values[1])?,
        },
        key,
    ))
}

/// EMCO's rollback body: `{metadata:{description}, spec:{revision:"<n>"}}` (a number is accepted too).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackBody {
    #[serde(default)]
    #[allow(dead_code, reason = "EMCO sends it; canopy keeps nothing from it")]
    metadata: Option<serde_json::Value>,
    spec: RollbackSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackSpec {
    revision: serde_json::Value,
}

fn rollback_revision(body: &[u8]) -> ApiResult<Revision> {
    let body: RollbackBody = serde_json::from_slice(body).map_err(|e| {
        ApiError::invalid(Violation::new(
            "spec.revision",
            format!("the body must be {{\"spec\":{{\"revision\":\"<n>\"}}}}: {e}"),
        ))
    })?;
    let text = match &body.spec.revision {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    text.parse().map_err(|_| {
        ApiError::invalid(Violation::new(
            "spec.revision",
            format!("must be a whole number of at least 1, not {text}"),
        ))
    })
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()));
    match key {
        Some(k) => Ok(Some(k.to_owned())),
        None => Err(ApiError::invalid(Violation::new(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ))),
    }
}

async fn dig_op(
    State(api): State<Api>,
    Path(names): Path<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
    op: Operation,
) -> ApiResult<Response> {
    let (dig, key) = dig_id(&names)?;
    let record = api.store.get(&key).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "deployment intent group {:?} does not exist ({key})",
            dig.dig.as_str()
        ))
    })?;
    let mut request = Request::new(op);
    request.idempotency_key = idempotency_key(&headers)?;
    if op == Operation::Rollback {
        request.rollback_to = Some(rollback_revision(&body)?);
    }
    let target = Target::Dig(dig.clone());
    if op == Operation::Instantiate {
        let body: Dig = serde_json::from_value(record.data).map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("stored DIG: {e}"),
            )
        })?;
        let lc = CloudId {
            project: dig.project.clone(),
            logical_cloud: body.spec.logical_cloud.parse().map_err(|e| {
                ApiError::invalid(Violation::new("spec.logicalCloud", format!("{e}")))
            })?,
        };
        let state = api.lifecycle.record(&Target::Cloud(lc)).await?.state;
        if state != canopy_schemas::DigState::Instantiated {
            return Err(lifecycle::Error::LogicalCloud {
                target: target.to_string(),
                logical_cloud: body.spec.logical_cloud,
                state: state.to_string(),
            }
            .into());
        }
    }
    accepted(api.lifecycle.apply(&target, &request).await?)
}

async fn cloud_op(
    State(api): State<Api>,
    Path(names): Path<Vec<(String, String)>>,
    headers: HeaderMap,
    _body: Bytes,
    op: Operation,
) -> ApiResult<Response> {
    let (cloud, key) = cloud_id(&names)?;
    let record = api.store.get(&key).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "logical cloud {:?} does not exist ({key})",
            cloud.logical_cloud.as_str()
        ))
    })?;
    let target = Target::Cloud(cloud);
    let body: LogicalCloud = serde_json::from_value(record.data).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("stored logical cloud: {e}"),
        )
    })?;
    if matches!(op, Operation::Instantiate | Operation::Update) && body.spec.level != "0" {
        return Err(lifecycle::Error::LevelUnsupported(target.to_string()).into());
    }
    if op == Operation::Terminate {
        deployed_digs_refuse(&api, &key, &target).await?;
    }
    let mut request = Request::new(op);
    request.idempotency_key = idempotency_key(&headers)?;
    accepted(api.lifecycle.apply(&target, &request).await?)
}

/// A logical cloud is not terminated from under the DIGs deployed into it (409, naming the first).
async fn deployed_digs_refuse(api: &Api, cloud: &Key, target: &Target) -> ApiResult<()> {
    for referrer in api.store.referrers(cloud, usize::MAX).await? {
        if referrer.kind() != &key::DIG {
            continue;
        }
        let dig = dig_target(&referrer)?;
        let state = api.lifecycle.record(&dig).await?.state;
        if lifecycle::Operation::Delete.check(state).is_err() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("cannot terminate {target}: {dig} is {state}; terminate it first"),
            ));
        }
    }
    Ok(())
}

fn accepted((answer, replayed): (lifecycle::Accepted, bool)) -> ApiResult<Response> {
    let mut response = (StatusCode::ACCEPTED, Json(answer)).into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

impl From<lifecycle::Error> for ApiError {
    fn from(e: lifecycle::Error) -> Self {
        use lifecycle::Error as E;
        let status = match &e {
            E::Refused(_) | E::LogicalCloud { .. } | E::StillTerminating { .. } => {
                StatusCode::CONFLICT
            }
            E::NoRevision { .. } => StatusCode::NOT_FOUND,
            E::KeyReused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            E::LevelUnsupported(_) => StatusCode::NOT_IMPLEMENTED,
            e if e.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = crate::lifecycle::saga::chain(&e);
        if status.is_server_error() {
            tracing::error!(error = %message, "lifecycle request failed");
        }
        ApiError::new(status, message)
    }
}

/// `Query` of repeatable parameters.
pub type Params = Query<Vec<(String, String)>>;
