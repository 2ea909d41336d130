use serde_json::json;

use super::*;

fn is_ready(kind: &str, obj: Value) -> bool {
    judge(kind, &obj) == Ready::Ready
}

#[test]
fn a_deployment_is_ready_when_its_generation_is_observed_and_every_replica_available() {
    let ready = json!({"metadata": {"generation": 2}, "spec": {"replicas": 3},
        "status": {"observedGeneration": 2, "updatedReplicas": 3, "availableReplicas": 3, "readyReplicas": 3}});
    assert!(is_ready("Deployment", ready.clone()));
    let mut old_generation = ready.clone();
    old_generation["status"]["observedGeneration"] = json!(1);
    assert!(!is_ready("Deployment", old_generation));
    let mut unavailable = ready.clone();
    unavailable["status"]["availableReplicas"] = json!(2);
    assert!(!is_ready("Deployment", unavailable));
    let mut not_updated = ready;
    not_updated["status"]["updatedReplicas"] = json!(1);
    assert!(!is_ready("Deployment", not_updated));
}

#[test]
fn a_deployment_without_replicas_wants_one_and_without_status_is_not_ready() {
    let one = json!({"metadata": {"generation": 1}, "spec": {},
        "status": {"observedGeneration": 1, "updatedReplicas": 1, "availableReplicas": 1}});
    assert!(is_ready("Deployment", one));
    assert!(!is_ready(
        "Deployment",
        json!({"metadata": {"generation": 1}, "spec": {}})
    ));
}

#[test]
fn a_stateful_set_needs_ready_replicas_and_matching_revisions() {
    let ready = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 1, "readyReplicas": 2, "updateRevision": "r2", "currentRevision": "r2"}});
    assert!(is_ready("StatefulSet", ready.clone()));
    let mut rolling = ready.clone();
    rolling["status"]["currentRevision"] = json!("r1");
    assert!(!is_ready("StatefulSet", rolling));
    let mut short = ready;
    short["status"]["readyReplicas"] = json!(1);
    assert!(!is_ready("StatefulSet", short));
}

#[test]
fn a_daemon_set_is_ready_when_every_scheduled_pod_is_ready() {
    let ready = json!({"metadata": {"generation": 1},
        "status": {"observedGeneration": 1, "desiredNumberScheduled": 3, "numberReady": 3}});
    assert!(is_ready("DaemonSet", ready.clone()));
    let mut short = ready;
    short["status"]["numberReady"] = json!(2);
    assert!(!is_ready("DaemonSet", short));
    assert!(!is_ready(
        "DaemonSet",
        json!({"metadata": {"generation": 1}})
    ));
}

#[test]
fn a_job_is_ready_when_it_completed() {
    assert!(is_ready(
        "Job",
        json!({"spec": {"completions": 2}, "status": {"succeeded": 2}})
    ));
    assert!(!is_ready(
        "Job",
        json!({"spec": {"completions": 2}, "status": {"succeeded": 1}})
    ));
    assert!(is_ready(
        "Job",
        json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}})
    ));
    assert!(!is_ready("Job", json!({"status": {"active": 1}})));
    assert!(job_failed(
        &json!({"status": {"conditions": [{"type": "Failed", "status": "True"}]}})
    ));
    assert!(!job_failed(&json!({"status": {"active": 1}})));
}

#[test]
fn a_pod_is_ready_when_running_and_ready_or_succeeded() {
    let running = json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
    assert!(is_ready("Pod", running));
    assert!(is_ready("Pod", json!({"status": {"phase": "Succeeded"}})));
    let unready = json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}});
    assert!(!is_ready("Pod", unready));
    assert!(!is_ready("Pod", json!({"status": {"phase": "Pending"}})));
}

#[test]
fn a_service_is_ready_once_it_exists_unless_a_load_balancer_has_no_ingress() {
    assert!(is_ready("Service", json!({"spec": {"type": "ClusterIP"}})));
    assert!(!is_ready(
        "Service",
        json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {}}})
    ));
    assert!(is_ready(
        "Service",
        json!({"spec": {"type": "LoadBalancer"},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}})
    ));
}

#[test]
fn a_claim_is_ready_when_bound() {
    assert!(is_ready(
        "PersistentVolumeClaim",
        json!({"status": {"phase": "Bound"}})
    ));
    assert!(!is_ready(
        "PersistentVolumeClaim",
        json!({"status": {"phase": "Pending"}})
    ));
}

#[test]
fn any_other_kind_is_ready_once_it_exists() {
    assert!(is_ready("ConfigMap", json!({"data": {}})));
    assert!(is_ready("Widget", json!({})));
}

#[test]
fn a_watched_object_is_judged_from_its_parts_as_from_its_whole() {
    for observed in [1, 2] {
        let whole = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "generation": 2},
            "spec": {"replicas": 2},
            "status": {"observedGeneration": observed, "updatedReplicas": 2, "availableReplicas": 2},
        });
        let obj: kube::api::DynamicObject = serde_json::from_value(whole.clone()).unwrap();
        let parts = judge_parts("Deployment", obj.metadata.generation, &obj.data);
        assert_eq!(
            parts,
            judge("Deployment", &whole),
            "observedGeneration {observed}"
        );
        let expected = if observed == 2 {
            Ready::Ready
        } else {
            Ready::NotReady
        };
        assert_eq!(parts, expected);
    }
}
