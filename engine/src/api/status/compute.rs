//! The status computation, with no IO: what was read from one AppContext (its state, each app's
//! placement, and rsync's per-cluster progress) and a [`Query`] in, the typed answer out.

use std::collections::BTreeMap;

use canopy_schemas::name::{AppName, ClusterRef};

use super::query::{List, Output, Query};
use crate::appcontext::{
    AppProgress, Connectivity, Deployed, Dropped, Phase, Placed, Ready, ResourceProgress, Status,
};

/// What a status query reads from one AppContext.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The context's state (its `status` key).
    pub status: Status,
    /// The apps, in deployment order.
    pub apps: Vec<AppRecord>,
}

/// One app of the context.
#[derive(Clone, Debug)]
pub struct AppRecord {
    /// The app.
    pub name: AppName,
    /// Its chosen clusters, in placement order.
    pub clusters: Vec<ClusterRecord>,
    /// The clusters placement controllers dropped.
    pub dropped: Vec<Dropped>,
}

/// One chosen cluster of an app.
#[derive(Clone, Debug)]
pub struct ClusterRecord {
    /// The cluster, with its group and score.
    pub placed: Placed,
    /// What rsync wrote at `st/<cluster>/<app>`; `None` until it writes.
    pub progress: Option<AppProgress>,
    /// The resources the context deploys there, as `(apiVersion, kind, name)`: read only when `progress`
    /// is `None`, to show them as pending.
    pub planned: Vec<(String, String, String)>,
}

impl ClusterRecord {
    /// The cluster's resources: rsync's when it has written, else the planned ones as Pending and NotReady.
    fn resources(&self) -> Vec<ResourceProgress> {
        match &self.progress {
            Some(p) => p.resources.clone(),
            None => self
                .planned
                .iter()
                .map(|(api_version, kind, name)| ResourceProgress {
                    api_version: api_version.clone(),
                    kind: kind.clone(),
                    name: name.clone(),
                    ..ResourceProgress::default()
                })
                .collect(),
        }
    }
}

/// The answer to a status query.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The status itself.
    Status(Report),
    /// `apps`: every app of the context, in order.
    Apps(Vec<AppName>),
    /// `clusters`: each kept app with its kept clusters.
    Clusters(Vec<(AppName, Vec<ClusterRef>)>),
    /// `resources`: each kept app and cluster with its kept resources.
    Resources(Vec<ResourcesOf>),
}

/// One entry of the `resources` list.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourcesOf {
    /// The app.
    pub app: AppName,
    /// The cluster.
    pub cluster: ClusterRef,
    /// Its resources, in apply order.
    pub resources: Vec<ResourceProgress>,
}

/// Counts by status name; only statuses that occur are present.
pub type Counts = BTreeMap<&'static str, u64>;

/// The status of the kept apps, clusters and resources.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The context's state.
    pub status: Status,
    /// Kept resources by `deployedStatus`.
    pub deployed_counts: Counts,
    /// Kept resources by `readyStatus`.
    pub ready_counts: Counts,
    /// True when every kept resource is Ready (also when none is kept).
    pub ready: bool,
    /// The kept apps; empty for `output=summary`.
    pub apps: Vec<AppReport>,
}

/// One app in a [`Report`].
#[derive(Clone, Debug, PartialEq)]
pub struct AppReport {
    /// The app.
    pub name: AppName,
    /// Its kept clusters.
    pub clusters: Vec<ClusterReport>,
    /// Every chosen cluster, for `detail`'s placement.
    pub placed: Vec<Placed>,
    /// The dropped clusters, for `detail`'s placement.
    pub dropped: Vec<Dropped>,
}

/// One cluster of an app in a [`Report`].
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterReport {
    /// The cluster, with its group and score.
    pub placed: Placed,
    /// Whether rsync reaches it; Unknown until rsync writes.
    pub connectivity: Connectivity,
    /// Where the app stands there; `None` until rsync writes.
    pub phase: Option<Phase>,
    /// rsync's last error there.
    pub last_error: Option<String>,
    /// True when every kept resource there is Ready.
    pub ready: bool,
    /// Its kept resources, in apply order.
    pub resources: Vec<ResourceProgress>,
}

