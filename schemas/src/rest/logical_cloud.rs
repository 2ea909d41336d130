//! Logical clouds (EMCO's dcm) and their cluster references, user permissions, quotas and kv-pairs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{Metadata, Validate, Violation, check_dns_label, check_name, check_present};

pub use super::common::KvPairs;

/// A logical cloud: a namespace across the clusters it references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogicalCloud {
    /// Name and description.
    pub metadata: Metadata,
    /// Its namespace, level and user.
    #[serde(default)]
    pub spec: LogicalCloudSpec,
}

/// The settings of a logical cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogicalCloudSpec {
    /// Namespace on every cluster; required at level 1, `default` when omitted at level 0.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `"0"`: admin, reusing each cluster's kubeconfig; `"1"`: standard or privileged, with its own user.
    #[serde(default = "level_one")]
    pub level: String,
    /// Labels put on the namespace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The user of a level-1 cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<LogicalCloudUser>,
}

fn level_one() -> String {
    "1".to_owned()
}

/// The user of a level-1 logical cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogicalCloudUser {
    /// User name.
    pub user_name: String,
    /// E.g. `certificate`.
    #[serde(rename = "type")]
    pub kind: String,
}

impl LogicalCloud {
    /// True for an admin (level 0) cloud.
    pub fn is_admin(&self) -> bool {
        self.spec.level == "0"
    }
}

impl Validate for LogicalCloud {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        let spec = &self.spec;
        match spec.level.as_str() {
            "0" => {
                if !spec.namespace.is_empty() {
                    check_dns_label("spec.namespace", &spec.namespace)?;
                }
            }
            "1" => {
                check_dns_label("spec.namespace", &spec.namespace)?;
                let user = spec
                    .user
                    .as_ref()
                    .ok_or_else(|| Violation::new("spec.user", "is required at level \"1\""))?;
                check_present("spec.user.userName", &user.user_name)?;
                check_present("spec.user.type", &user.kind)?;
            }
            other => {
                return Err(Violation::new(
                    "spec.level",
                    format!("must be \"0\" or \"1\", not {other:?}"),
                ));
            }
        }
        Ok(())
    }
}

/// A cluster that belongs to a logical cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterReference {
    /// Name and description.
    pub metadata: Metadata,
    /// The cluster.
    pub spec: ClusterReferenceSpec,
}

/// The cluster a reference names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterReferenceSpec {
    /// Its provider.
    pub cluster_provider: String,
    /// The cluster.
    pub cluster: String,
    /// Load balancer address. EMCO's Go decoder matches keys case-insensitively, and its own examples write
    /// `loadbalancerIp`, so that spelling is accepted too.
    #[serde(
        rename = "loadBalancerIP",
        alias = "loadbalancerIp",
        alias = "loadBalancerIp",
        default
    )]
    #[serde(skip_serializing_if = "String::is_empty")]
    pub load_balancer_ip: String,
    /// A certificate, set by dcm for level-1 clouds.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub certificate: String,
}

impl Validate for ClusterReference {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        check_name("spec.clusterProvider", &self.spec.cluster_provider)?;
        check_name("spec.cluster", &self.spec.cluster)?;
        let ip = &self.spec.load_balancer_ip;
        if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
            return Err(Violation::new(
                "spec.loadBalancerIP",
                format!("{ip:?} is not an IP address"),
            ));
        }
        Ok(())
    }
}

/// A Kubernetes RBAC permission of a logical cloud's user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPermission {
    /// Name and description.
    pub metadata: Metadata,
    /// The rule.
    pub spec: UserPermissionSpec,
}

/// One RBAC rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPermissionSpec {
    /// Namespace the rule applies to; empty for cluster-wide.
    #[serde(default)]
    pub namespace: String,
    /// API groups (`""` is the core group).
    pub api_groups: Vec<String>,
    /// Resources, e.g. `pods`.
    pub resources: Vec<String>,
    /// Verbs, e.g. `get`.
    pub verbs: Vec<String>,
}

impl Validate for UserPermission {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        if !self.spec.namespace.is_empty() {
            check_dns_label("spec.namespace", &self.spec.namespace)?;
        }
        if self.spec.verbs.is_empty() {
            return Err(Violation::new("spec.verbs", "must name at least one verb"));
        }
        if self.spec.resources.is_empty() {
            return Err(Violation::new(
                "spec.resources",
                "must name at least one resource",
            ));
        }
        Ok(())
    }
}

/// A resource quota of a logical cloud: Kubernetes quota keys to quantities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterQuota {
    /// Name and description.
    pub metadata: Metadata,
    /// E.g. `{"limits.cpu": "400", "pods": "500"}`.
    pub spec: BTreeMap<String, String>,
}

impl Validate for ClusterQuota {
    fn validate(&self) -> Result<(), Violation> {
        self.metadata.validate()?;
        for (k, v) in &self.spec {
            check_present(&format!("spec.{k}"), v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_one_needs_a_namespace_and_a_user() {
        let lc: LogicalCloud =
            serde_json::from_str(r#"{"metadata":{"name":"lc"},"spec":{"namespace":"ns1"}}"#)
                .unwrap();
        assert_eq!(lc.validate().unwrap_err().field, "spec.user");
        let admin: LogicalCloud =
            serde_json::from_str(r#"{"metadata":{"name":"default"},"spec":{"level":"0"}}"#)
                .unwrap();
        assert_eq!(admin.validate(), Ok(()));
        assert!(admin.is_admin());
        let bad: LogicalCloud =
            serde_json::from_str(r#"{"metadata":{"name":"x"},"spec":{"level":"2"}}"#).unwrap();
        assert_eq!(bad.validate().unwrap_err().field, "spec.level");
    }

    #[test]
    fn cluster_reference_accepts_emcos_example_spelling() {
        let r: ClusterReference = serde_json::from_str(
            r#"{"metadata":{"name":"c1"},"spec":{"clusterProvider":"p","cluster":"c1","loadbalancerIp":"0.0.0.0"}}"#,
        )
        .unwrap();
        assert_eq!(r.spec.load_balancer_ip, "0.0.0.0");
        assert_eq!(r.validate(), Ok(()));
    }
}
