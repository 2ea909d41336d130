//! Tests of reading documents and of the resource paths that `update`, `delete` and `get` use.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;

fn parse_ok(text: &str) -> Vec<Document> {
    parse(text, Path::new("/nonexistent"))
        .into_iter()
        .map(|d| d.unwrap())
        .collect()
}

fn one(text: &str) -> Document {
    let mut docs = parse_ok(text);
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn one_err(text: &str) -> Error {
    let mut docs = parse(text, Path::new("/nonexistent"));
    assert_eq!(docs.len(), 1);
    docs.remove(0).unwrap_err()
}

const CONTROLLER: &str = "
version: emco/v2
resourceContext:
  anchor: controllers
metadata:
  name: rsync
  description: the rsync controller
  userData1: u1
spec:
  host: rsync
  port: 9031
";

#[test]
fn a_document_keeps_its_anchor_metadata_and_spec() {
    let doc = one(CONTROLLER);
    assert_eq!(doc.index, 1);
    assert_eq!(doc.anchor, "controllers");
    assert_eq!(doc.name(), Some("rsync"));
    assert_eq!(
        doc.body(),
        json!({
            "metadata": {"name": "rsync", "description": "the rsync controller", "userData1": "u1"},
            "spec": {"host": "rsync", "port": 9031}
        })
    );
    assert!(!doc.is_action());
    assert_eq!(doc.attachments, Attachments::None);
}

#[test]
fn every_document_of_a_file_is_read_in_order_and_empty_ones_are_skipped() {
    let text = format!(
        "---\n{CONTROLLER}---\n---\nresourceContext: {{anchor: projects}}\nmetadata: {{name: p}}\n---\n"
    );
    let docs = parse_ok(&text);
    let found: Vec<_> = docs.iter().map(|d| (d.index, d.anchor.as_str())).collect();
    assert_eq!(found, [(1, "controllers"), (3, "projects")]);
}

#[test]
fn anchors_and_merge_keys_are_resolved() {
    let doc = one(
        "resourceContext: {anchor: controllers}\nmetadata: {name: gac}\nspec:\n  <<: &common {host: h, port: 1}\n  port: 2\n  type: action\n",
    );
    assert_eq!(
        doc.spec,
        Some(json!({"host": "h", "port": 2, "type": "action"}))
    );
}

#[test]
fn a_label_document_sends_only_its_cluster_label() {
    let doc = one(
        "resourceContext: {anchor: cluster-providers/p/clusters/c1/labels}\nclusterLabel: edge",
    );
    assert_eq!(doc.body(), json!({"clusterLabel": "edge"}));
    assert!(!doc.is_action());
}

#[test]
fn a_document_with_only_an_anchor_is_an_action() {
    let doc = one(
        "version: emco/v2\nresourceContext:\n  anchor: /projects/p/logical-clouds/lc/instantiate/\n",
    );
    assert!(doc.is_action());
    assert!(doc.is_lifecycle_operation());
    assert_eq!(doc.anchor, "projects/p/logical-clouds/lc/instantiate");
    assert_eq!(doc.body(), json!({}));
}

#[test]
fn a_rollback_with_a_spec_is_a_lifecycle_operation_but_not_an_action() {
    let doc = one(
        "resourceContext: {anchor: projects/p/composite-apps/c/v1/deployment-intent-groups/d/rollback}\nspec: {revision: '1'}",
    );
    assert!(!doc.is_action());
    assert!(doc.is_lifecycle_operation());
    assert_eq!(doc.body(), json!({"spec": {"revision": "1"}}));
}

#[test]
fn file_paths_resolve_from_the_current_directory_then_from_the_yaml_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kubeconfig"), "k").unwrap();
    let absolute = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    let text = format!(
        "resourceContext: {{anchor: cluster-providers/p/clusters}}\nmetadata: {{name: c1}}\nfile: kubeconfig\n---\nresourceContext: {{anchor: x}}\nfiles: [{absolute}, kubeconfig]\n"
    );
    let docs: Vec<_> = parse(&text, dir.path())
        .into_iter()
        .map(|d| d.unwrap())
        .collect();
    assert_eq!(
        docs[0].attachments,
        Attachments::File(dir.path().join("kubeconfig"))
    );
    assert_eq!(
        docs[1].attachments,
        Attachments::Files(vec![
            PathBuf::from(&absolute),
            dir.path().join("kubeconfig")
        ])
    );
    assert!(!docs[1].is_action());
}

