//! The AppContext as a domain value, composed in memory before it is written: the meta data, the apps in
//! order with their dependencies, and per app its placement and, per cluster, its resources, hooks and CRDs.

use std::collections::BTreeMap;

use canopy_schemas::name::{
    AppName, ClusterRef, CompositeAppName, CompositeAppVersion, ControllerName, DigName,
    LogicalCloudName, ProjectName,
};
use canopy_schemas::{ContextId, Revision};
use serde::{Deserialize, Serialize};

/// One AppContext: everything a DIG revision deploys.
#[derive(Clone, Debug, PartialEq)]
pub struct AppContext {
    /// The context's id.
    pub id: ContextId,
    /// What the context was built from.
    pub meta: Meta,
    /// The apps, in deployment order.
    pub apps: Vec<App>,
}

/// What an AppContext was built from. Stored at `meta`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The project.
    pub project: ProjectName,
    /// The composite app.
    pub composite_app: CompositeAppName,
    /// The composite app's version.
    pub version: CompositeAppVersion,
    /// The deployment intent group.
    pub dig: DigName,
    /// The DIG revision this context deploys.
    pub revision: Revision,
    /// The namespace (of the logical cloud) the apps deploy into.
    pub namespace: String,
    /// The logical cloud the context deploys into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_cloud: Option<LogicalCloudName>,
    /// True for a logical cloud's own context (its namespace and quotas on every referenced cluster). Such a
    /// context names the logical cloud as its composite app and DIG, with version `lc`, since it has neither.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub for_cloud: bool,
}

impl Meta {
    /// The meta data of logical cloud `cloud`'s own context for `revision`.
    pub fn for_cloud(
        project: &ProjectName,
        cloud: &LogicalCloudName,
        revision: Revision,
        namespace: String,
    ) -> Self {
        let name = cloud.as_str();
        Self {
            project: project.clone(),
            composite_app: CompositeAppName::new(name)
                .expect("a logical cloud name is a valid name"),
            version: CompositeAppVersion::new("lc").expect("a valid version"),
            dig: DigName::new(name).expect("a logical cloud name is a valid name"),
            revision,
            namespace,
            logical_cloud: Some(cloud.clone()),
            for_cloud: true,
        }
    }
}

/// One app of the context.
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    /// The app's name.
    pub name: AppName,
    /// The apps that must be deployed or ready before this one is deployed.
    pub depends_on: Vec<Dependency>,
    /// Where the app is placed.
    pub placement: Placement,
    /// What is deployed on each placed cluster.
    pub clusters: BTreeMap<ClusterRef, Manifests>,
}

/// One app's dependency on another app of the context (EMCO's app dependency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// The app depended on.
    pub app: AppName,
    /// What the dependent app waits for.
    pub op_status: OpStatus,
    /// Seconds to wait after that state is reached.
    pub wait: u64,
}

impl Dependency {
    /// A dependency on `app` reaching `op_status`, then `wait` more seconds.
    pub fn new(app: AppName, op_status: OpStatus, wait: u64) -> Self {
        Self {
            app,
            op_status,
            wait,
        }
    }
}

/// The state of an app a dependency waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpStatus {
    /// Every resource of the app is ready.
    Ready,
    /// Every resource of the app is applied.
    Deployed,
}

impl From<canopy_schemas::rest::app::OpStatus> for OpStatus {
    fn from(s: canopy_schemas::rest::app::OpStatus) -> Self {
        match s {
            canopy_schemas::rest::app::OpStatus::Ready => Self::Ready,
            canopy_schemas::rest::app::OpStatus::Deployed => Self::Deployed,
        }
    }
}

/// The placement of one app: the chosen clusters with their groups and scores, and the clusters the
/// placement controllers dropped, with why. Stored at `app/<app>/clusters`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// The chosen clusters, in placement order.
    pub clusters: Vec<Placed>,
    /// The candidate clusters placement controllers dropped, in the order they were dropped. Absent in
    /// values written before it existed, which decode with an empty list.
    #[serde(default)]
    pub dropped: Vec<Dropped>,
}

/// A candidate cluster a placement controller dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    /// The cluster.
    pub cluster: ClusterRef,
    /// The controller that dropped it.
    pub controller: ControllerName,
    /// The controller's reason.
    pub reason: String,
}

/// One cluster chosen for an app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    /// The cluster.
    pub cluster: ClusterRef,
    /// The placement group (EMCO's `anyOf` group index), when the intent has groups.
    pub group: Option<String>,
    /// The placement score, when a placement controller scored the cluster.
    pub score: Option<f64>,
}

/// What one app deploys on one cluster, in apply order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifests {
    /// The resources, in apply order.
    pub resources: Vec<Manifest>,
    /// The hooks, by event, then in the order they run.
    pub hooks: Vec<Hook>,
    /// The CRDs, applied before the resources.
    pub crds: Vec<Manifest>,
}

/// One Kubernetes resource with its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
    /// The body as rendered (YAML text).
    pub body: Vec<u8>,
}

/// One hook resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    /// The event, as Helm spells it (`pre-install`, ...).
    pub event: String,
    /// The resource.
    pub manifest: Manifest,
}

impl From<&canopy_render::manifest::Resource> for Manifest {
    fn from(r: &canopy_render::manifest::Resource) -> Self {
        Self {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            body: r.yaml.clone().into_bytes(),
        }
    }
}

impl From<&canopy_render::manifest::Output> for Manifests {
    fn from(output: &canopy_render::manifest::Output) -> Self {
        Self {
            resources: output.resources.iter().map(Manifest::from).collect(),
            hooks: output
                .hooks
                .iter()
                .map(|h| Hook {
                    event: h.event.as_str().to_owned(),
                    manifest: Manifest::from(&h.resource),
                })
                .collect(),
            crds: output.crds.iter().map(|c| Manifest::from(&**c)).collect(),
        }
    }
}
