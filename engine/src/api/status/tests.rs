//! The pure status computation and its JSON, driven by records built in memory.

use canopy_schemas::Timestamp;
use canopy_schemas::name::AppName;
use serde_json::{Value, json};

use super::compute::{AppRecord, ClusterRecord, Snapshot, compute};
use super::query::Query;
use super::render::render;
use crate::appcontext::{
    AppProgress, Connectivity, Deployed, Phase, Placed, Ready, ResourceProgress, State, Status,
};

fn resource(name: &str, deployed: Deployed, ready: Ready) -> ResourceProgress {
    ResourceProgress {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        name: name.into(),
        namespace: Some("apps".into()),
        deployed,
        ready,
        applied_at: Some(Timestamp::from_unix_nanos(1_700_000_000_000_000_000)),
        ..ResourceProgress::default()
    }
}

/// A snapshot builder: apps with clusters, each written by rsync or not yet.
struct Snap(Snapshot);

impl Snap {
    fn new() -> Self {
        Self(Snapshot {
            status: Status::new(State::Instantiating),
            apps: Vec::new(),
        })
    }

    fn app(mut self, name: &str) -> Self {
        self.0.apps.push(AppRecord {
            name: AppName::new(name).unwrap(),
            clusters: Vec::new(),
            dropped: Vec::new(),
        });
        self
    }

    fn placed(cluster: &str) -> Placed {
        Placed {
            cluster: cluster.parse().unwrap(),
            group: None,
            score: None,
        }
    }

    /// A cluster of the last app that rsync has written.
    fn written(
        mut self,
        cluster: &str,
        connectivity: Connectivity,
        resources: Vec<ResourceProgress>,
    ) -> Self {
        let progress = AppProgress {
            phase: Phase::Applying,
            connectivity,
            last_error: (connectivity == Connectivity::Retrying)
                .then(|| "dial tcp: refused".into()),
            resources,
            updated_at: Timestamp::from_unix_nanos(0),
        };
        self.0
            .apps
            .last_mut()
            .unwrap()
            .clusters
            .push(ClusterRecord {
                placed: Self::placed(cluster),
                progress: Some(progress),
                planned: Vec::new(),
            });
        self
    }

    /// A cluster of the last app that rsync has not written: its planned resources.
    fn unwritten(mut self, cluster: &str, names: &[&str]) -> Self {
        let planned = names
            .iter()
            .map(|n| ("v1".to_owned(), "ConfigMap".to_owned(), (*n).to_owned()))
            .collect();
        self.0
            .apps
            .last_mut()
            .unwrap()
            .clusters
            .push(ClusterRecord {
                placed: Self::placed(cluster),
                progress: None,
                planned,
            });
        self
    }
}

fn two_apps() -> Snapshot {
    Snap::new()
        .app("web")
        .written(
            "p+c1",
            Connectivity::Available,
            vec![
                resource("web", Deployed::Applied, Ready::Ready),
                resource("web-db", Deployed::Failed, Ready::NotPresent),
            ],
        )
        .written(
            "p+c2",
            Connectivity::Retrying,
            vec![resource("web", Deployed::Pending, Ready::NotReady)],
        )
        .app("cache")
        .unwritten("p+c1", &["cache-config"])
        .0
}

