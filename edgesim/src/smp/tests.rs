//! Cases derived from Kubernetes' strategic merge patch behaviour (apimachinery `strategicpatch` tests and
//! the k8s.io/api patch tags).

use serde_json::{Value, json};

use super::{Schema, apply, schema};

fn patched(kind: &str, live: Value, patch: Value) -> Value {
    let group = match kind {
        "Deployment" => "apps",
        "CronJob" => "batch",
        "Role" => "rbac.authorization.k8s.io",
        "HorizontalPodAutoscaler" => "autoscaling",
        _ => "",
    };
    let root = schema::root(group, kind).expect("a built-in kind");
    let mut target = live;
    apply(&mut target, &patch, root).expect("the patch applies");
    target
}

fn pod_spec(spec: Value) -> Value {
    json!({"spec": {"template": {"spec": spec}}})
}

#[test]
fn containers_merge_by_name_and_their_ports_by_container_port() {
    let live = pod_spec(json!({"containers": [
        {"name": "a", "image": "a:1", "ports": [{"containerPort": 80, "name": "http"}],
         "env": [{"name": "X", "value": "1"}]},
        {"name": "b", "image": "b:1"}]}));
    let patch = pod_spec(json!({"containers": [{"name": "a", "image": "a:2",
        "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443}],
        "env": [{"name": "Y", "value": "2"}]}]}));
    let out = patched("Deployment", live, patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([
            {"name": "a", "image": "a:2",
             "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}, {"containerPort": 443}],
             "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]},
            {"name": "b", "image": "b:1"}])
    );
}

#[test]
fn new_elements_come_before_the_live_only_ones_as_in_kubernetes() {
    let live = pod_spec(json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}));
    let out = patched(
        "Deployment",
        live.clone(),
        pod_spec(json!({"containers": [{"name": "z"}]})),
    );
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([{"name": "z"}, {"name": "a"}, {"name": "b"}, {"name": "c"}])
    );
    let patch = pod_spec(json!({"containers": [{"name": "b", "image": "x"}, {"name": "d"}]}));
    let out = patched("Deployment", live, patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([{"name": "a"}, {"name": "b", "image": "x"}, {"name": "d"}, {"name": "c"}])
    );
}

#[test]
fn patch_delete_in_a_list_element_removes_it_and_in_a_map_empties_it() {
    let live = pod_spec(json!({"containers": [{"name": "a"}, {"name": "b"}],
        "nodeSelector": {"zone": "x"}}));
    let patch = pod_spec(json!({"containers": [{"name": "a", "$patch": "delete"}],
        "nodeSelector": {"$patch": "delete"}}));
    let out = patched("Deployment", live, patch);
    let spec = &out["spec"]["template"]["spec"];
    assert_eq!(spec["containers"], json!([{"name": "b"}]));
    assert_eq!(spec["nodeSelector"], json!({}));
}

#[test]
fn patch_replace_replaces_a_merged_list_or_a_map() {
    let live = pod_spec(
        json!({"containers": [{"name": "a", "image": "1"}, {"name": "b"}],
        "nodeSelector": {"zone": "x", "disk": "ssd"}}),
    );
    let patch = pod_spec(json!({"containers": [{"name": "c"}, {"$patch": "replace"}],
        "nodeSelector": {"zone": "y", "$patch": "replace"}}));
    let out = patched("Deployment", live, patch);
    let spec = &out["spec"]["template"]["spec"];
    assert_eq!(spec["containers"], json!([{"name": "c"}]));
    assert_eq!(spec["nodeSelector"], json!({"zone": "y"}));
}

#[test]
fn finalizers_merge_as_a_set_and_delete_from_primitive_list_removes() {
    let live = json!({"metadata": {"finalizers": ["a", "b"]}});
    let out = patched(
        "ConfigMap",
        live.clone(),
        json!({"metadata": {"finalizers": ["b", "c"]}}),
    );
    assert_eq!(out["metadata"]["finalizers"], json!(["a", "b", "c"]));
    let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"],
        "$setElementOrder/finalizers": ["b"]}});
    let out = patched("ConfigMap", live, patch);
    assert_eq!(out["metadata"]["finalizers"], json!(["b"]));
}

