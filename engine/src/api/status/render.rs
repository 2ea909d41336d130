//! The JSON of a status answer: EMCO's field names (reference §1.4), or its deprecated ones when the query
//! used `type=`, and what `output` asks for.

use canopy_schemas::name::ClusterRef;
use serde_json::{Map, Value, json};

use super::compute::{
    AppReport, ClusterReport, Counts, Outcome, Report, ResourcesOf, connectivity_name,
    deployed_name, ready_name,
};
use super::query::{Output, Query, View};
use crate::api::time::rfc3339;
use crate::appcontext::{Placed, ResourceProgress};

/// The fields `outcome` adds to the status body, named as `query` asks.
pub fn render(outcome: &Outcome, query: &Query) -> Map<String, Value> {
    let mut out = Map::new();
    match outcome {
        Outcome::Status(report) => status(&mut out, report, query),
        Outcome::Apps(apps) => {
            out.insert("apps".into(), json!(apps));
        }
        Outcome::Clusters(by_app) => {
            let list: Vec<Value> = by_app
                .iter()
                .map(|(app, clusters)| {
                    let clusters: Vec<Value> = clusters.iter().map(cluster_ref).collect();
                    json!({"app": app, "clusters": clusters})
                })
                .collect();
            out.insert("clustersByApp".into(), json!(list));
        }
        Outcome::Resources(by_app) => {
            let list: Vec<Value> = by_app.iter().map(resources_of).collect();
            out.insert("resourcesByApp".into(), json!(list));
        }
    }
    out
}

fn status(out: &mut Map<String, Value>, report: &Report, query: &Query) {
    let state_field = if query.legacy {
        "status"
    } else {
        "deployedStatus"
    };
    out.insert(state_field.into(), json!(report.status.state.as_str()));
    if let Some(reason) = &report.status.reason {
        out.insert("deployedReason".into(), json!(reason));
    }
    if query.legacy {
        match query.view {
            View::Deployed => out.insert("rsyncStatus".into(), counts(&report.deployed_counts)),
            View::Ready => out.insert("clusterStatus".into(), counts(&report.ready_counts)),
        };
    } else {
        out.insert("readyStatus".into(), json!(ready_word(report.ready)));
        out.insert("deployedCounts".into(), counts(&report.deployed_counts));
        out.insert("readyCounts".into(), counts(&report.ready_counts));
    }
    if query.output != Output::Summary {
        let apps: Vec<Value> = report.apps.iter().map(|a| app(a, query)).collect();
        out.insert("apps".into(), json!(apps));
    }
}

fn counts(c: &Counts) -> Value {
    json!(c)
}

const fn ready_word(ready: bool) -> &'static str {
    if ready { "Ready" } else { "NotReady" }
}

fn app(a: &AppReport, query: &Query) -> Value {
    let clusters: Vec<Value> = a.clusters.iter().map(|c| cluster(c, query)).collect();
    let mut v = json!({"name": a.name, "clusters": clusters});
    if query.output == Output::Detail {
        let placed: Vec<Value> = a.placed.iter().map(placed_json).collect();
        let dropped: Vec<Value> = a
            .dropped
            .iter()
            .map(|d| json!({"cluster": d.cluster.to_string(), "controller": d.controller.as_str(), "reason": d.reason}))
            .collect();
        v["placement"] = json!({"clusters": placed, "dropped": dropped});
    }
    v
}

fn placed_json(p: &Placed) -> Value {
    json!({"cluster": p.cluster.to_string(), "group": p.group, "score": p.score})
}

fn cluster_ref(c: &ClusterRef) -> Value {
    json!({"clusterProvider": c.provider.as_str(), "cluster": c.cluster.as_str()})
}

fn cluster(c: &ClusterReport, query: &Query) -> Value {
    let mut v = cluster_ref(&c.placed.cluster);
    v["connectivity"] = json!(connectivity_name(c.connectivity));
    if let Some(e) = &c.last_error {
        v["lastError"] = json!(e);
    }
    if query.legacy && query.view == View::Ready {
        v["readyStatus"] = json!(ready_word(c.ready));
    }
    if query.output == Output::Detail {
        v["group"] = json!(c.placed.group);
        v["score"] = json!(c.placed.score);
        v["phase"] = json!(c.phase.map(|p| p.as_str()));
    }
    let resources: Vec<Value> = c.resources.iter().map(|r| resource(r, query)).collect();
    v["resources"] = json!(resources);
    v
}

fn gvk(r: &ResourceProgress) -> Value {
    json!({"Group": r.group(), "Version": r.version(), "Kind": r.kind})
}

fn resource(r: &ResourceProgress, query: &Query) -> Value {
    let mut v = json!({"GVK": gvk(r), "name": r.name});
    let (field, value) = match (query.view, query.legacy) {
        (View::Deployed, false) => ("deployedStatus", deployed_name(r.deployed)),
        (View::Ready, false) => ("readyStatus", ready_name(r.ready)),
        (View::Deployed, true) => ("rsyncStatus", deployed_name(r.deployed)),
        (View::Ready, true) => ("clusterStatus", ready_name(r.ready)),
    };
    v[field] = json!(value);
    if query.output == Output::Detail {
        if let Some(ns) = &r.namespace {
            v["namespace"] = json!(ns);
        }
        if let Some(m) = &r.message {
            v["message"] = json!(m);
        }
        if let Some(t) = r.applied_at {
            v["appliedAt"] = json!(rfc3339(t));
        }
        if let Some(t) = r.ready_at {
            v["readyAt"] = json!(rfc3339(t));
        }
    }
    v
}

fn resources_of(r: &ResourcesOf) -> Value {
    let resources: Vec<Value> = r
        .resources
        .iter()
        .map(|res| json!({"GVK": gvk(res), "name": res.name}))
        .collect();
    json!({
        "app": r.app,
        "clusterProvider": r.cluster.provider.as_str(),
        "cluster": r.cluster.cluster.as_str(),
        "resources": resources,
    })
}
