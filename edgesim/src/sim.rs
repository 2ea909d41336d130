//! Status simulation: what a real cluster's controllers would write into status.
//!
//! Deployments, StatefulSets and DaemonSets report a new generation as observed but not ready, then ready
//! after the cluster's readiness delay; Pods go from Pending to Running and Ready (or to Succeeded when
//! their `restartPolicy` is `Never`: run to completion, as hook Pods are); Jobs go from active to
//! Complete. Services get a ClusterIP when created, and LoadBalancer Services an ingress address. With a
//! zero delay the ready status is written together with the change itself.

use serde_json::{Value, json};

use crate::clock;

/// Whether objects of this kind (by group and kind name) go through the readiness simulation.
pub fn simulated(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet") | ("", "Pod") | ("batch", "Job")
    )
}

/// Writes the not-ready status of a new generation.
pub fn not_ready(kind: &str, obj: &mut Value) {
    let generation = obj["metadata"]["generation"].clone();
    let replicas = obj["spec"]["replicas"].as_i64().unwrap_or(1);
    obj["status"] = match kind {
        "Deployment" => {
            json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": 0, "availableReplicas": 0, "unavailableReplicas": replicas,
            "conditions": [condition("Available", "False", "MinimumReplicasUnavailable"),
                condition("Progressing", "True", "ReplicaSetUpdated")]})
        }
        "StatefulSet" => {
            json!({"observedGeneration": generation, "replicas": replicas, "currentReplicas": replicas,
            "updatedReplicas": replicas, "readyReplicas": 0, "availableReplicas": 0})
        }
        "DaemonSet" => json!({"observedGeneration": generation, "currentNumberScheduled": 1,
            "desiredNumberScheduled": 1, "numberMisscheduled": 0, "numberReady": 0, "numberAvailable": 0,
            "numberUnavailable": 1, "updatedNumberScheduled": 1}),
        "Pod" => {
            json!({"phase": "Pending", "conditions": [condition("Ready", "False", "ContainersNotReady")]})
        }
        "Job" => json!({"active": 1, "startTime": clock::now()}),
        _ => return,
    };
}

/// Writes the ready (or complete) status of the current generation.
pub fn ready(kind: &str, obj: &mut Value) {
    let generation = obj["metadata"]["generation"].clone();
    let replicas = obj["spec"]["replicas"].as_i64().unwrap_or(1);
    obj["status"] = match kind {
        "Deployment" => {
            json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": replicas, "availableReplicas": replicas,
            "conditions": [condition("Available", "True", "MinimumReplicasAvailable"),
                condition("Progressing", "True", "NewReplicaSetAvailable")]})
        }
        "StatefulSet" => {
            json!({"observedGeneration": generation, "replicas": replicas, "currentReplicas": replicas,
            "updatedReplicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas})
        }
        "DaemonSet" => json!({"observedGeneration": generation, "currentNumberScheduled": 1,
            "desiredNumberScheduled": 1, "numberMisscheduled": 0, "numberReady": 1, "numberAvailable": 1,
            "updatedNumberScheduled": 1}),
        // A Pod that never restarts runs to completion (a hook or a one-off task): it ends Succeeded.
        "Pod" if obj["spec"]["restartPolicy"] == "Never" => json!({"phase": "Succeeded",
            "podIP": "10.244.0.10",
            "conditions": [condition("Ready", "False", "PodCompleted"),
                condition("ContainersReady", "False", "PodCompleted")]}),
        "Pod" => json!({"phase": "Running", "podIP": "10.244.0.10",
            "conditions": [condition("Ready", "True", ""), condition("ContainersReady", "True", "")]}),
        "Job" => {
            let completions = obj["spec"]["completions"].as_i64().unwrap_or(1);
            let start = obj["status"]["startTime"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(clock::now);
            json!({"succeeded": completions, "startTime": start, "completionTime": clock::now(),
                "conditions": [condition("Complete", "True", "")]})
        }
        _ => return,
    };
}

fn condition(kind: &str, status: &str, reason: &str) -> Value {
    let now = clock::now();
    let mut c = json!({"type": kind, "status": status, "lastTransitionTime": now});
    if kind != "Ready" && kind != "ContainersReady" && kind != "Complete" {
        c["lastUpdateTime"] = json!(now);
    }
    if !reason.is_empty() {
        c["reason"] = json!(reason);
    }
    c
}

/// Gives a new Service a ClusterIP (unless it is headless or ExternalName), derived from a counter, and a
/// LoadBalancer Service an ingress address.
pub fn assign_cluster_ip(obj: &mut Value, counter: u64) {
    let spec = &obj["spec"];
    if spec["type"] == "ExternalName" || spec["clusterIP"].is_string() {
        return;
    }
    let n = counter % 65_000 + 10;
    let ip = format!("10.96.{}.{}", n / 256, n % 256);
    obj["spec"]["clusterIP"] = json!(ip);
    obj["spec"]["clusterIPs"] = json!([ip]);
    // A LoadBalancer gets an external address at once, as on an edge cluster with a built-in load
    // balancer (k3s's servicelb, MetalLB).
    if obj["spec"]["type"] == "LoadBalancer" {
        let external = format!("192.0.2.{}", n % 250 + 1);
        obj["status"] = json!({"loadBalancer": {"ingress": [{"ip": external}]}});
    }
}