/// Answers `query` from `snapshot`.
pub fn compute(snapshot: &Snapshot, query: &Query) -> Outcome {
    match query.list {
        Some(List::Apps) => Outcome::Apps(snapshot.apps.iter().map(|a| a.name.clone()).collect()),
        Some(List::Clusters) => Outcome::Clusters(
            kept_apps(snapshot, query)
                .map(|a| {
                    let clusters = kept_clusters(a, query)
                        .map(|c| c.placed.cluster.clone())
                        .collect();
                    (a.name.clone(), clusters)
                })
                .collect(),
        ),
        Some(List::Resources) => Outcome::Resources(
            kept_apps(snapshot, query)
                .flat_map(|a| {
                    kept_clusters(a, query).map(|c| ResourcesOf {
                        app: a.name.clone(),
                        cluster: c.placed.cluster.clone(),
                        resources: kept_resources(c, query),
                    })
                })
                .collect(),
        ),
        None => Outcome::Status(report(snapshot, query)),
    }
}

fn report(snapshot: &Snapshot, query: &Query) -> Report {
    let mut deployed_counts = Counts::new();
    let mut ready_counts = Counts::new();
    let mut apps = Vec::new();
    for app in kept_apps(snapshot, query) {
        let mut clusters = Vec::new();
        for record in kept_clusters(app, query) {
            let resources = kept_resources(record, query);
            for r in &resources {
                *deployed_counts
                    .entry(deployed_name(r.deployed))
                    .or_default() += 1;
                *ready_counts.entry(ready_name(r.ready)).or_default() += 1;
            }
            let progress = record.progress.as_ref();
            clusters.push(ClusterReport {
                placed: record.placed.clone(),
                connectivity: progress.map_or(Connectivity::Unknown, |p| p.connectivity),
                phase: progress.map(|p| p.phase),
                last_error: progress.and_then(|p| p.last_error.clone()),
                ready: resources.iter().all(|r| r.ready == Ready::Ready),
                resources,
            });
        }
        apps.push(AppReport {
            name: app.name.clone(),
            clusters,
            placed: app.clusters.iter().map(|c| c.placed.clone()).collect(),
            dropped: app.dropped.clone(),
        });
    }
    let ready = ready_counts.keys().all(|k| *k == ready_name(Ready::Ready));
    if query.output == Output::Summary {
        apps.clear();
    }
    Report {
        status: snapshot.status.clone(),
        deployed_counts,
        ready_counts,
        ready,
        apps,
    }
}

fn kept_apps<'a>(snapshot: &'a Snapshot, query: &'a Query) -> impl Iterator<Item = &'a AppRecord> {
    snapshot
        .apps
        .iter()
        .filter(|a| query.keeps_app(a.name.as_str()))
}

fn kept_clusters<'a>(
    app: &'a AppRecord,
    query: &'a Query,
) -> impl Iterator<Item = &'a ClusterRecord> {
    app.clusters
        .iter()
        .filter(|c| query.keeps_cluster(&c.placed.cluster))
}

fn kept_resources(record: &ClusterRecord, query: &Query) -> Vec<ResourceProgress> {
    record
        .resources()
        .into_iter()
        .filter(|r| query.keeps_resource(&r.name))
        .collect()
}

/// EMCO's name of a `deployedStatus`.
pub const fn deployed_name(d: Deployed) -> &'static str {
    match d {
        Deployed::Pending => "Pending",
        Deployed::Applied => "Applied",
        Deployed::Failed => "Failed",
        Deployed::Deleted => "Deleted",
    }
}

/// EMCO's name of a `readyStatus`.
pub const fn ready_name(r: Ready) -> &'static str {
    match r {
        Ready::Ready => "Ready",
        Ready::NotReady => "NotReady",
        Ready::NotPresent => "NotPresent",
    }
}

/// EMCO's name of a cluster's `connectivity`.
pub const fn connectivity_name(c: Connectivity) -> &'static str {
    match c {
        Connectivity::Unknown => "Unknown",
        Connectivity::Available => "Available",
        Connectivity::Retrying => "Retrying",
    }
}
