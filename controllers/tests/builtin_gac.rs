//! The built-in gac over real gRPC: the conformance suite, adding, patching, cluster scopes and errors.

mod common;

use canopy_controllers::conformance::Suite;
use canopy_schemas::controller::{Op, Patch, ResourceKey};
use common::fixture::{self, update};
use common::gac::{b64, call, clusters, edits, entry, spec, web, web_deployment};
use serde_json::{Value, json};

#[tokio::test]
async fn gac_passes_the_conformance_suite() {
    let (serving, _client) = fixture::gac().await;
    let patch = json!([{"metadata": {"name": "replicas"},
        "spec": {"patchType": "merge", "patchJson": [{"spec": {"replicas": 2}}]}}]);
    let config = json!([{"metadata": {"name": "data"}, "spec": {},
        "files": [{"name": "a.conf", "content": b64("a=1")}]}]);
    let valid = spec(vec![
        entry("app1", false, ("apps/v1", "Deployment", "app1"), patch),
        entry("app1", true, ("v1", "ConfigMap", "extra"), config),
    ]);
    Suite::new(serving.addr())
        .with_spec(valid)
        .check_action()
        .await
        .unwrap_or_else(|f| panic!("{f}"));
}

#[tokio::test]
async fn a_new_object_is_added_to_every_cluster_from_its_yaml_file() {
    let yaml = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector: {}\n";
    let mut added = entry(
        "web",
        true,
        ("networking.k8s.io/v1", "NetworkPolicy", "deny-all"),
        json!([]),
    );
    added["file"] = json!(b64(yaml));
    let edits = edits(spec(vec![added])).await;
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert!(edits[0].selector.is_all());
    let Op::Add(resource) = &edits[0].op else {
        panic!("not an add: {edits:?}");
    };
    // The object names no namespace, so neither does its key: it lands in the logical cloud's namespace as
    // a rendered resource without one does.
    let key = ResourceKey::new("networking.k8s.io/v1", "NetworkPolicy", None, "deny-all");
    assert_eq!(resource.key, key);
    assert_eq!(resource.body["spec"], json!({"podSelector": {}}));
    assert_eq!(resource.body["kind"], "NetworkPolicy");
}

#[tokio::test]
async fn a_json_patch_customization_patches_the_existing_resource() {
    let ops = json!([{"op": "replace", "path": "/spec/replicas", "value": 3}]);
    let c =
        json!([{"metadata": {"name": "three"}, "spec": {"patchType": "json", "patchJson": ops}}]);
    let edits = edits(spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]))
    .await;
    let expected = Op::Patch {
        target: web_deployment(),
        patch: Patch::Json(ops.as_array().unwrap().clone()),
    };
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].op, expected);
    assert!(edits[0].selector.is_all());
}

#[tokio::test]
async fn a_merge_customization_patches_with_its_objects_then_its_files() {
    let file = b64("spec:\n  template:\n    metadata:\n      labels:\n        tier: front\n");
    let c = json!([{"metadata": {"name": "m"},
        "spec": {"patchType": "merge", "patchJson": [{"spec": {"replicas": 5}}]},
        "files": [{"name": "labels.yaml", "content": file}]}]);
    let edits = edits(spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]))
    .await;
    let patches: Vec<&Patch> = edits
        .iter()
        .map(|e| match &e.op {
            Op::Patch { target, patch } if *target == web_deployment() => patch,
            other => panic!("not a patch of the Deployment: {other:?}"),
        })
        .collect();
    let labels = json!({"spec": {"template": {"metadata": {"labels": {"tier": "front"}}}}});
    assert_eq!(
        patches,
        [
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
            &Patch::Merge(labels)
        ]
    );
}

fn scoped(scope: Value) -> Value {
    json!([{"metadata": {"name": "scoped"},
        "spec": {"clusterSpecific": "true", "clusterInfo": scope,
                 "patchType": "merge", "patchJson": [{"spec": {"paused": true}}]}}])
}

#[tokio::test]
async fn a_cluster_specific_customization_by_name_patches_only_that_cluster() {
    let scope = json!({"scope": "name", "clusterProvider": "p1", "cluster": "b", "mode": "allow"});
    let c = scoped(scope);
    let edits = edits(spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]))
    .await;
    assert_eq!(edits.len(), 1);
    assert_eq!(clusters(&edits[0].selector), ["p1+b"]);
}

#[tokio::test]
async fn a_cluster_specific_customization_by_label_picks_the_labelled_clusters_of_its_provider() {
    let scope =
        json!({"scope": "label", "clusterProvider": "p1", "clusterLabel": "edge", "mode": "allow"});
    let c = scoped(scope);
    let edits = edits(spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]))
    .await;
    assert_eq!(edits.len(), 1);
    assert_eq!(clusters(&edits[0].selector), ["p1+a"]);
}

#[tokio::test]
async fn a_cluster_specific_customization_that_picks_no_cluster_makes_no_edit() {
    let scope = json!({"scope": "name", "clusterProvider": "p1", "cluster": "zz", "mode": "allow"});
    let c = scoped(scope);
    let edits = edits(spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]))
    .await;
    assert_eq!(edits, []);
}

#[tokio::test]
async fn a_new_object_with_a_json_patch_is_added_then_patched_on_the_same_clusters() {
    let scope = json!({"scope": "label", "clusterProvider": "p2", "clusterLabel": "edge"});
    let c = json!([{"metadata": {"name": "c"},
        "spec": {"clusterSpecific": "true", "clusterInfo": scope, "patchType": "json",
                 "patchJson": [{"op": "add", "path": "/data/zone", "value": "p2"}]}}]);
    let edits = edits(spec(vec![entry(
        "web",
        true,
        ("v1", "ConfigMap", "zone"),
        c,
    )]))
    .await;
    assert_eq!(edits.len(), 2, "{edits:?}");
    assert!(matches!(edits[0].op, Op::Add(_)));
    assert!(
        matches!(&edits[1].op, Op::Patch { target, patch: Patch::Json(_) } if target.name == "zone")
    );
    assert_eq!(clusters(&edits[0].selector), ["p2+c"]);
    assert_eq!(edits[0].selector, edits[1].selector);
}

#[tokio::test]
async fn changing_a_resource_the_app_does_not_have_fails_the_precondition_naming_it() {
    let c = json!([{"metadata": {"name": "x"}, "spec": {"patchType": "merge", "patchJson": [{}]}}]);
    let request = update(
        spec(vec![entry(
            "web",
            false,
            ("apps/v1", "StatefulSet", "db"),
            c,
        )]),
        vec![web()],
    );
    let status = call(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status}");
    assert!(status.message().contains("resources[0] (r-db)"), "{status}");
    assert!(
        status
            .message()
            .contains("apps/v1 StatefulSet db of app web"),
        "{status}"
    );
}

#[tokio::test]
async fn an_entry_for_an_app_the_request_does_not_carry_is_ignored() {
    let c = json!([{"metadata": {"name": "x"}, "spec": {"patchType": "merge", "patchJson": [{}]}}]);
    let edits = edits(spec(vec![entry(
        "db",
        false,
        ("apps/v1", "StatefulSet", "db"),
        c,
    )]))
    .await;
    assert_eq!(edits, []);
}

#[tokio::test]
async fn deny_mode_patches_every_cluster_but_the_named_one() {
    let scope = json!({"scope": "name", "clusterProvider": "p1", "cluster": "b", "mode": "deny"});
    let c = scoped(scope);
    let edits = edits(spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]))
    .await;
    assert_eq!(edits.len(), 1);
    assert_eq!(clusters(&edits[0].selector), ["p1+a", "p2+c"]);
}
