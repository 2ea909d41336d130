//! Cluster providers, clusters (multipart with a kubeconfig), cluster labels and kv-pairs.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Metadata, Validate, Violation, check_name};

pub use super::common::KvPairs;

/// A cluster provider: `{metadata}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterProvider {
    /// Name and description.
    pub metadata: Metadata,
}

impl Validate for ClusterProvider {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()
    }
}

/// A cluster: the `metadata` part of its multipart request. The kubeconfig is the `file` part; GitOps
/// clusters have none and name their GitOps objects instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Name and description.
    pub metadata: Metadata,
    /// GitOps settings, for clusters reached through a Git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<ClusterSpec>,
}

/// Optional cluster settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    /// GitOps settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_ops: Option<GitOps>,
}

/// How a GitOps cluster is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitOps {
    /// E.g. `fluxcd`, `azureArcV2`, `anthos`.
    pub git_ops_type: String,
    /// The cluster-sync object holding the repository reference.
    pub git_ops_reference_object: String,
    /// The cluster-sync object holding the resources' location.
    pub git_ops_resource_object: String,
}

impl Cluster {
    /// True when the cluster is reached through GitOps, so it has no kubeconfig.
    pub fn is_git_ops(&self) -> bool {
        self.spec.as_ref().is_some_and(|s| s.git_ops.is_some())
    }
}

impl Validate for Cluster {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        if let Some(g) = self.spec.as_ref().and_then(|s| s.git_ops.as_ref()) {
            check_name("spec.gitOps.gitOpsType", &g.git_ops_type)?;
            check_name(
                "spec.gitOps.gitOpsReferenceObject",
                &g.git_ops_reference_object,
            )?;
            check_name(
                "spec.gitOps.gitOpsResourceObject",
                &g.git_ops_resource_object,
            )?;
        }
        Ok(())
    }
}

/// A cluster label: `{"clusterLabel": "edge"}`. The label is also its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterLabel {
    /// The label; EMCO's name rule.
    pub cluster_label: String,
}

impl Validate for ClusterLabel {
    fn validate(&self) -> Result<(), Violation> {
        check_name("clusterLabel", &self.cluster_label).map(drop)
    }
}
