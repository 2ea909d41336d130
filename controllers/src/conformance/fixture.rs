//! The requests the suite sends: one DIG, the test's intent, and apps with overlapping candidate clusters and
//! a Deployment and a Service each.

use canopy_schemas::controller::{
    AppCandidates, AppResources, Cluster, ClusterGroup, DigIdentity, EventKind, EventRequest,
    FilterRequest, Intent, KvEntry, Resource, ResourceKey, TerminateRequest, UpdateRequest,
};
use canopy_schemas::ids::{ContextId, Revision};
use canopy_schemas::name::{AppName, ClusterLabel, ClusterRef, Name};
use serde_json::{Value, json};

/// The DIG every request is about.
pub(super) fn dig() -> DigIdentity {
    DigIdentity {
        project: name("conformance"),
        composite_app: name("suite"),
        composite_app_version: name("v1"),
        dig: name("dig"),
        app_context_id: ContextId::new(1_000_001),
        revision: Revision::FIRST,
        namespace: "default".into(),
        logical_cloud: name("lc"),
        release: "suite".into(),
    }
}

/// A name the fixture knows to be valid.
fn name<N: std::str::FromStr>(s: &str) -> N {
    s.parse()
        .unwrap_or_else(|_| unreachable!("fixture name {s:?} is valid"))
}

/// A cluster of provider `p1`, with one label and one kv-pair.
fn cluster(name: &str, label: &str) -> Cluster {
    let cluster: ClusterRef = format!("p1+{name}")
        .parse()
        .expect("fixture names are valid");
    Cluster {
        labels: vec![ClusterLabel::new(label).expect("fixture labels are valid")],
        kv: vec![KvEntry {
            kv_pair: Name::new("info").expect("fixture names are valid"),
            key: "zone".into(),
            value: json!(label),
        }],
        ..Cluster::new(cluster)
    }
}

/// The candidates of the `i`th app: a mandatory group and an anyOf group, over clusters that only partly
/// overlap from one app to the next, so a decision about another app's cluster is caught.
fn groups(i: usize) -> Vec<ClusterGroup> {
    let (a, b, c) = (3 * i, 3 * i + 1, 3 * i + 3);
    vec![
        ClusterGroup {
            group: "1".into(),
            mandatory: true,
            clusters: vec![cluster(&format!("c{a}"), "edge")],
        },
        ClusterGroup {
            group: "2".into(),
            mandatory: false,
            clusters: vec![
                cluster(&format!("c{b}"), "edge"),
                cluster(&format!("c{c}"), "core"),
            ],
        },
    ]
}

/// A `FilterClusters` request for `apps` under `intent`.
pub(super) fn filter(intent: &Intent, apps: &[AppName]) -> FilterRequest {
    FilterRequest {
        dig: dig(),
        intent: intent.clone(),
        apps: apps
            .iter()
            .enumerate()
            .map(|(i, app)| AppCandidates {
                app: app.clone(),
                groups: groups(i),
            })
            .collect(),
    }
}

fn resource(api_version: &str, kind: &str, name: &str, body: Value) -> Resource {
    Resource {
        key: ResourceKey::new(api_version, kind, Some("default"), name),
        body,
    }
}

/// The rendered resources of `app`: a Deployment and a Service named after it.
fn resources(app: &AppName) -> Vec<Resource> {
    let meta =
        json!({"name": app.as_str(), "namespace": "default", "labels": {"app": app.as_str()}});
    vec![
        resource(
            "apps/v1",
            "Deployment",
            app.as_str(),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                   "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "main", "image": "nginx"}]}}}}),
        ),
        resource(
            "v1",
            "Service",
            app.as_str(),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": meta,
                   "spec": {"ports": [{"port": 80}]}}),
        ),
    ]
}

/// An `UpdateAppContext` request for `apps` under `intent`, each placed on its first two candidates.
pub(super) fn update(intent: &Intent, apps: &[AppName]) -> UpdateRequest {
    UpdateRequest {
        dig: dig(),
        intent: intent.clone(),
        apps: apps
            .iter()
            .enumerate()
            .map(|(i, app)| AppResources {
                app: app.clone(),
                resources: resources(app),
                clusters: groups(i)
                    .into_iter()
                    .flat_map(|g| g.clusters)
                    .take(2)
                    .collect(),
            })
            .collect(),
        update_from: None,
    }
}

/// A `TerminateAppContext` request under `intent`.
pub(super) fn terminate(intent: &Intent) -> TerminateRequest {
    TerminateRequest {
        dig: dig(),
        intent: intent.clone(),
    }
}

/// A `PostEvent` request for `event` under `intent`.
pub(super) fn event(intent: &Intent, event: EventKind) -> EventRequest {
    EventRequest {
        dig: dig(),
        intent: intent.clone(),
        event,
    }
}

/// JSON specs no controller expects, which it must survive: answer, not panic.
pub(super) fn odd_specs() -> Vec<Value> {
    let mut deep = json!("bottom");
    for _ in 0..64 {
        deep = json!({ "intent": [deep] });
    }
    vec![
        Value::Null,
        json!(42),
        json!("spec"),
        json!([]),
        json!({}),
        json!({"app": 7, "intent": {"allOf": "x"}, "": [null, -1e300, {"\u{0}": true}]}),
        deep,
    ]
}

/// A spec that is not JSON at all.
pub(super) const GARBAGE: &str = "{\"intent\": [unterminated";