#[test]
fn retain_keys_clears_the_unlisted_keys_of_the_live_map() {
    let live = json!({"spec": {"strategy": {"type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1}}}});
    let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
    let out = patched("Deployment", live, patch);
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    let live = pod_spec(json!({"volumes": [{"name": "v", "hostPath": {"path": "/x"}}]}));
    let patch = pod_spec(json!({"volumes": [{"name": "v", "emptyDir": {},
        "$retainKeys": ["name", "emptyDir"]}]}));
    let out = patched("Deployment", live, patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["volumes"],
        json!([{"name": "v", "emptyDir": {}}])
    );
    let wrong = json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}});
    let mut target = json!({});
    assert!(apply(&mut target, &wrong, Schema::Workload).is_err());
}

#[test]
fn atomic_lists_are_replaced() {
    let live = pod_spec(
        json!({"tolerations": [{"key": "a"}], "containers": [{"name": "c",
        "envFrom": [{"configMapRef": {"name": "x"}}], "args": ["1", "2"]}]}),
    );
    let patch = pod_spec(
        json!({"tolerations": [{"key": "b"}], "containers": [{"name": "c",
        "envFrom": [{"secretRef": {"name": "y"}}], "args": ["3"]}]}),
    );
    let out = patched("Deployment", live, patch);
    let spec = &out["spec"]["template"]["spec"];
    assert_eq!(spec["tolerations"], json!([{"key": "b"}]));
    assert_eq!(
        spec["containers"][0]["envFrom"],
        json!([{"secretRef": {"name": "y"}}])
    );
    assert_eq!(spec["containers"][0]["args"], json!(["3"]));
    let out = patched(
        "Role",
        json!({"rules": [{"verbs": ["get"], "resources": ["pods"]}]}),
        json!({"rules": [{"verbs": ["list"], "resources": ["pods"]}]}),
    );
    assert_eq!(
        out["rules"],
        json!([{"verbs": ["list"], "resources": ["pods"]}])
    );
}

#[test]
fn service_ports_merge_by_port_and_owner_references_by_uid() {
    let live = json!({"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]},
        "spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
    let patch = json!({"metadata": {"ownerReferences": [{"uid": "1", "controller": true},
        {"uid": "2", "name": "b"}]}, "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}]}});
    let out = patched("Service", live, patch);
    assert_eq!(
        out["spec"]["ports"],
        json!([{"port": 80, "targetPort": 8080, "name": "http"}, {"port": 443}])
    );
    assert_eq!(
        out["metadata"]["ownerReferences"],
        json!([{"uid": "1", "name": "a", "controller": true}, {"uid": "2", "name": "b"}])
    );
}

#[test]
fn cron_job_templates_and_pods_use_the_pod_spec_keys() {
    let live = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "a", "image": "1"}, {"name": "b"}]}}}}}});
    let patch = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "a", "image": "2"}]}}}}}});
    let out = patched("CronJob", live, patch);
    assert_eq!(
        out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"],
        json!([{"name": "a", "image": "2"}, {"name": "b"}])
    );
    let live = json!({"spec": {"initContainers": [{"name": "i", "volumeMounts": [
        {"mountPath": "/a", "name": "x"}]}]}});
    let patch = json!({"spec": {"initContainers": [{"name": "i", "volumeMounts": [
        {"mountPath": "/a", "readOnly": true}]}]}});
    let out = patched("Pod", live, patch);
    assert_eq!(
        out["spec"]["initContainers"][0]["volumeMounts"],
        json!([{"mountPath": "/a", "name": "x", "readOnly": true}])
    );
}

#[test]
fn null_deletes_and_new_values_lose_their_nulls_and_directives() {
    let live = json!({"data": {"a": "1", "b": "2"}});
    let out = patched(
        "ConfigMap",
        live,
        json!({"data": {"a": null, "c": "3"},
        "metadata": {"labels": {"x": "1", "y": null}}}),
    );
    assert_eq!(out["data"], json!({"b": "2", "c": "3"}));
    assert_eq!(out["metadata"]["labels"], json!({"x": "1"}));
}

#[test]
fn bad_directives_and_missing_merge_keys_are_errors() {
    let mut t = json!({});
    let cases = [
        json!({"metadata": {"$patch": "explode"}}),
        json!({"metadata": {"ownerReferences": [{"name": "no-uid"}]}}),
        json!({"metadata": {"ownerReferences": [{"$patch": "merge", "uid": "1"}]}}),
    ];
    for case in cases {
        assert!(apply(&mut t, &case, Schema::Object).is_err(), "{case}");
    }
}

#[test]
fn custom_resources_have_no_schema() {
    assert!(schema::root("example.com", "Widget").is_none());
    assert_eq!(schema::root("apps", "Deployment"), Some(Schema::Workload));
}

#[test]
fn status_conditions_merge_by_type() {
    let live = json!({"status": {"conditions": [{"type": "Ready", "status": "False"},
        {"type": "Scheduled", "status": "True"}]}});
    let patch = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    for kind in [
        "Pod",
        "Deployment",
        "Service",
        "Namespace",
        "HorizontalPodAutoscaler",
    ] {
        let out = patched(kind, live.clone(), patch.clone());
        assert_eq!(
            out["status"]["conditions"],
            json!([{"type": "Ready", "status": "True"}, {"type": "Scheduled", "status": "True"}]),
            "{kind}"
        );
    }
    let out = patched("ConfigMap", live, patch);
    assert_eq!(
        out["status"]["conditions"],
        json!([{"type": "Ready", "status": "True"}])
    );
}
