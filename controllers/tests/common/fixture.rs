//! Fluent builders for the built-in controllers' tests: clusters, requests, and a served controller with a
//! client.

use canopy_controllers::serve::Serving;
use canopy_controllers::serve_builtin;
use canopy_schemas::controller::{
    AppCandidates, AppResources, Cluster, ClusterGroup, DigIdentity, FilterRequest, Intent,
    KvEntry, Resource, ResourceKey, UpdateRequest, ValidateRequest,
};
use canopy_schemas::ids::{ContextId, Revision};
use canopy_schemas::proto::controller::v1 as pb;
use pb::action_controller_client::ActionControllerClient;
use pb::placement_controller_client::PlacementControllerClient;
use serde_json::{Value, json};
use tonic::transport::Channel;

use super::any_port;

/// The DIG every request is about; it deploys into namespace `default`.
pub fn dig() -> DigIdentity {
    DigIdentity {
        project: "p".parse().unwrap(),
        composite_app: "ca".parse().unwrap(),
        composite_app_version: "v1".parse().unwrap(),
        dig: "dig".parse().unwrap(),
        app_context_id: ContextId::new(42),
        revision: Revision::FIRST,
        namespace: "default".into(),
        logical_cloud: "lc".parse().unwrap(),
        release: "r".into(),
    }
}

/// The intent with `spec`.
pub fn intent(spec: Value) -> Intent {
    Intent {
        controller: "builtin".parse().unwrap(),
        name: "i1".parse().unwrap(),
        spec,
    }
}

/// A cluster `provider+name` to build on.
pub fn cluster(reference: &str) -> Cluster {
    Cluster::new(reference.parse().unwrap())
}

/// Builder methods on [`Cluster`].
pub trait ClusterExt: Sized {
    /// With label `label`.
    fn label(self, label: &str) -> Self;
    /// With kv entry `key: value` in kv-pair `info`.
    fn kv(self, key: &str, value: Value) -> Self;
    /// With canopy's count of apps already placed there.
    fn placed(self, n: u64) -> Self;
}

impl ClusterExt for Cluster {
    fn label(mut self, label: &str) -> Self {
        self.labels.push(label.parse().unwrap());
        self
    }

    fn kv(mut self, key: &str, value: Value) -> Self {
        self.kv.push(KvEntry {
            kv_pair: "info".parse().unwrap(),
            key: key.into(),
            value,
        });
        self
    }

    fn placed(mut self, n: u64) -> Self {
        self.kv.push(KvEntry {
            kv_pair: "canopy".parse().unwrap(),
            key: "placedApps".into(),
            value: json!(n),
        });
        self
    }
}

/// A placement group.
pub fn group(id: &str, mandatory: bool, clusters: Vec<Cluster>) -> ClusterGroup {
    ClusterGroup {
        group: id.into(),
        mandatory,
        clusters,
    }
}

/// A `FilterClusters` request for app `web` with `groups`.
pub fn filter(spec: Value, groups: Vec<ClusterGroup>) -> FilterRequest {
    FilterRequest {
        dig: dig(),
        intent: intent(spec),
        apps: vec![AppCandidates {
            app: "web".parse().unwrap(),
            groups,
        }],
    }
}

/// A resource of namespace `default`.
pub fn resource(api_version: &str, kind: &str, name: &str, body: Value) -> Resource {
    Resource {
        key: ResourceKey::new(api_version, kind, Some("default"), name),
        body,
    }
}

/// The Deployment `name`.
pub fn deployment(name: &str) -> Resource {
    let body = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"}, "spec": {"replicas": 1}});
    resource("apps/v1", "Deployment", name, body)
}

/// An app with its resources and clusters.
pub fn app(name: &str, resources: Vec<Resource>, clusters: Vec<Cluster>) -> AppResources {
    AppResources {
        app: name.parse().unwrap(),
        resources,
        clusters,
    }
}

/// An `UpdateAppContext` request for `apps`.
pub fn update(spec: Value, apps: Vec<AppResources>) -> UpdateRequest {
    UpdateRequest {
        dig: dig(),
        intent: intent(spec),
        apps,
        update_from: None,
    }
}

/// A `ValidateIntent` request message for `spec`.
pub fn validate(spec: Value) -> pb::ValidateIntentRequest {
    ValidateRequest {
        intent: intent(spec),
    }
    .into()
}

/// The built-in `gac`, served on a free port, and a client of it.
pub async fn gac() -> (Serving, ActionControllerClient<Channel>) {
    let serving = serve_builtin("gac", any_port(), std::future::pending())
        .await
        .unwrap();
    let client = ActionControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    (serving, client)
}

/// The built-in `placement`, served on a free port, and a client of it.
pub async fn placement() -> (Serving, PlacementControllerClient<Channel>) {
    let serving = serve_builtin("placement", any_port(), std::future::pending())
        .await
        .unwrap();
    let client = PlacementControllerClient::connect(format!("http://{}", serving.addr()))
        .await
        .unwrap();
    (serving, client)
}

/// The `(field, rule)` pairs of a `ValidateIntent` answer.
pub fn violations(answer: pb::ValidateIntentResponse) -> Vec<(String, String)> {
    answer
        .violations
        .into_iter()
        .map(|v| (v.field, v.rule))
        .collect()
}
