//! Placement selection: the placement controllers' decisions accumulate in [`Scores`], one controller's
//! [`FilterResponse`] at a time, then [`Scores::select`] picks one cluster per group.
//!
//! - A drop removes the cluster from every group of the app and records who dropped it and why.
//! - A keep adds its score to the cluster's total; scores of several controllers sum, and a cluster no
//!   controller scored totals 0.
//! - Each group keeps its highest-scoring cluster; a tie goes to the smallest `provider+cluster` string.
//!   A group left with no cluster (for a mandatory group: its one cluster was dropped) fails the app.

use std::collections::{BTreeMap, HashMap, HashSet};

use canopy_schemas::controller::{AppCandidates, FilterResponse, Verdict};
use canopy_schemas::name::{AppName, ClusterRef, ControllerName};

use crate::appcontext::{Dropped, Placed, Placement};

/// Decisions could not be applied, or a group has no cluster left. Every variant is terminal.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A controller decided about an app that has no candidates.
    #[error("placement controller {controller} decided about app {app}, which is not being placed")]
    UnknownApp {
        /// The controller.
        controller: ControllerName,
        /// The app.
        app: AppName,
    },
    /// A controller decided about a cluster that is not (or no longer) a candidate of the app.
    #[error(
        "placement controller {controller} decided about cluster {cluster}, which is not a candidate of app {app}"
    )]
    NotCandidate {
        /// The controller.
        controller: ControllerName,
        /// The app.
        app: AppName,
        /// The cluster.
        cluster: ClusterRef,
    },
    /// A group of an app has no cluster left.
    #[error("app {app}: {} group {group} has no cluster left{}", kind(*mandatory), reasons(dropped))]
    EmptyGroup {
        /// The app.
        app: AppName,
        /// The group id.
        group: String,
        /// Whether the group was mandatory (allOf).
        mandatory: bool,
        /// The drops of the group's clusters.
        dropped: Vec<Dropped>,
    },
}

fn kind(mandatory: bool) -> &'static str {
    if mandatory { "mandatory" } else { "anyOf" }
}

fn reasons(dropped: &[Dropped]) -> String {
    let each: Vec<String> = (dropped.iter())
        .map(|d| format!("{} dropped by {}: {}", d.cluster, d.controller, d.reason))
        .collect();
    if each.is_empty() {
        String::new()
    } else {
        format!(" ({})", each.join("; "))
    }
}

impl Error {
    /// Always false: the same decisions select the same way.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The candidates as the placement controllers have left them so far, with each cluster's total score
/// and every drop.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The current candidates: what the next placement controller is shown.
    candidates: Vec<AppCandidates>,
    /// Group ids and their clusters as resolved, before any drop.
    resolved: Vec<AppCandidates>,
    /// Total score per app and cluster; absent when no controller scored the cluster.
    scores: BTreeMap<(AppName, ClusterRef), f64>,
    /// Drops per app, in order.
    dropped: BTreeMap<AppName, Vec<Dropped>>,
}

impl Scores {
    /// Starts from the resolved candidates.
    pub fn new(candidates: Vec<AppCandidates>) -> Self {
        Self {
            resolved: candidates.clone(),
            candidates,
            scores: BTreeMap::new(),
            dropped: BTreeMap::new(),
        }
    }

    /// The current candidates, for the next placement controller's request.
    pub fn candidates(&self) -> &[AppCandidates] {
        &self.candidates
    }

    /// The total score of `cluster` for `app`; `None` when no controller scored it.
    pub fn score(&self, app: &AppName, cluster: &ClusterRef) -> Option<f64> {
        self.scores.get(&(app.clone(), cluster.clone())).copied()
    }

    /// Applies `controller`'s decisions in order, all or none.
    pub fn apply(&mut self, controller: &ControllerName, response: &FilterResponse) -> Result<()> {
        let drops = self.check(controller, response)?;
        for decisions in &response.apps {
            let app = &decisions.app;
            for decision in &decisions.clusters {
                let cluster = &decision.cluster;
                match &decision.verdict {
                    Verdict::Keep { score } => {
                        *self
                            .scores
                            .entry((app.clone(), cluster.clone()))
                            .or_default() += score;
                    }
                    Verdict::Drop { reason } => {
                        self.dropped.entry(app.clone()).or_default().push(Dropped {
                            cluster: cluster.clone(),
                            controller: controller.clone(),
                            reason: reason.clone(),
                        });
                    }
                }
            }
        }
        for (i, dropped) in drops {
            for group in &mut self.candidates[i].groups {
                group.clusters.retain(|c| !dropped.contains(&c.cluster));
            }
        }
        Ok(())
    }

    /// Checks that every decision names an app being placed and a cluster that is still a candidate when
    /// the decision comes (a drop removes the cluster for the decisions after it); answers the clusters
    /// dropped per app, by the app's index in `candidates`.
    fn check(
        &self,
        controller: &ControllerName,
        response: &FilterResponse,
    ) -> Result<HashMap<usize, HashSet<ClusterRef>>> {
        let mut current: HashMap<usize, HashSet<&ClusterRef>> = HashMap::new();
        let mut drops: HashMap<usize, HashSet<ClusterRef>> = HashMap::new();
        for decisions in &response.apps {
            let app = &decisions.app;
            let Some(i) = self.candidates.iter().position(|c| &c.app == app) else {
                return Err(Error::UnknownApp {
                    controller: controller.clone(),
                    app: app.clone(),
                });
            };
            let candidates = current
                .entry(i)
                .or_insert_with(|| self.candidates[i].clusters().map(|c| &c.cluster).collect());
            for decision in &decisions.clusters {
                let cluster = &decision.cluster;
                if !candidates.contains(cluster) {
                    return Err(Error::NotCandidate {
                        controller: controller.clone(),
                        app: app.clone(),
                        cluster: cluster.clone(),
                    });
                }
                if let Verdict::Drop { .. } = decision.verdict {
                    candidates.remove(cluster);
                    drops.entry(i).or_default().insert(cluster.clone());
                }
            }
        }
        Ok(drops)
    }

    /// One cluster per group: the highest total score, ties to the smallest `provider+cluster`. The
    /// placement of each app, in candidate order; a cluster picked by two groups is listed once, under the
    /// first.
    pub fn select(self) -> Result<Vec<(AppName, Placement)>> {
        let mut out = Vec::new();
        for (app, resolved) in self.candidates.iter().zip(&self.resolved) {
            let dropped = self.dropped.get(&app.app).cloned().unwrap_or_default();
            let mut clusters: Vec<Placed> = Vec::new();
            for (group, original) in app.groups.iter().zip(&resolved.groups) {
                let total = |c: &ClusterRef| self.score(&app.app, c).unwrap_or(0.0);
                let best = group.clusters.iter().map(|c| &c.cluster).min_by(|a, b| {
                    total(b)
                        .total_cmp(&total(a))
                        .then_with(|| a.to_string().cmp(&b.to_string()))
                });
                let Some(best) = best else {
                    return Err(Error::EmptyGroup {
                        app: app.app.clone(),
                        group: group.group.clone(),
                        mandatory: group.mandatory,
                        dropped: (dropped.iter())
                            .filter(|d| original.clusters.iter().any(|c| c.cluster == d.cluster))
                            .cloned()
                            .collect(),
                    });
                };
                if clusters.iter().all(|p| &p.cluster != best) {
                    clusters.push(Placed {
                        cluster: best.clone(),
                        group: Some(group.group.clone()),
                        score: self.score(&app.app, best),
                    });
                }
            }
            out.push((app.app.clone(), Placement { clusters, dropped }));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
