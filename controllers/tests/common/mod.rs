//! Toy controllers for the tests: a correct placement and action controller, and broken ones.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod fixture;
pub mod gac;
pub mod raw;

use std::net::SocketAddr;
use std::time::Duration;

use canopy_controllers::{ActionController, Error, PlacementController, Result};
use canopy_schemas::controller::{
    AppDecision, ClusterDecision, ClusterSelector, Edit, FilterRequest, FilterResponse, Op, Patch,
    Resource, ResourceKey, UpdateRequest, UpdateResponse, ValidateRequest, Violation,
};
use canopy_schemas::name::ClusterLabel;
use serde_json::json;

/// Port 0 on loopback.
pub fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Keeps the clusters carrying the label in `spec.requireLabel`, scored by their number of kv entries, and
/// drops the others.
pub struct LabelFilter;

fn required_label(request: &ValidateRequest) -> std::result::Result<ClusterLabel, Violation> {
    let label = request
        .intent
        .spec
        .get("requireLabel")
        .and_then(|v| v.as_str());
    let label = label.ok_or_else(|| Violation::new("spec.requireLabel", "must be a string"))?;
    ClusterLabel::new(label).map_err(|e| Violation::new("spec.requireLabel", e))
}

#[async_trait::async_trait]
impl PlacementController for LabelFilter {
    async fn filter_clusters(&self, request: FilterRequest) -> Result<FilterResponse> {
        let label = required_label(&ValidateRequest {
            intent: request.intent.clone(),
        })
        .map_err(|v| Error::InvalidArgument(v.to_string()))?;
        let apps = request.apps.iter().map(|app| AppDecision {
            app: app.app.clone(),
            clusters: app
                .clusters()
                .map(|c| match c.has_label(&label) {
                    true => ClusterDecision::keep(c.cluster.clone(), c.kv.len() as f64),
                    false => ClusterDecision::drop(c.cluster.clone(), format!("no label {label}")),
                })
                .collect(),
        });
        Ok(FilterResponse {
            apps: apps.collect(),
        })
    }

    async fn validate_intent(&self, request: ValidateRequest) -> Result<Vec<Violation>> {
        Ok(required_label(&request).err().into_iter().collect())
    }
}

/// Sets `spec.replicas` on each app's Deployment with a merge patch, adds a ConfigMap to edge clusters and
/// then JSON-patches it.
pub struct Replicas;

fn replicas(request: &ValidateRequest) -> std::result::Result<u64, Violation> {
    let n = request.intent.spec.get("replicas").and_then(|v| v.as_u64());
    n.ok_or_else(|| Violation::new("spec.replicas", "must be a whole number"))
}

#[async_trait::async_trait]
impl ActionController for Replicas {
    async fn update_app_context(&self, request: UpdateRequest) -> Result<UpdateResponse> {
        let n = replicas(&ValidateRequest {
            intent: request.intent.clone(),
        })
        .map_err(|v| Error::InvalidArgument(v.to_string()))?;
        let mut edits = Vec::new();
        for app in &request.apps {
            let edit = |selector, op| Edit {
                app: app.app.clone(),
                selector,
                op,
            };
            let deployments = app.resources.iter().filter(|r| r.key.kind == "Deployment");
            for r in deployments {
                let patch = Patch::Merge(json!({"spec": {"replicas": n}}));
                let target = r.key.clone();
                edits.push(edit(ClusterSelector::all(), Op::Patch { target, patch }));
            }
            let key = ResourceKey::new("v1", "ConfigMap", Some("default"), app.app.as_str());
            let edge = ClusterSelector {
                labels: vec![ClusterLabel::new("edge").expect("valid label")],
                ..ClusterSelector::all()
            };
            let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {}});
            let resource = Resource {
                key: key.clone(),
                body,
            };
            edits.push(edit(edge.clone(), Op::Add(resource)));
            let patch = Patch::Json(vec![
                json!({"op": "add", "path": "/data/replicas", "value": n.to_string()}),
            ]);
            edits.push(edit(edge, Op::Patch { target: key, patch }));
        }
        Ok(UpdateResponse { edits })
    }

    async fn validate_intent(&self, request: ValidateRequest) -> Result<Vec<Violation>> {
        Ok(replicas(&request).err().into_iter().collect())
    }
}

/// Wrongly keeps a cluster that was never a candidate.
pub struct Stowaway;

#[async_trait::async_trait]
impl PlacementController for Stowaway {
    async fn filter_clusters(&self, request: FilterRequest) -> Result<FilterResponse> {
        let stowaway: canopy_schemas::ClusterRef = "p9+elsewhere".parse().expect("valid reference");
        Ok(FilterResponse {
            apps: request
                .apps
                .iter()
                .map(|a| AppDecision {
                    app: a.app.clone(),
                    clusters: vec![ClusterDecision::keep(stowaway.clone(), 1.0)],
                })
                .collect(),
        })
    }
}

/// Wrongly deletes a resource the app does not have.
pub struct Phantom;

#[async_trait::async_trait]
impl ActionController for Phantom {
    async fn update_app_context(&self, request: UpdateRequest) -> Result<UpdateResponse> {
        let edits = request.apps.iter().map(|a| Edit {
            app: a.app.clone(),
            selector: ClusterSelector::all(),
            op: Op::Delete(ResourceKey::new("v1", "Secret", Some("default"), "ghost")),
        });
        Ok(UpdateResponse {
            edits: edits.collect(),
        })
    }

    async fn validate_intent(&self, _request: ValidateRequest) -> Result<Vec<Violation>> {
        Ok(Vec::new())
    }
}

/// Takes far longer than any deadline.
pub struct Sluggish;

#[async_trait::async_trait]
impl PlacementController for Sluggish {
    async fn filter_clusters(&self, _request: FilterRequest) -> Result<FilterResponse> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(FilterResponse::default())
    }
}

/// Panics on any spec that is not an object: a controller that trusts its input.
pub struct Trusting;

#[async_trait::async_trait]
impl PlacementController for Trusting {
    async fn filter_clusters(&self, request: FilterRequest) -> Result<FilterResponse> {
        assert!(request.intent.spec.is_object(), "spec is not an object");
        Ok(FilterResponse::default())
    }
}
