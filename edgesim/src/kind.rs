//! The kind registry: which resources a virtual cluster serves, by group, version and plural name.
//!
//! Every cluster starts with the built-in kinds; applying a CustomResourceDefinition adds the kinds it
//! declares (all served versions) and deleting it removes them again.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

/// One served resource: a kind at one group/version, with its plural name and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    /// API group, empty for the core group.
    pub group: String,
    /// API version inside the group, such as `v1`.
    pub version: String,
    /// Kind name, such as `Deployment`.
    pub kind: String,
    /// Lower-case plural used in paths, such as `deployments`.
    pub plural: String,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
}

impl Kind {
    fn new(group: &str, version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            namespaced,
        }
    }

    /// `group/version`, or just `version` for the core group, as used in `apiVersion`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Lower-case singular name used by discovery.
    pub fn singular(&self) -> String {
        self.kind.to_lowercase()
    }
}

/// The kinds every virtual cluster serves from the start.
pub fn builtin() -> Vec<Kind> {
    let k = Kind::new;
    vec![
        k("", "v1", "Namespace", "namespaces", false),
        k("", "v1", "ConfigMap", "configmaps", true),
        k("", "v1", "Secret", "secrets", true),
        k("", "v1", "Service", "services", true),
        k("", "v1", "ServiceAccount", "serviceaccounts", true),
        k("", "v1", "Pod", "pods", true),
        k(
            "",
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            true,
        ),
        k("", "v1", "ResourceQuota", "resourcequotas", true),
        k("apps", "v1", "Deployment", "deployments", true),
        k("apps", "v1", "StatefulSet", "statefulsets", true),
        k("apps", "v1", "DaemonSet", "daemonsets", true),
        k("batch", "v1", "Job", "jobs", true),
        k("batch", "v1", "CronJob", "cronjobs", true),
        k("networking.k8s.io", "v1", "Ingress", "ingresses", true),
        k(
            "networking.k8s.io",
            "v1",
            "NetworkPolicy",
            "networkpolicies",
            true,
        ),
        k("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
        k(
            "rbac.authorization.k8s.io",
            "v1",
            "RoleBinding",
            "rolebindings",
            true,
        ),
        k(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRole",
            "clusterroles",
            false,
        ),
        k(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            false,
        ),
        k(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            true,
        ),
        k(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
        ),
    ]
}

/// The kinds a CustomResourceDefinition declares: one per served version. Malformed definitions yield none.
pub fn from_crd(crd: &Value) -> Vec<Kind> {
    let spec = &crd["spec"];
    let (Some(group), Some(kind), Some(plural)) = (
        spec["group"].as_str(),
        spec["names"]["kind"].as_str(),
        spec["names"]["plural"].as_str(),
    ) else {
        return Vec::new();
    };
    let namespaced = spec["scope"].as_str() != Some("Cluster");
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    versions
        .iter()
        .filter(|v| v["served"].as_bool().unwrap_or(true))
        .filter_map(|v| v["name"].as_str())
        .map(|version| Kind::new(group, version, kind, plural, namespaced))
        .collect()
}

/// The set of kinds one cluster serves. Clusters without CRDs share one list of the built-in kinds (a copy
/// per cluster would cost 10,000 clusters about 60 MB); the first CRD gives its cluster its own copy.
#[derive(Debug, Clone)]
pub struct Registry {
    kinds: Arc<Vec<Kind>>,
}

impl Default for Registry {
    fn default() -> Self {
        static BUILTIN: OnceLock<Arc<Vec<Kind>>> = OnceLock::new();
        Self {
            kinds: BUILTIN.get_or_init(|| Arc::new(builtin())).clone(),
        }
    }
}

impl Registry {
    /// The kind served at `group/version` under `plural`.
    pub fn by_plural(&self, group: &str, version: &str, plural: &str) -> Option<&Kind> {
        self.kinds
            .iter()
            .find(|k| k.group == group && k.version == version && k.plural == plural)
    }

    /// All served kinds.
    pub fn all(&self) -> &[Kind] {
        &self.kinds
    }

    /// Adds (or replaces) the kinds a CRD declares.
    pub fn add_crd(&mut self, crd: &Value) {
        let kinds = Arc::make_mut(&mut self.kinds);
        for kind in from_crd(crd) {
            kinds.retain(|k| {
                !(k.group == kind.group && k.version == kind.version && k.plural == kind.plural)
            });
            kinds.push(kind);
        }
    }

    /// Removes the kinds a CRD declared.
    pub fn remove_crd(&mut self, crd: &Value) {
        let gone = from_crd(crd);
        if self.kinds.iter().any(|k| gone.contains(k)) {
            Arc::make_mut(&mut self.kinds).retain(|k| !gone.contains(k));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_crd_adds_one_kind_per_served_version_and_removal_takes_them_away() {
        let crd = json!({"spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [{"name": "v1", "served": true}, {"name": "v2", "served": false}]}});
        let mut reg = Registry::default();
        reg.add_crd(&crd);
        assert!(reg.by_plural("example.com", "v1", "widgets").is_some());
        assert!(reg.by_plural("example.com", "v2", "widgets").is_none());
        reg.remove_crd(&crd);
        assert!(reg.by_plural("example.com", "v1", "widgets").is_none());
    }
}
