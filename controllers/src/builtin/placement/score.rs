//! The score of each kept cluster before spreading:
//! `weights.capacity * capacity + weights.balance * balance`, where
//! - `capacity` is, averaged over the keys of the floor rules (`>=`, `>`), the cluster's value divided by the
//!   largest value of that key among the app's kept clusters (0 without floor rules), in `[0, 1]`;
//! - `balance` is `1 / (1 + placedApps)`, in `(0, 1]`: fewer canopy apps already placed ranks higher.

use canopy_schemas::controller::placement::{CapacityRule, Comparison, Weights};

use super::attrs;
use super::decide::Candidate;

/// Sets the score of every kept candidate.
pub(super) fn base(rules: &[CapacityRule], weights: Weights, candidates: &mut [Candidate]) {
    let mut keys: Vec<&str> = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| matches!(r.op, Comparison::Ge | Comparison::Gt))
    {
        if !keys.contains(&rule.key.as_str()) {
            keys.push(&rule.key);
        }
    }
    let value = |c: &Candidate, key: &str| match attrs::number(c.cluster, key) {
        Some(Ok(n)) => n.max(0.0),
        _ => 0.0,
    };
    let largest: Vec<f64> = keys
        .iter()
        .map(|key| {
            let kept = candidates.iter().filter(|c| c.dropped.is_none());
            kept.map(|c| value(c, key)).fold(0.0, f64::max)
        })
        .collect();
    for c in candidates.iter_mut().filter(|c| c.dropped.is_none()) {
        let shares = keys
            .iter()
            .zip(&largest)
            .map(|(key, max)| match *max > 0.0 {
                true => value(c, key) / max,
                false => 0.0,
            });
        let capacity = match keys.len() {
            0 => 0.0,
            n => shares.sum::<f64>() / n as f64,
        };
        let balance = 1.0 / (1.0 + attrs::placed_apps(c.cluster));
        c.score = weights.capacity * capacity + weights.balance * balance;
    }
}
