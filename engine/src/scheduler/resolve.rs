//! Generic placement resolution with EMCO's semantics (docs/DESIGN.md §4): an app's placement intents and
//! the cluster catalog give the app's candidate clusters in groups.
//!
//! - Every cluster an allOf item names, or every cluster its label resolves to, is its own *mandatory*
//!   group: all of them are deployed.
//! - Each anyOf list (top level, or nested inside an allOf item) is one *optional* group of every cluster its
//!   items resolve to; one cluster of it is deployed. An anyOf list that resolves to no cluster adds no
//!   group, as in EMCO.
//! - Only clusters of the logical cloud count, when its cluster references are given.
//!
//! Group ids are `"1"`, `"2"`, ... per app: allOf items in order (each resolved cluster, then the item's
//! nested anyOf list), then the top-level anyOf list, intent by intent. A cluster appears at most once in a
//! group, in catalog order for labels and intent order otherwise.

use std::collections::BTreeSet;

use canopy_schemas::controller::{AppCandidates, Cluster, ClusterGroup};
use canopy_schemas::name::{self, AppName, ClusterLabel, ClusterRef};
use canopy_schemas::rest::dig::{AppIntent, PlacementItem};

/// Placement could not be resolved. Every variant is terminal: the intents or the catalog must change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An app of the composite app has no placement intent.
    #[error("app {app} has no placement intent")]
    NoIntent {
        /// The app.
        app: AppName,
    },
    /// An intent names an app the composite app does not have.
    #[error("placement intent {intent} is for app {app:?}, which the composite app does not have")]
    UnknownApp {
        /// The intent.
        intent: String,
        /// The app it names.
        app: String,
    },
    /// A name in an intent breaks EMCO's name rule.
    #[error("app {app}: {field}: {source}")]
    BadName {
        /// The app.
        app: String,
        /// The field path within the intent.
        field: String,
        /// Why.
        #[source]
        source: name::Error,
    },
    /// An allOf item names a cluster that does not exist.
    #[error("app {app}: {field} names cluster {cluster}, which does not exist")]
    UnknownCluster {
        /// The app.
        app: AppName,
        /// The field path within the intent.
        field: String,
        /// The cluster.
        cluster: ClusterRef,
    },
    /// An allOf item names a cluster outside the logical cloud.
    #[error("app {app}: {field} names cluster {cluster}, which is not in the DIG's logical cloud")]
    OutsideLogicalCloud {
        /// The app.
        app: AppName,
        /// The field path within the intent.
        field: String,
        /// The cluster.
        cluster: ClusterRef,
    },
    /// The app's intents resolve to no cluster at all.
    #[error("no compatible clusters for app {app}")]
    NoCompatibleClusters {
        /// The app.
        app: AppName,
    },
}

impl Error {
    /// Always false: a retry resolves the same intents against the same catalog.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The candidates of every app in `apps`, in that order. `intents` may hold several intents for one app;
/// their groups add up. `allowed` is the logical cloud's cluster references, `None` for no restriction.
pub fn resolve(
    apps: &[AppName],
    intents: &[AppIntent],
    catalog: &[Cluster],
    allowed: Option<&BTreeSet<ClusterRef>>,
) -> Result<Vec<AppCandidates>> {
    if let Some(stray) = intents
        .iter()
        .find(|i| !apps.iter().any(|a| a.as_str() == i.spec.app))
    {
        return Err(Error::UnknownApp {
            intent: stray.metadata.name.clone(),
            app: stray.spec.app.clone(),
        });
    }
    apps.iter()
        .map(|app| {
            let mine: Vec<&AppIntent> = (intents.iter())
                .filter(|i| i.spec.app == app.as_str())
                .collect();
            if mine.is_empty() {
                return Err(Error::NoIntent { app: app.clone() });
            }
            let mut resolver = Resolver {
                app,
                catalog,
                allowed,
                groups: Vec::new(),
            };
            for intent in mine {
                resolver.intent(intent)?;
            }
            if resolver.groups.is_empty() {
                return Err(Error::NoCompatibleClusters { app: app.clone() });
            }
            Ok(AppCandidates {
                app: app.clone(),
                groups: resolver.groups,
            })
        })
        .collect()
}

/// Resolves the intents of one app into its groups.
struct Resolver<'a> {
    app: &'a AppName,
    catalog: &'a [Cluster],
    allowed: Option<&'a BTreeSet<ClusterRef>>,
    groups: Vec<ClusterGroup>,
}

