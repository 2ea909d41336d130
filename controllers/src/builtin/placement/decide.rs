//! The decisions about one app's candidates: drop those breaking a rule, score the others, then spread.

use canopy_schemas::controller::placement::Spec;
use canopy_schemas::controller::{AppCandidates, AppDecision, Cluster, ClusterDecision};

use super::{rules, score, spread};

/// One candidate cluster of an app, whatever groups it is in.
#[derive(Debug)]
pub(super) struct Candidate<'a> {
    /// The cluster.
    pub(super) cluster: &'a Cluster,
    /// Whether a mandatory (allOf) group holds it, so it is deployed if kept.
    pub(super) mandatory: bool,
    /// Why it is dropped, once it is.
    pub(super) dropped: Option<String>,
    /// Its score while kept.
    pub(super) score: f64,
}

/// Keeps (with a score) or drops each candidate of `app`, once each, in the order of first appearance.
pub(super) fn app(spec: &Spec, app: &AppCandidates) -> AppDecision {
    let mut candidates: Vec<Candidate> = Vec::new();
    for group in &app.groups {
        for cluster in &group.clusters {
            match candidates
                .iter_mut()
                .find(|c| c.cluster.cluster == cluster.cluster)
            {
                Some(seen) => seen.mandatory |= group.mandatory,
                None => candidates.push(Candidate {
                    cluster,
                    mandatory: group.mandatory,
                    dropped: rules::failure(spec, cluster),
                    score: 0.0,
                }),
            }
        }
    }
    score::base(&spec.capacity, spec.weights, &mut candidates);
    if let Some(rule) = &spec.spread {
        spread::apply(rule, spec.weights.spread, app, &mut candidates);
    }
    AppDecision {
        app: app.app.clone(),
        clusters: candidates
            .into_iter()
            .map(|c| match c.dropped {
                Some(reason) => ClusterDecision::drop(c.cluster.cluster.clone(), reason),
                None => ClusterDecision::keep(c.cluster.cluster.clone(), c.score),
            })
            .collect(),
    }
}
