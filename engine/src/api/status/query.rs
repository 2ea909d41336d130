//! The query of a status route (reference §1.4): which AppContext, which view, how much, which apps,
//! clusters and resources, or which list. Parsing is the only place a query parameter is read; every
//! failure is a 400 naming the parameter and what it accepts.

use canopy_schemas::ContextId;
use canopy_schemas::name::ClusterRef;
use canopy_schemas::rest::Violation;

use crate::api::ApiError;

/// Every parameter the status routes accept.
pub const PARAMS: &[&str] = &[
    "instance",
    "status",
    "type",
    "output",
    "app",
    "cluster",
    "resource",
    "apps",
    "clusters",
    "resources",
];

/// Whose view of each resource is shown: rsync's last action, or the cluster's readiness.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// `status=deployed` (`type=rsync`): Pending, Applied, Failed or Deleted.
    #[default]
    Deployed,
    /// `status=ready` (`type=cluster`): Ready, NotReady or NotPresent.
    Ready,
}

/// How much is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Output {
    /// States and counts, without `apps`.
    Summary,
    /// Also every app, cluster and resource.
    #[default]
    All,
    /// Also placement, timestamps, namespaces and messages.
    Detail,
}

/// A list mode, which replaces the status with a list. When several are given, the first in this order wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum List {
    /// `apps`: the app names.
    Apps,
    /// `clusters`: each app's clusters.
    Clusters,
    /// `resources`: each app's resources per cluster.
    Resources,
}

/// A parsed status query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// `instance`: the AppContext to report on; `None` for the object's `statusctxid`.
    pub instance: Option<ContextId>,
    /// `status` or `type`.
    pub view: View,
    /// True when the deprecated `type` was given: EMCO's old field names are used.
    pub legacy: bool,
    /// `output`.
    pub output: Output,
    /// `app` filters; empty keeps every app.
    pub apps: Vec<String>,
    /// `cluster` filters; empty keeps every cluster.
    pub clusters: Vec<ClusterRef>,
    /// `resource` filters (resource names); empty keeps every resource.
    pub resources: Vec<String>,
    /// The list mode that takes precedence, if any.
    pub list: Option<List>,
}

impl Query {
    /// True when `app` passes the `app` filters.
    pub fn keeps_app(&self, app: &str) -> bool {
        self.apps.is_empty() || self.apps.iter().any(|a| a == app)
    }

    /// True when `cluster` passes the `cluster` filters.
    pub fn keeps_cluster(&self, cluster: &ClusterRef) -> bool {
        self.clusters.is_empty() || self.clusters.contains(cluster)
    }

    /// True when a resource named `name` passes the `resource` filters.
    pub fn keeps_resource(&self, name: &str) -> bool {
        self.resources.is_empty() || self.resources.iter().any(|r| r == name)
    }

    /// Parses the query string's pairs, in order.
    pub fn parse(params: Vec<(String, String)>) -> Result<Self, ApiError> {
        let mut q = Self::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (key, value) in params {
            let Some(name) = PARAMS.iter().copied().find(|p| *p == key) else {
                return Err(bad(
                    &key,
                    format!("unknown query parameter; known: {}", PARAMS.join(", ")),
                ));
            };
            let single = !matches!(name, "app" | "cluster" | "resource");
            if single && seen.contains(&name) {
                return Err(bad(name, "may be given once"));
            }
            seen.push(name);
            q.set(name, value)?;
        }
        if seen.contains(&"status") && seen.contains(&"type") {
            return Err(bad(
                "type",
                "is the deprecated form of status; give one of them",
            ));
        }
        Ok(q)
    }

    fn set(&mut self, name: &'static str, value: String) -> Result<(), ApiError> {
        match name {
            "instance" => {
                self.instance = Some(
                    value
                        .parse()
                        .map_err(|_| bad(name, "must be a decimal AppContext id"))?,
                );
            }
            "status" => {
                self.view = match value.as_str() {
                    "deployed" => View::Deployed,
                    "ready" => View::Ready,
                    _ => return Err(bad(name, "must be deployed or ready")),
                };
            }
            "type" => {
                self.legacy = true;
                self.view = match value.as_str() {
                    "rsync" => View::Deployed,
                    "cluster" => View::Ready,
                    _ => return Err(bad(name, "must be rsync or cluster")),
                };
            }
            "output" => {
                self.output = match value.as_str() {
                    "summary" => Output::Summary,
                    "all" => Output::All,
                    "detail" => Output::Detail,
                    _ => return Err(bad(name, "must be summary, all or detail")),
                };
            }
            "app" => self.apps.push(value),
            "cluster" => self.clusters.push(value.parse().map_err(|_| {
                bad(
                    name,
                    "must be <provider>+<cluster> (`+` URL-encoded as %2B)",
                )
            })?),
            "resource" => self.resources.push(value),
            _ => {
                let list = match name {
                    "apps" => List::Apps,
                    "clusters" => List::Clusters,
                    _ => List::Resources,
                };
                let on = match value.as_str() {
                    "" | "true" => true,
                    "false" => false,
                    _ => return Err(bad(name, "takes no value, or true or false")),
                };
                if on {
                    self.list = Some(self.list.map_or(list, |l| l.min(list)));
                }
            }
        }
        Ok(())
    }
}

fn bad(param: &str, rule: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(Violation::new(param, rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &[(&str, &str)]) -> Result<Query, ApiError> {
        Query::parse(
            q.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn defaults_are_emcos() {
        let q = parse(&[]).unwrap();
        assert_eq!(q.view, View::Deployed);
        assert_eq!(q.output, Output::All);
        assert!(!q.legacy && q.list.is_none() && q.instance.is_none());
    }

    #[test]
    fn type_is_the_deprecated_status() {
        let q = parse(&[("type", "cluster")]).unwrap();
        assert_eq!((q.view, q.legacy), (View::Ready, true));
        let q = parse(&[("type", "rsync")]).unwrap();
        assert_eq!((q.view, q.legacy), (View::Deployed, true));
        assert!(parse(&[("type", "rsync"), ("status", "ready")]).is_err());
    }

    #[test]
    fn filters_repeat_and_scalars_do_not() {
        let q = parse(&[
            ("app", "a"),
            ("app", "b"),
            ("cluster", "p+c"),
            ("resource", "r"),
        ])
        .unwrap();
        assert_eq!(q.apps, ["a", "b"]);
        assert_eq!(q.clusters, ["p+c".parse::<ClusterRef>().unwrap()]);
        assert!(q.keeps_resource("r") && !q.keeps_resource("s"));
        assert!(parse(&[("output", "all"), ("output", "detail")]).is_err());
    }

    #[test]
    fn list_modes_take_precedence_apps_then_clusters_then_resources() {
        let q = parse(&[("resources", ""), ("clusters", ""), ("apps", "true")]).unwrap();
        assert_eq!(q.list, Some(List::Apps));
        let q = parse(&[("resources", ""), ("clusters", "")]).unwrap();
        assert_eq!(q.list, Some(List::Clusters));
        let q = parse(&[("resources", ""), ("apps", "false")]).unwrap();
        assert_eq!(q.list, Some(List::Resources));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (k, v) in [
            ("status", "up"),
            ("type", "monitor"),
            ("output", "full"),
            ("instance", "x"),
            ("cluster", "nope"),
            ("apps", "yes"),
            ("colour", "red"),
        ] {
            let e = parse(&[(k, v)]).unwrap_err();
            assert_eq!(e.body.field.as_deref(), Some(k), "{k}={v}");
        }
    }
}
