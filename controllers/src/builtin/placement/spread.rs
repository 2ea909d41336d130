//! Spreading an app's clusters over the values (domains) of a topology label.
//!
//! - A kept cluster without the topology label is dropped: it belongs to no domain.
//! - Mandatory (allOf) groups: every kept cluster of them is deployed, so while the most filled domain holds
//!   more than `maxSkew` clusters above the least filled one (over the domains these clusters are in), the
//!   lowest scored cluster of the most filled domain is dropped.
//! - anyOf groups: one cluster of each is deployed, so each of their clusters gets a bonus of
//!   `weights.spread * (most - count) / most` for its domain's count (the mandatory clusters, then each
//!   earlier anyOf group's best cluster), `most` being the largest count (no bonus while it is 0). Groups
//!   are taken in order; a cluster is scored in its first anyOf group.

use std::collections::{BTreeMap, HashMap};

use canopy_schemas::controller::AppCandidates;
use canopy_schemas::controller::placement::Spread;
use canopy_schemas::name::ClusterRef;

use super::attrs;
use super::decide::Candidate;

/// Drops and rescores `candidates` (the app's, once each, at their position in `index`) for `rule`.
pub(super) fn apply(
    rule: &Spread,
    weight: f64,
    app: &AppCandidates,
    index: &HashMap<&ClusterRef, usize>,
    candidates: &mut [Candidate],
) {
    let key = &rule.topology_key;
    let mut domains: Vec<Option<String>> = Vec::with_capacity(candidates.len());
    for c in candidates.iter_mut() {
        let domain = attrs::label(c.cluster, key);
        if c.dropped.is_none() && domain.is_none() {
            c.dropped = Some(format!("spread {key}: cluster has no label {key}"));
        }
        domains.push(domain);
    }
    let mut counts = skew(rule, candidates, &domains);
    let mut scored = vec![false; candidates.len()];
    for group in app.groups.iter().filter(|g| !g.mandatory) {
        let most = counts.values().copied().max().unwrap_or(0);
        let mut best: Option<usize> = None;
        for cluster in &group.clusters {
            let Some(&i) = index.get(&cluster.cluster) else {
                continue;
            };
            let (Some(domain), None) = (&domains[i], &candidates[i].dropped) else {
                continue;
            };
            if !scored[i] && !candidates[i].mandatory && most > 0 {
                let count = counts.get(domain).copied().unwrap_or(0);
                candidates[i].score += weight * (most - count) as f64 / most as f64;
            }
            scored[i] = true;
            if best.is_none_or(|b| candidates[i].score > candidates[b].score) {
                best = Some(i);
            }
        }
        if let Some(domain) = best.and_then(|b| domains[b].clone()) {
            *counts.entry(domain).or_insert(0) += 1;
        }
    }
}

/// Drops mandatory clusters until their domains are within `maxSkew`; answers the count per domain.
fn skew(
    rule: &Spread,
    candidates: &mut [Candidate],
    domains: &[Option<String>],
) -> BTreeMap<String, usize> {
    let key = &rule.topology_key;
    let max_skew = usize::try_from(rule.max_skew.max(1)).unwrap_or(1);
    loop {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (c, domain) in candidates.iter().zip(domains) {
            if let (true, None, Some(d)) = (c.mandatory, &c.dropped, domain) {
                *counts.entry(d.clone()).or_insert(0) += 1;
            }
        }
        let fullest = counts
            .iter()
            .max_by_key(|(d, n)| (**n, std::cmp::Reverse(*d)));
        let emptiest = counts.iter().min_by_key(|(d, n)| (**n, *d));
        let (Some((full, &most)), Some((empty, &least))) = (fullest, emptiest) else {
            return counts;
        };
        if most - least <= max_skew {
            return counts;
        }
        let reason = format!(
            "spread {key} maxSkew {max_skew}: {key}={full} would hold {most} clusters against {least} in {key}={empty}"
        );
        let in_full = (0..candidates.len()).filter(|&i| {
            let c = &candidates[i];
            c.mandatory && c.dropped.is_none() && domains[i].as_deref() == Some(full.as_str())
        });
        let weakest = in_full.min_by(|&a, &b| {
            candidates[a]
                .score
                .total_cmp(&candidates[b].score)
                .then(b.cmp(&a))
        });
        match weakest {
            Some(i) => candidates[i].dropped = Some(reason),
            None => return counts,
        }
    }
}
