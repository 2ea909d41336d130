//! The rules that drop a cluster: label rules and capacity bounds, each failure worded as a reason naming
//! the rule and what the cluster has.

use canopy_schemas::controller::Cluster;
use canopy_schemas::controller::placement::{CapacityRule, LabelOperator, LabelRule, Spec};

use super::attrs::{self, show};

/// Why `cluster` breaks the first rule of `spec` it breaks, or `None` when it keeps them all.
pub(super) fn failure(spec: &Spec, cluster: &Cluster) -> Option<String> {
    let labels = spec.label_selector.iter().find_map(|r| label(r, cluster));
    labels.or_else(|| spec.capacity.iter().find_map(|r| capacity(r, cluster)))
}

/// Why `cluster` breaks label rule `rule`, if it does.
fn label(rule: &LabelRule, cluster: &Cluster) -> Option<String> {
    let have = attrs::label(cluster, &rule.key);
    let listed = have.as_ref().is_some_and(|v| rule.values.contains(v));
    let holds = match rule.operator {
        LabelOperator::In => listed,
        LabelOperator::NotIn => !listed,
        LabelOperator::Exists => have.is_some(),
        LabelOperator::DoesNotExist => have.is_none(),
    };
    if holds {
        return None;
    }
    let values = match rule.operator {
        LabelOperator::In | LabelOperator::NotIn => format!(" [{}]", rule.values.join(", ")),
        LabelOperator::Exists | LabelOperator::DoesNotExist => String::new(),
    };
    let key = &rule.key;
    let what = match have.as_deref() {
        None => format!("cluster has no label {key}"),
        Some("") => format!("cluster has {key}"),
        Some(v) => format!("cluster has {key}={v}"),
    };
    Some(format!("label {key} {}{values}: {what}", rule.operator))
}

/// Why `cluster` breaks capacity rule `rule`, if it does.
fn capacity(rule: &CapacityRule, cluster: &Cluster) -> Option<String> {
    let key = &rule.key;
    match attrs::number(cluster, key) {
        None => Some(format!("capacity {key}: cluster has no kv entry {key}")),
        Some(Err(raw)) => Some(format!(
            "capacity {key}: kv entry {key} is not a number: {raw}"
        )),
        Some(Ok(have)) if rule.op.holds(have, rule.value) => None,
        Some(Ok(have)) => Some(format!(
            "capacity {key} {} {}: cluster has {}",
            rule.op,
            show(rule.value),
            show(have)
        )),
    }
}
