//! Readiness rules (docs/DESIGN.md §7): whether a live object is ready by its kind's rule. Pure functions
//! of the object as the cluster reports it; kinds without a rule are ready once they exist.

use canopy_engine::appcontext::Ready;
use serde_json::Value;

/// Whether `obj`, a live object of kind `kind`, is ready. Never [`Ready::NotPresent`]: an object that is
/// judged exists.
pub fn judge(kind: &str, obj: &Value) -> Ready {
    judge_parts(kind, int(&obj["metadata"]["generation"]), obj)
}

/// As [`judge`], for an object whose metadata is held apart (a watched `DynamicObject`): `generation` is
/// its `metadata.generation`, and `obj` holds its other top-level fields (`spec`, `status`). Nothing is
/// copied, and a kind without a rule looks at nothing.
pub fn judge_parts(kind: &str, generation: Option<i64>, obj: &Value) -> Ready {
    let ready = match kind {
        "Deployment" => deployment(generation, obj),
        "StatefulSet" => stateful_set(generation, obj),
        "DaemonSet" => daemon_set(generation, obj),
        "Job" => job_complete(obj),
        "Pod" => pod(obj),
        "Service" => service(obj),
        "PersistentVolumeClaim" => obj["status"]["phase"] == "Bound",
        _ => true,
    };
    if ready { Ready::Ready } else { Ready::NotReady }
}

/// True when a Job has completed: `succeeded` reached `completions` (default 1), or condition Complete.
pub fn job_complete(obj: &Value) -> bool {
    let completions = int(&obj["spec"]["completions"]).unwrap_or(1);
    int(&obj["status"]["succeeded"]).unwrap_or(0) >= completions
        || condition(obj, "Complete") == Some(true)
}

/// True when a Job has failed for good (condition Failed=True).
pub fn job_failed(obj: &Value) -> bool {
    condition(obj, "Failed") == Some(true)
}

/// The status of condition `kind` in `status.conditions`, if present.
pub fn condition(obj: &Value, kind: &str) -> Option<bool> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
        .map(|c| c["status"] == "True")
}

/// The controller has seen the current spec: `status.observedGeneration >= metadata.generation`.
fn observed(generation: Option<i64>, obj: &Value) -> bool {
    match generation {
        Some(generation) => int(&obj["status"]["observedGeneration"]).unwrap_or(0) >= generation,
        None => true,
    }
}

fn replicas(obj: &Value) -> i64 {
    int(&obj["spec"]["replicas"]).unwrap_or(1)
}

fn status_int(obj: &Value, field: &str) -> i64 {
    int(&obj["status"][field]).unwrap_or(0)
}

/// As Helm's `--wait`: the new generation observed, every replica updated and available.
fn deployment(generation: Option<i64>, obj: &Value) -> bool {
    let want = replicas(obj);
    observed(generation, obj)
        && status_int(obj, "updatedReplicas") >= want
        && status_int(obj, "availableReplicas") >= want
}

fn stateful_set(generation: Option<i64>, obj: &Value) -> bool {
    let status = &obj["status"];
    let revisions_match = match (
        status["updateRevision"].as_str(),
        status["currentRevision"].as_str(),
    ) {
        (Some(update), Some(current)) => update == current,
        _ => true,
    };
    observed(generation, obj)
        && status_int(obj, "readyReplicas") >= replicas(obj)
        && revisions_match
}

fn daemon_set(generation: Option<i64>, obj: &Value) -> bool {
    let desired = status_int(obj, "desiredNumberScheduled");
    observed(generation, obj)
        && !obj["status"].is_null()
        && status_int(obj, "numberReady") >= desired
}

fn pod(obj: &Value) -> bool {
    match obj["status"]["phase"].as_str() {
        Some("Succeeded") => true,
        Some("Running") => condition(obj, "Ready") == Some(true),
        _ => false,
    }
}

fn service(obj: &Value) -> bool {
    if obj["spec"]["type"] != "LoadBalancer" {
        return true;
    }
    obj["status"]["loadBalancer"]["ingress"]
        .as_array()
        .is_some_and(|i| !i.is_empty())
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64()
}

#[cfg(test)]
mod tests;
