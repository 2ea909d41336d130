//! `GET DIG/status` and `GET logical-cloud/status`: EMCO's status query (reference §1.4) over rsync's
//! per-cluster progress.
//!
//! - [`query`]: the parameters, parsed into a [`query::Query`];
//! - [`load`]: reads one AppContext's state, placements and `st/` keys (one prefix range), never a
//!   resource body;
//! - [`compute`]: the pure computation, records and query in, typed answer out;
//! - [`render`]: the answer as EMCO's JSON, with its deprecated names under `type=`.
//!
//! The handlers here only find the object, pick the AppContext and join the parts.

pub mod compute;
pub mod load;
pub mod query;
pub mod render;

#[cfg(test)]
mod tests;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use utoipa::openapi::path::OperationBuilder;

use super::lifecycle::{Params, cloud_id, dig_id};
use super::routes::error_doc;
use super::time::rfc3339;
use super::{Api, ApiError, ApiResult};
use crate::lifecycle::{DigRecord, Target};
use query::Query;

/// The document of a status route.
pub fn doc(noun: &str) -> OperationBuilder {
    OperationBuilder::new()
        .tag("lifecycle")
        .summary(Some(format!("Status of the {noun}")))
        .description(Some(
            "EMCO's status: `states.actions`, the AppContext's state, counts, and per app and cluster rsync's \
             connectivity and each resource's deployed or ready status. Query: instance, \
             status=deployed|ready (deprecated type=rsync|cluster), output=summary|all|detail, repeatable \
             app, cluster (provider+cluster) and resource filters, and the list modes apps, clusters, \
             resources (in that precedence).",
        ))
        .response("200", error_doc("The status"))
        .response("400", error_doc("An unknown or malformed query parameter"))
        .response("404", error_doc("The object or the instance does not exist"))
}

/// `GET DIG/status`.
pub async fn dig_status(
    State(api): State<Api>,
    Path(names): Path<Vec<(String, String)>>,
    params: Params,
) -> ApiResult<Response> {
    let query = Query::parse(params.0)?;
    let (dig, key) = dig_id(&names)?;
    let body = super::resource::load(&api, &key, "deployment intent group").await?;
    let record = api.lifecycle.record(&Target::Dig(dig.clone())).await?;
    let mut out = json!({
        "project": dig.project.as_str(),
        "compositeApp": dig.composite_app.as_str(),
        "compositeAppVersion": dig.version.as_str(),
        "compositeProfile": body.data.pointer("/spec/compositeProfile").cloned().unwrap_or(Value::Null),
        "name": dig.dig.as_str(),
    });
    fill(&api, &mut out, &record, &query).await?;
    Ok(Json(out).into_response())
}

/// `GET logical-cloud/status`.
pub async fn cloud_status(
    State(api): State<Api>,
    Path(names): Path<Vec<(String, String)>>,
    params: Params,
) -> ApiResult<Response> {
    let query = Query::parse(params.0)?;
    let (cloud, key) = cloud_id(&names)?;
    super::resource::load(&api, &key, "logical cloud").await?;
    let record = api.lifecycle.record(&Target::Cloud(cloud.clone())).await?;
    let mut out = json!({
        "project": cloud.project.as_str(),
        "name": cloud.logical_cloud.as_str(),
    });
    fill(&api, &mut out, &record, &query).await?;
    Ok(Json(out).into_response())
}

/// The `states` block: EMCO's `statusctxid` and `actions`.
pub fn states(record: &DigRecord) -> Value {
    let actions: Vec<Value> = record
        .actions
        .iter()
        .map(|a| {
            let mut v = json!({
                "state": a.state.as_str(),
                "instance": a.instance.map(|c| c.to_string()).unwrap_or_default(),
                "time": rfc3339(a.time),
                "revision": a.revision.map_or(0, |r| r.get()),
            });
            if let Some(reason) = &a.reason {
                v["reason"] = json!(reason);
            }
            v
        })
        .collect();
    json!({
        "statusctxid": record.status_context.map(|c| c.to_string()).unwrap_or_default(),
        "actions": actions,
    })
}

/// Adds to `out` the runtime state (unless a list is asked for) and the answer from the chosen AppContext.
async fn fill(api: &Api, out: &mut Value, record: &DigRecord, query: &Query) -> ApiResult<()> {
    if query.list.is_none() {
        out["state"] = json!(record.state.as_str());
        if let Some(reason) = &record.reason {
            out["reason"] = json!(reason);
        }
        out["states"] = states(record);
    }
    let instance = query
        .instance
        .or(record.status_context)
        .or(record.current.map(|c| c.context));
    if query
        .instance
        .is_some_and(|i| !record.revisions.iter().any(|r| r.context == i))
    {
        return Err(ApiError::not_found(format!(
            "instance {} is not an AppContext of this object",
            query.instance.map(|i| i.to_string()).unwrap_or_default()
        )));
    }
    let Some(instance) = instance else {
        return Ok(());
    };
    let snapshot = load::snapshot(api.ctx.as_ref(), instance, query)
        .await
        .map_err(|e| ApiError::from(crate::lifecycle::Error::from(e)))?;
    // `None`: still being built; the states say how far it got.
    if let Some(snapshot) = snapshot {
        let fields: Map<String, Value> = render::render(&compute::compute(&snapshot, query), query);
        if let Value::Object(map) = out {
            map.extend(fields);
        }
    }
    Ok(())
}