fn answer(snapshot: &Snapshot, params: &[(&str, &str)]) -> Value {
    let query = Query::parse(
        params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
    .unwrap();
    Value::Object(render(&compute(snapshot, &query), &query))
}

#[test]
fn counts_every_resource_of_written_and_unwritten_clusters() {
    let out = answer(&two_apps(), &[]);
    assert_eq!(out["deployedStatus"], "Instantiating");
    assert_eq!(out["readyStatus"], "NotReady");
    assert_eq!(
        out["deployedCounts"],
        json!({"Applied": 1, "Failed": 1, "Pending": 2})
    );
    assert_eq!(
        out["readyCounts"],
        json!({"Ready": 1, "NotPresent": 1, "NotReady": 2})
    );
    let c2 = &out["apps"][0]["clusters"][1];
    assert_eq!(c2["connectivity"], "Retrying");
    assert_eq!(c2["lastError"], "dial tcp: refused");
    let cache = &out["apps"][1]["clusters"][0];
    assert_eq!(cache["connectivity"], "Unknown");
    assert!(cache.get("lastError").is_none());
    assert_eq!(
        cache["resources"][0],
        json!({"GVK": {"Group": "", "Version": "v1", "Kind": "ConfigMap"}, "name": "cache-config", "deployedStatus": "Pending"})
    );
}

#[test]
fn ready_view_shows_ready_status_per_resource() {
    let out = answer(&two_apps(), &[("status", "ready")]);
    let r = &out["apps"][0]["clusters"][0]["resources"][0];
    assert_eq!(r["readyStatus"], "Ready");
    assert!(r.get("deployedStatus").is_none());
    assert_eq!(
        r["GVK"],
        json!({"Group": "apps", "Version": "v1", "Kind": "Deployment"})
    );
}

#[test]
fn type_uses_emcos_deprecated_names() {
    let out = answer(&two_apps(), &[("type", "cluster")]);
    assert_eq!(out["status"], "Instantiating");
    assert!(out.get("deployedStatus").is_none() && out.get("readyStatus").is_none());
    assert_eq!(
        out["clusterStatus"],
        json!({"Ready": 1, "NotPresent": 1, "NotReady": 2})
    );
    let c1 = &out["apps"][0]["clusters"][0];
    assert_eq!(c1["readyStatus"], "NotReady");
    assert_eq!(c1["resources"][0]["clusterStatus"], "Ready");
    let out = answer(&two_apps(), &[("type", "rsync")]);
    assert_eq!(
        out["rsyncStatus"],
        json!({"Applied": 1, "Failed": 1, "Pending": 2})
    );
    assert_eq!(
        out["apps"][0]["clusters"][0]["resources"][1]["rsyncStatus"],
        "Failed"
    );
    assert!(out["apps"][0]["clusters"][0].get("readyStatus").is_none());
}

#[test]
fn filters_combine_and_counts_follow_them() {
    let out = answer(
        &two_apps(),
        &[
            ("app", "web"),
            ("app", "cache"),
            ("cluster", "p+c1"),
            ("resource", "web"),
        ],
    );
    assert_eq!(out["deployedCounts"], json!({"Applied": 1}));
    assert_eq!(out["readyStatus"], "Ready");
    assert_eq!(out["apps"][0]["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(out["apps"][1]["clusters"][0]["resources"], json!([]));
}

#[test]
fn summary_omits_apps_and_detail_adds_times_and_placement() {
    let out = answer(&two_apps(), &[("output", "summary")]);
    assert!(out.get("apps").is_none());
    assert_eq!(out["deployedCounts"]["Failed"], 1);
    let out = answer(&two_apps(), &[("output", "detail")]);
    let r = &out["apps"][0]["clusters"][0]["resources"][0];
    assert_eq!(r["appliedAt"], "2023-11-14T22:13:20Z");
    assert_eq!(r["namespace"], "apps");
    assert!(r.get("readyAt").is_none());
    assert_eq!(out["apps"][0]["clusters"][0]["phase"], "Applying");
    assert_eq!(
        out["apps"][0]["placement"]["clusters"][1]["cluster"],
        "p+c2"
    );
}

#[test]
fn list_modes_list_names_only() {
    let snapshot = two_apps();
    assert_eq!(
        answer(&snapshot, &[("resources", ""), ("apps", "")]),
        json!({"apps": ["web", "cache"]})
    );
    assert_eq!(
        answer(&snapshot, &[("clusters", ""), ("app", "web")]),
        json!({"clustersByApp": [{"app": "web", "clusters": [
            {"clusterProvider": "p", "cluster": "c1"}, {"clusterProvider": "p", "cluster": "c2"}]}]})
    );
    let out = answer(&snapshot, &[("resources", ""), ("cluster", "p+c1")]);
    assert_eq!(
        out["resourcesByApp"][1],
        json!({"app": "cache", "clusterProvider": "p", "cluster": "c1", "resources": [
            {"GVK": {"Group": "", "Version": "v1", "Kind": "ConfigMap"}, "name": "cache-config"}]})
    );
    assert_eq!(out["resourcesByApp"].as_array().unwrap().len(), 2);
}
