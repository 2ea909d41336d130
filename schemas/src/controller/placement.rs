//! The intent spec of the built-in scoring placement controller: label rules and capacity floors that drop
//! clusters, weights that score the clusters kept, and a spread rule over a topology label.
//!
//! ```json
//! {
//!   "labelSelector": [{"key": "region", "operator": "In", "values": ["eu", "us"]},
//!                     {"key": "gpu", "operator": "Exists"}],
//!   "capacity": [{"key": "cpu", "op": ">=", "value": 4}],
//!   "spread": {"topologyKey": "region", "maxSkew": 1},
//!   "weights": {"capacity": 1.0, "balance": 1.0, "spread": 1.0}
//! }
//! ```
//!
//! Every field may be left out. The meaning of each rule, the score formula and the spread semantics are in
//! `docs/controllers.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A placement intent spec.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spec {
    /// Every rule must hold for a cluster to be kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label_selector: Vec<LabelRule>,
    /// Every floor or ceiling must hold for a cluster to be kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity: Vec<CapacityRule>,
    /// How evenly the app's clusters spread over a topology label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
    /// How much each part of the score counts.
    #[serde(default)]
    pub weights: Weights,
}

/// A rule on one label key, as in a Kubernetes label selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelRule {
    /// The label key.
    pub key: String,
    /// How the key's value is tested.
    pub operator: LabelOperator,
    /// The values for `In` and `NotIn`; empty for `Exists` and `DoesNotExist`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// How a [`LabelRule`] tests its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabelOperator {
    /// The cluster has the key with one of the values.
    In,
    /// The cluster lacks the key, or has it with none of the values.
    NotIn,
    /// The cluster has the key.
    Exists,
    /// The cluster lacks the key.
    DoesNotExist,
}

/// A bound on one numeric kv entry of the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapacityRule {
    /// The kv entry's key, e.g. `cpu`.
    pub key: String,
    /// The comparison: the cluster's value on the left.
    pub op: Comparison,
    /// The bound.
    pub value: f64,
}

/// A comparison of the cluster's value with a [`CapacityRule`]'s bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparison {
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `==`
    #[serde(rename = "==")]
    Eq,
}

/// Spread an app's clusters over the values of a topology label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spread {
    /// The label key whose values are the domains, e.g. `region`.
    pub topology_key: String,
    /// The largest allowed difference between the most and the least filled domain; at least 1.
    pub max_skew: i64,
}

/// The weight of each part of a cluster's score; each finite and not negative.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Weights {
    /// Of the normalised capacity.
    #[serde(default = "one")]
    pub capacity: f64,
    /// Of the balance (fewer canopy apps already placed ranks higher).
    #[serde(default = "one")]
    pub balance: f64,
    /// Of the spread bonus for under-filled domains in anyOf groups.
    #[serde(default = "one")]
    pub spread: f64,
}

fn one() -> f64 {
    1.0
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            capacity: 1.0,
            balance: 1.0,
            spread: 1.0,
        }
    }
}

impl Comparison {
    /// Whether `have <op> bound` holds.
    pub fn holds(self, have: f64, bound: f64) -> bool {
        match self {
            Self::Ge => have >= bound,
            Self::Gt => have > bound,
            Self::Le => have <= bound,
            Self::Lt => have < bound,
            Self::Eq => have == bound,
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ge => ">=",
            Self::Gt => ">",
            Self::Le => "<=",
            Self::Lt => "<",
            Self::Eq => "==",
        })
    }
}

impl fmt::Display for LabelOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests;
