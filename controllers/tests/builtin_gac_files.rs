//! The built-in gac over real gRPC: ConfigMap and Secret data from files, and ValidateIntent.

mod common;

use canopy_schemas::controller::{Op, Patch, ResourceKey};
use common::fixture::{self, update};
use common::gac::{b64, call, edits, entry, spec, web};
use serde_json::{Value, json};

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

#[tokio::test]
async fn a_file_marked_merge_patch_patches_the_config_map_after_its_data() {
    let mut web = web();
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}});
    web.resources
        .push(fixture::resource("v1", "ConfigMap", "cfg", body));
    let options = json!({"dataKeyOptions": [{"fileName": "meta.yaml", "mergePatch": "true"}]});
    let c = json!([{"metadata": {"name": "more"},
        "spec": {"patchType": "merge", "configMapOptions": options},
        "files": [{"name": "b", "content": b64("2")},
                  {"name": "meta.yaml", "content": b64("metadata:\n  labels:\n    team: web\n")}]}]);
    let request = update(
        spec(vec![entry("web", false, ("v1", "ConfigMap", "cfg"), c)]),
        vec![web],
    );
    let ops: Vec<Op> = call(request)
        .await
        .unwrap()
        .edits
        .into_iter()
        .map(|e| e.op)
        .collect();
    let target = ResourceKey::new("v1", "ConfigMap", Some("default"), "cfg");
    let patch = |doc: Value| Op::Patch {
        target: target.clone(),
        patch: Patch::Merge(doc),
    };
    assert_eq!(
        ops,
        [
            patch(json!({"data": {"b": "2"}})),
            patch(json!({"metadata": {"labels": {"team": "web"}}}))
        ]
    );
}

#[tokio::test]
async fn bytes_that_are_not_text_go_to_binary_data_of_a_config_map() {
    let raw = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        [0xff_u8, 0x00, 0xfe],
    );
    let c = json!([{"metadata": {"name": "bin"}, "spec": {},
        "files": [{"name": "blob", "content": raw}, {"name": "text", "content": b64("hi")}]}]);
    let edits = edits(spec(vec![entry(
        "web",
        true,
        ("v1", "ConfigMap", "bin"),
        c,
    )]))
    .await;
    let Op::Add(resource) = &edits[0].op else {
        panic!("not an add: {edits:?}");
    };
    assert_eq!(resource.body["binaryData"], json!({"blob": raw}));
    assert_eq!(resource.body["data"], json!({"text": "hi"}));
}

#[tokio::test]
async fn an_uploaded_object_must_match_its_resource_gvk_and_data_keys_must_not_repeat() {
    let (_serving, mut client) = fixture::gac().await;
    let mut wrong = entry("web", true, ("v1", "ConfigMap", "cfg"), json!([]));
    wrong["file"] = json!(b64(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cfg\n"
    ));
    let twice = json!([{"metadata": {"name": "dup"},
        "spec": {"configMapOptions": {"dataKeyOptions": [{"fileName": "a", "keyName": "k"}, {"fileName": "b", "keyName": "k"}]}},
        "files": [{"name": "a", "content": b64("1")}, {"name": "b", "content": b64("2")}]}]);
    let bad = spec(vec![
        wrong,
        entry("web", true, ("v1", "ConfigMap", "other"), twice),
    ]);
    let answer = client
        .validate_intent(fixture::validate(bad))
        .await
        .unwrap();
    let found = fixture::violations(answer.into_inner());
    assert_eq!(
        found,
        [
            (
                "resources[0].file".to_owned(),
                "the object's kind is \"Secret\" but resourceGVK.kind is \"ConfigMap\"".to_owned()
            ),
            (
                "resources[1].customizations[0].files[1]".to_owned(),
                "data key \"k\" is given twice".to_owned()
            ),
        ]
    );
}