impl Resolver<'_> {
    fn intent(&mut self, intent: &AppIntent) -> Result<()> {
        for (i, item) in intent.spec.intent.all_of.iter().enumerate() {
            let field = format!("{}: spec.intent.allOf[{i}]", intent.metadata.name);
            for cluster in self.item(item, &field, true)? {
                self.push(true, vec![cluster]);
            }
            if !item.any_of.is_empty() {
                let group = self.any_of(&item.any_of, &format!("{field}.anyOf"))?;
                self.push(false, group);
            }
        }
        if !intent.spec.intent.any_of.is_empty() {
            let field = format!("{}: spec.intent.anyOf", intent.metadata.name);
            let group = self.any_of(&intent.spec.intent.any_of, &field)?;
            self.push(false, group);
        }
        Ok(())
    }

    /// Adds a group with the next id; an empty one is not added.
    fn push(&mut self, mandatory: bool, clusters: Vec<Cluster>) {
        if clusters.is_empty() {
            return;
        }
        self.groups.push(ClusterGroup {
            group: (self.groups.len() + 1).to_string(),
            mandatory,
            clusters,
        });
    }

    /// Every cluster an anyOf list resolves to, each once.
    fn any_of(&self, items: &[PlacementItem], field: &str) -> Result<Vec<Cluster>> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (j, item) in items.iter().enumerate() {
            for cluster in self.item(item, &format!("{field}[{j}]"), false)? {
                if seen.insert(cluster.cluster.clone()) {
                    out.push(cluster);
                }
            }
        }
        Ok(out)
    }

    /// The clusters one item resolves to, within the logical cloud. A cluster named in a `mandatory` item
    /// must exist and be in the logical cloud.
    fn item(&self, item: &PlacementItem, field: &str, mandatory: bool) -> Result<Vec<Cluster>> {
        let provider = self.name(&format!("{field}.clusterProvider"), &item.cluster_provider)?;
        let allowed = |c: &ClusterRef| self.allowed.is_none_or(|a| a.contains(c));
        if let Some(cluster) = &item.cluster {
            let cluster =
                ClusterRef::new(provider, self.name(&format!("{field}.cluster"), cluster)?);
            let found = self.catalog.iter().find(|c| c.cluster == cluster);
            return match found {
                Some(c) if allowed(&c.cluster) => Ok(vec![c.clone()]),
                Some(_) if mandatory => Err(Error::OutsideLogicalCloud {
                    app: self.app.clone(),
                    field: format!("{field}.cluster"),
                    cluster,
                }),
                None if mandatory => Err(Error::UnknownCluster {
                    app: self.app.clone(),
                    field: format!("{field}.cluster"),
                    cluster,
                }),
                _ => Ok(Vec::new()),
            };
        }
        let Some(label) = &item.cluster_label else {
            return Ok(Vec::new());
        };
        let label: ClusterLabel = self.name(&format!("{field}.clusterLabel"), label)?;
        Ok((self.catalog.iter())
            .filter(|c| {
                c.cluster.provider == provider && c.has_label(&label) && allowed(&c.cluster)
            })
            .cloned()
            .collect())
    }

    fn name<T: From<name::Name>>(&self, field: &str, value: &str) -> Result<T> {
        name::Name::new(value)
            .map(T::from)
            .map_err(|source| Error::BadName {
                app: self.app.to_string(),
                field: field.to_owned(),
                source,
            })
    }
}

#[cfg(test)]
mod tests;