#[test]
fn a_missing_file_names_the_document_and_the_path() {
    let err = one_err("resourceContext: {anchor: a}\nfile: nope.tgz");
    assert!(
        matches!(&err, Error::FileNotFound { index: 1, path, .. } if path == Path::new("nope.tgz"))
    );
    assert_eq!(
        err.to_string(),
        "document 1: file nope.tgz not found (looked in the current directory and in /nonexistent)"
    );
}

#[test]
fn bad_documents_are_errors_in_their_place_and_the_others_still_read() {
    let text = "resourceContext: {anchor: a}\n---\nmetadata: {name: x}\n---\n- a list\n---\nresourceContext: {anchor: b}\nspec: [1]\n---\nversion: emco/v1\nresourceContext: {anchor: c}\n---\nresourceContext: {anchor: d}\nfile: a\nfiles: [b]\n---\nresourceContext: {anchor: e}\n";
    let results = parse(text, Path::new(env!("CARGO_MANIFEST_DIR")));
    let messages: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(doc) => format!("ok {}", doc.anchor),
            Err(e) => e.to_string(),
        })
        .collect();
    assert_eq!(
        messages,
        [
            "ok a".to_owned(),
            "document 2: missing resourceContext.anchor".to_owned(),
            "document 3: expected a map with resourceContext, metadata and spec, found a list"
                .to_owned(),
            "document 4: spec must be a map".to_owned(),
            "document 5: unsupported version \"emco/v1\" (expected emco/v2)".to_owned(),
            format!(
                "document 6: file a not found (looked in the current directory and in {})",
                env!("CARGO_MANIFEST_DIR")
            ),
            "ok e".to_owned(),
        ]
    );
}

#[test]
fn invalid_yaml_is_an_error_at_its_document_and_ends_the_list() {
    let text = "resourceContext: {anchor: a}\n---\nmetadata: [unclosed\n---\nresourceContext: {anchor: c}\n";
    let results = parse(text, Path::new("/"));
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert!(matches!(err, Error::Yaml { index: 2, .. }), "{err:?}");
}

#[test]
fn update_paths_append_the_name() {
    let doc = one(CONTROLLER);
    assert_eq!(doc.resource_path().unwrap(), "controllers/rsync");
}

#[test]
fn composite_app_paths_append_the_name_and_the_version() {
    let doc = one(
        "resourceContext: {anchor: projects/p/composite-apps}\nmetadata: {name: capp}\nspec: {compositeAppVersion: v1}",
    );
    assert_eq!(
        doc.resource_path().unwrap(),
        "projects/p/composite-apps/capp/v1"
    );
    let doc = one("resourceContext: {anchor: projects/p/composite-apps}\nmetadata: {name: capp}");
    assert!(matches!(
        doc.resource_path(),
        Err(Error::NoCompositeAppVersion { index: 1 })
    ));
}

#[test]
fn apps_under_a_composite_app_are_not_composite_apps() {
    let doc = one(
        "resourceContext: {anchor: projects/p/composite-apps/capp/v1/apps}\nmetadata: {name: web}",
    );
    assert_eq!(
        doc.resource_path().unwrap(),
        "projects/p/composite-apps/capp/v1/apps/web"
    );
}

#[test]
fn label_paths_append_the_label_instead_of_a_name() {
    let doc = one(
        "resourceContext: {anchor: cluster-providers/p/clusters/c1/labels}\nmetadata: {name: ignored}\nclusterLabel: edge",
    );
    assert_eq!(
        doc.resource_path().unwrap(),
        "cluster-providers/p/clusters/c1/labels/edge"
    );
}

#[test]
fn a_document_without_a_name_is_addressed_by_its_anchor() {
    let doc = one(
        "resourceContext: {anchor: projects/p/composite-apps/c/v1/deployment-intent-groups/d/status}",
    );
    assert_eq!(doc.resource_path().unwrap(), doc.anchor);
}
