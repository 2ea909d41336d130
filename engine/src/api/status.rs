//! `GET DIG/status` and `GET logical-cloud/status`: EMCO's status shape (reference §1.4) from the runtime
//! state and the AppContext. The per-resource `deployedStatus` is `Pending` until rsync reports on it.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use canopy_schemas::ContextId;
use canopy_schemas::name::ClusterRef;
use canopy_schemas::rest::Violation;
use serde_json::{Value, json};
use utoipa::openapi::path::OperationBuilder;

use super::lifecycle::{Params, cloud_id, dig_id};
use super::routes::error_doc;
use super::time::rfc3339;
use super::{Api, ApiError, ApiResult};
use crate::appcontext::{self, Reader};
use crate::lifecycle::{DigRecord, Target};

const PARAMS: &[&str] = &[
    "instance",
    "status",
    "type",
    "output",
    "app",
    "cluster",
    "resource",
    "apps",
    "clusters",
    "resources",
];

/// The document of a status route.
pub fn doc(noun: &str) -> OperationBuilder {
    OperationBuilder::new()
        .tag("lifecycle")
        .summary(Some(format!("Status of the {noun}")))
        .description(Some(
            "EMCO's status: `states.actions`, the AppContext's state, and per app and cluster the resources. \
             Query: instance, status=deployed|ready, output=summary|all|detail, repeatable app, cluster, resource.",
        ))
        .response("200", error_doc("The status"))
        .response("400", error_doc("An unknown or malformed query parameter"))
        .response("404", error_doc("The object or the instance does not exist"))
}

struct Query {
    instance: Option<ContextId>,
    output: String,
    apps: Vec<String>,
    clusters: Vec<String>,
    resources: Vec<String>,
}

fn parse(params: Vec<(String, String)>) -> ApiResult<Query> {
    let mut q = Query {
        instance: None,
        output: "all".to_owned(),
        apps: Vec::new(),
        clusters: Vec::new(),
        resources: Vec::new(),
    };
    for (k, v) in params {
        match k.as_str() {
            "instance" => {
                q.instance = Some(v.parse().map_err(|_| {
                    ApiError::invalid(Violation::new(
                        "instance",
                        "must be a decimal AppContext id",
                    ))
                })?);
            }
            "output" => {
                if !["summary", "all", "detail"].contains(&v.as_str()) {
                    return Err(ApiError::invalid(Violation::new(
                        "output",
                        "must be summary, all or detail",
                    )));
                }
                q.output = v;
            }
            "status" | "type" => {
                if !["deployed", "ready", "rsync", "cluster"].contains(&v.as_str()) {
                    return Err(ApiError::invalid(Violation::new(
                        k.as_str(),
                        "must be deployed or ready (type: rsync or cluster)",
                    )));
                }
            }
            "app" => q.apps.push(v),
            "cluster" => q.clusters.push(v),
            "resource" => q.resources.push(v),
            "apps" | "clusters" | "resources" => {}
            other => {
                return Err(ApiError::invalid(Violation::new(
                    other,
                    format!("unknown query parameter; known: {}", PARAMS.join(", ")),
                )));
            }
        }
    }
    Ok(q)
}

/// `GET DIG/status`.
pub async fn dig_status(
    State(api): State<Api>,
    Path(names): Path<Vec<(String, String)>>,
    params: Params,
) -> ApiResult<Response> {
    let query = parse(params.0)?;
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
    let query = parse(params.0)?;
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

async fn fill(api: &Api, out: &mut Value, record: &DigRecord, query: &Query) -> ApiResult<()> {
    out["state"] = json!(record.state.as_str());
    if let Some(reason) = &record.reason {
        out["reason"] = json!(reason);
    }
    out["states"] = states(record);
    let instance = query
        .instance
        .or(record.status_context)
        .or(record.current.map(|c| c.context));
    let Some(instance) = instance else {
        return Ok(());
    };
    if query.instance.is_some() && !record.revisions.iter().any(|r| r.context == instance) {
        return Err(ApiError::not_found(format!(
            "instance {instance} is not an AppContext of this object"
        )));
    }
    let reader = match Reader::open(api.ctx.as_ref(), instance).await {
        Ok(reader) => reader,
        // Still being built: the states say how far it got.
        Err(appcontext::Error::Incomplete(_)) => return Ok(()),
        Err(e) => return Err(crate::lifecycle::Error::from(e).into()),
    };
    out["deployedStatus"] = json!(reader.status.state.as_str());
    if let Some(reason) = &reader.status.reason {
        out["deployedReason"] = json!(reason);
    }
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut apps = Vec::new();
    let lerr = |e: appcontext::Error| ApiError::from(crate::lifecycle::Error::from(e));
    for (app, _) in reader.apps().await.map_err(lerr)? {
        if !query.apps.is_empty() && !query.apps.iter().any(|a| a == app.as_str()) {
            continue;
        }
        let placement = reader.placement(&app).await.map_err(lerr)?;
        let mut clusters = Vec::new();
        for placed in &placement.clusters {
            if !query.clusters.is_empty() && !query.clusters.contains(&placed.cluster.to_string()) {
                continue;
            }
            let mut resources = Vec::new();
            for (api_version, kind, name) in reader
                .resource_ids(&app, &placed.cluster)
                .await
                .map_err(lerr)?
            {
                if !query.resources.is_empty() && !query.resources.contains(&name) {
                    continue;
                }
                *counts.entry("Pending").or_default() += 1;
                let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
                resources.push(json!({
                    "GVK": {"Group": group, "Version": version, "Kind": kind},
                    "name": name,
                    "deployedStatus": "Pending",
                }));
            }
            clusters.push(cluster_json(
                &placed.cluster,
                placed.group.as_deref(),
                placed.score,
                resources,
                &query.output,
            ));
        }
        let mut a = json!({"name": app.as_str(), "clusters": clusters});
        if query.output == "detail" {
            a["placement"] = placement_json(&placement);
        }
        apps.push(a);
    }
    out["deployedCounts"] = json!(counts);
    if query.output != "summary" {
        out["apps"] = json!(apps);
    }
    Ok(())
}

/// The placement as `detail` shows it: every chosen cluster with its group and score, and every cluster a
/// placement controller dropped, with the controller and its reason.
fn placement_json(placement: &appcontext::Placement) -> Value {
    let clusters: Vec<Value> = placement
        .clusters
        .iter()
        .map(|p| json!({"cluster": p.cluster.to_string(), "group": p.group, "score": p.score}))
        .collect();
    let dropped: Vec<Value> = placement
        .dropped
        .iter()
        .map(|d| json!({"cluster": d.cluster.to_string(), "controller": d.controller.as_str(), "reason": d.reason}))
        .collect();
    json!({"clusters": clusters, "dropped": dropped})
}

fn cluster_json(
    cluster: &ClusterRef,
    group: Option<&str>,
    score: Option<f64>,
    resources: Vec<Value>,
    output: &str,
) -> Value {
    let mut c = json!({
        "clusterProvider": cluster.provider.as_str(),
        "cluster": cluster.cluster.as_str(),
        "connectivity": "Unknown",
        "resources": resources,
    });
    if output == "detail" {
        c["group"] = json!(group);
        c["score"] = json!(score);
    }
    c
}
