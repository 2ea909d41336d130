//! The decisions about one app's candidates: drop those breaking a rule, score the others, then spread.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use canopy_schemas::controller::placement::Spec;
use canopy_schemas::controller::{AppCandidates, AppDecision, Cluster, ClusterDecision};
use canopy_schemas::name::ClusterRef;

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
    let mut index: HashMap<&ClusterRef, usize> = HashMap::new();
    for group in &app.groups {
        for cluster in &group.clusters {
            match index.entry(&cluster.cluster) {
                Entry::Occupied(seen) => candidates[*seen.get()].mandatory |= group.mandatory,
                Entry::Vacant(slot) => {
                    slot.insert(candidates.len());
                    candidates.push(Candidate {
                        cluster,
                        mandatory: group.mandatory,
                        dropped: rules::failure(spec, cluster),
                        score: 0.0,
                    });
                }
            }
        }
    }
    score::base(&spec.capacity, spec.weights, &mut candidates);
    if let Some(rule) = &spec.spread {
        spread::apply(rule, spec.weights.spread, app, &index, &mut candidates);
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
