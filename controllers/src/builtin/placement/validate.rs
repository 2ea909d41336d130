//! `ValidateIntent` for placement: the spec must decode as a [`Spec`] (known operators, no unknown fields),
//! and each rule must be usable. Violations name fields by their path inside the spec.

use canopy_schemas::controller::Violation;
use canopy_schemas::controller::placement::{LabelOperator, Spec};
use serde_json::Value;

use crate::builtin::decode;

/// The spec, or every rule it breaks.
pub(super) fn check(spec: &Value) -> Result<Spec, Vec<Violation>> {
    let spec: Spec = decode::spec(spec).map_err(|v| vec![v])?;
    let mut found = Vec::new();
    for (i, rule) in spec.label_selector.iter().enumerate() {
        let field = |f: &str| format!("labelSelector[{i}].{f}");
        if rule.key.is_empty() {
            found.push(Violation::new(field("key"), "is required"));
        }
        match rule.operator {
            LabelOperator::In | LabelOperator::NotIn if rule.values.is_empty() => {
                found.push(Violation::new(
                    field("values"),
                    format!("must not be empty for {}", rule.operator),
                ))
            }
            LabelOperator::Exists | LabelOperator::DoesNotExist if !rule.values.is_empty() => found
                .push(Violation::new(
                    field("values"),
                    format!("must be empty for {}", rule.operator),
                )),
            _ => {}
        }
    }
    for (i, rule) in spec.capacity.iter().enumerate() {
        if rule.key.is_empty() {
            found.push(Violation::new(format!("capacity[{i}].key"), "is required"));
        }
        if !rule.value.is_finite() {
            found.push(Violation::new(
                format!("capacity[{i}].value"),
                "must be a finite number",
            ));
        }
    }
    if let Some(spread) = &spec.spread {
        if spread.topology_key.is_empty() {
            found.push(Violation::new("spread.topologyKey", "is required"));
        }
        if spread.max_skew < 1 {
            found.push(Violation::new(
                "spread.maxSkew",
                format!("must be at least 1, not {}", spread.max_skew),
            ));
        }
    }
    let weights = spec.weights;
    for (name, w) in [
        ("capacity", weights.capacity),
        ("balance", weights.balance),
        ("spread", weights.spread),
    ] {
        if !w.is_finite() || w < 0.0 {
            found.push(Violation::new(
                format!("weights.{name}"),
                "must be a finite number, not negative",
            ));
        }
    }
    match found.is_empty() {
        true => Ok(spec),
        false => Err(found),
    }
}
