//! The built-in gac over real gRPC: the conformance suite, then each behaviour EMCO's gac has.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use canopy_controllers::conformance::Suite;
use canopy_schemas::controller::{
    ClusterSelector, Edit, Op, Patch, ResourceKey, UpdateRequest, UpdateResponse,
};
use canopy_schemas::proto::controller::v1 as pb;
use common::fixture::{self, ClusterExt, app, cluster, deployment, update};
use serde_json::{Value, json};

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

/// A resource entry of app `app` for `apiVersion kind name`.
fn entry(app: &str, new_object: bool, gvk: (&str, &str, &str), customizations: Value) -> Value {
    json!({
        "metadata": {"name": format!("r-{}", gvk.2)},
        "spec": {"app": app, "newObject": new_object.to_string(),
                 "resourceGVK": {"apiVersion": gvk.0, "kind": gvk.1, "name": gvk.2}},
        "customizations": customizations,
    })
}

fn spec(resources: Vec<Value>) -> Value {
    json!({"intent": "gac-intent", "resources": resources})
}

/// App `web` with its Deployment on `p1+a` (edge), `p1+b` (core) and `p2+c` (edge).
fn web() -> canopy_schemas::controller::AppResources {
    let clusters = vec![
        cluster("p1+a").label("edge"),
        cluster("p1+b").label("core"),
        cluster("p2+c").label("edge"),
    ];
    app("web", vec![deployment("web")], clusters)
}

async fn call(request: UpdateRequest) -> Result<UpdateResponse, tonic::Status> {
    let (_serving, mut client) = fixture::gac().await;
    let answer = client
        .update_app_context(pb::UpdateAppContextRequest::from(request))
        .await?;
    Ok(UpdateResponse::try_from(answer.into_inner()).unwrap())
}

async fn edits(spec: Value) -> Vec<Edit> {
    call(update(spec, vec![web()])).await.unwrap().edits
}

fn clusters(selector: &ClusterSelector) -> Vec<String> {
    selector.clusters.iter().map(ToString::to_string).collect()
}

fn web_deployment() -> ResourceKey {
    ResourceKey::new("apps/v1", "Deployment", Some("default"), "web")
}

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
    let key = ResourceKey::new(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        Some("default"),
        "deny-all",
    );
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
async fn a_new_config_map_and_secret_take_their_data_from_the_uploaded_files() {
    let config = json!([{"metadata": {"name": "conf"},
        "spec": {"configMapOptions": {"dataKeyOptions": [{"fileName": "app.conf", "keyName": "conf"}]}},
        "files": [{"name": "app.conf", "content": b64("level=debug\n")},
                  {"name": "extra.txt", "content": b64("x")}]}]);
    let secret = json!([{"metadata": {"name": "creds"},
        "spec": {"secretOptions": {"dataKeyOptions": [{"fileName": "pw.txt", "keyName": "password"}]}},
        "files": [{"name": "pw.txt", "content": b64("s3cret")}]}]);
    let edits = edits(spec(vec![
        entry("web", true, ("v1", "ConfigMap", "web-config"), config),
        entry("web", true, ("v1", "Secret", "web-creds"), secret),
    ]))
    .await;
    let bodies: Vec<&Value> = edits
        .iter()
        .map(|e| match &e.op {
            Op::Add(r) => &r.body,
            other => panic!("not an add: {other:?}"),
        })
        .collect();
    assert_eq!(
        *bodies[0],
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config"},
               "data": {"conf": "level=debug\n", "extra.txt": "x"}})
    );
    assert_eq!(
        *bodies[1],
        json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": {"name": "web-creds"},
               "data": {"password": b64("s3cret")}})
    );
}

#[tokio::test]
async fn data_files_for_an_existing_config_map_become_a_merge_patch_of_its_data() {
    let mut web = web();
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}});
    web.resources
        .push(fixture::resource("v1", "ConfigMap", "cfg", body));
    let c = json!([{"metadata": {"name": "more"}, "spec": {},
        "files": [{"name": "b", "content": b64("2")}]}]);
    let request = update(
        spec(vec![entry("web", false, ("v1", "ConfigMap", "cfg"), c)]),
        vec![web],
    );
    let edits = call(request).await.unwrap().edits;
    let target = ResourceKey::new("v1", "ConfigMap", Some("default"), "cfg");
    let patch = Patch::Merge(json!({"data": {"b": "2"}}));
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].op, Op::Patch { target, patch });
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
async fn validate_intent_names_each_broken_rule_by_its_path() {
    let (_serving, mut client) = fixture::gac().await;
    let customizations = json!([
        {"metadata": {"name": "ok"}, "spec": {"patchType": "json",
            "patchJson": [{"op": "frob", "path": "/spec"}]},
         "files": [{"name": "f", "content": "not base64!"}]},
        {"metadata": {"name": "bad"}, "spec": {"patchType": "strategic"}}
    ]);
    let bad = spec(vec![
        entry(
            "web",
            false,
            ("apps/v1", "Deployment", "web"),
            customizations,
        ),
        entry("web", true, ("apps/v1", "Deployment", "new"), json!([])),
    ]);
    let answer = client
        .validate_intent(fixture::validate(bad))
        .await
        .unwrap();
    let fields: Vec<String> = fixture::violations(answer.into_inner())
        .into_iter()
        .map(|v| v.0)
        .collect();
    assert_eq!(
        fields,
        [
            "resources[0].customizations[0].files[0].content",
            "resources[0].customizations[1].spec.patchType",
            "resources[1].file",
        ]
    );
    let wrong_type = json!({"intent": "i", "resources": [{"metadata": {"name": "r"},
        "spec": {"app": "web", "newObject": true, "resourceGVK": {"apiVersion": "v1", "kind": "K", "name": "n"}}}]});
    let answer = client
        .validate_intent(fixture::validate(wrong_type))
        .await
        .unwrap();
    let found = fixture::violations(answer.into_inner());
    assert_eq!(found[0].0, "resources[0].spec.newObject", "{found:?}");
}

#[tokio::test]
async fn a_bad_json_patch_operation_is_named_and_refused_at_update_too() {
    let c = json!([{"metadata": {"name": "ok"}, "spec": {"patchType": "json", "patchJson": [{"op": "frob", "path": "/spec"}]}}]);
    let bad = spec(vec![entry(
        "web",
        false,
        ("apps/v1", "Deployment", "web"),
        c,
    )]);
    let (_serving, mut client) = fixture::gac().await;
    let answer = client
        .validate_intent(fixture::validate(bad.clone()))
        .await
        .unwrap();
    let found = fixture::violations(answer.into_inner());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].0,
        "resources[0].customizations[0].spec.patchJson[0].op"
    );
    let status = call(update(bad, vec![web()])).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status
            .message()
            .contains("resources[0].customizations[0].spec.patchJson[0].op"),
        "{status}"
    );
}
