//! What a placement rule reads from a cluster: label values, numeric kv entries and canopy's count of apps
//! already placed there.

use canopy_schemas::controller::Cluster;
use serde_json::Value;

/// The kv-pair name of the entries the engine adds itself.
pub const CANOPY_KV: &str = "canopy";
/// The key of the engine's entry counting the canopy apps already placed on the cluster.
pub const PLACED_APPS: &str = "placedApps";

/// The value of label key `key` on `cluster`: from a label `key=value`, or a label `key` (an empty value);
/// failing that, from a kv entry `key` holding a string, number or boolean (canopy's own entries aside).
pub(super) fn label(cluster: &Cluster, key: &str) -> Option<String> {
    let from_labels = cluster
        .labels
        .iter()
        .find_map(|l| match l.as_str().split_once('=') {
            Some((k, v)) if k == key => Some(v.to_owned()),
            None if l.as_str() == key => Some(String::new()),
            _ => None,
        });
    from_labels.or_else(|| {
        entry(cluster, key).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
    })
}

/// The number under kv key `key`: `None` when the cluster has no such entry, `Err` with the raw JSON when
/// it is neither a number nor a string holding a finite number.
pub(super) fn number(cluster: &Cluster, key: &str) -> Option<Result<f64, String>> {
    entry(cluster, key).map(|v| match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| v.to_string()),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| v.to_string()),
        other => Err(other.to_string()),
    })
}

/// How many canopy apps are already placed on `cluster`; 0 when the engine did not say.
pub(super) fn placed_apps(cluster: &Cluster) -> f64 {
    cluster
        .kv
        .iter()
        .find(|e| e.kv_pair.as_str() == CANOPY_KV && e.key == PLACED_APPS)
        .and_then(|e| e.value.as_f64())
        .filter(|n| n.is_finite() && *n >= 0.0)
        .unwrap_or(0.0)
}

/// The first kv entry with `key`, canopy's own entries aside.
fn entry<'a>(cluster: &'a Cluster, key: &str) -> Option<&'a Value> {
    cluster
        .kv
        .iter()
        .find(|e| e.key == key && e.kv_pair.as_str() != CANOPY_KV)
        .map(|e| &e.value)
}

/// `n` as a reason shows it: whole numbers without a fraction.
pub(super) fn show(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
