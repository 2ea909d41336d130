//! Finalizers: a delete marks the object with a `deletionTimestamp`; it goes once its finalizers are removed.

mod common;

use common::{Sim, api_code};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams};
use serde_json::json;

#[tokio::test]
async fn an_object_with_finalizers_waits_for_them_before_it_and_its_dependents_go() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    let pp = PatchParams::apply("canopy");
    let owner = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "owner", "finalizers": ["example.com/hold", "example.com/other"]}});
    let owner = api.patch("owner", &pp, &Patch::Apply(owner)).await.unwrap();
    let child = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
            "uid": owner.metadata.uid.clone().unwrap()}]}});
    api.patch("child", &pp, &Patch::Apply(child)).await.unwrap();

    let answer = api.delete("owner", &DeleteParams::default()).await.unwrap();
    let marked = answer.left().expect("the object is still there");
    assert!(marked.metadata.deletion_timestamp.is_some());
    assert_eq!(marked.metadata.generation, Some(2));
    let again = api.delete("owner", &DeleteParams::default()).await.unwrap();
    assert_eq!(
        again.left().unwrap().metadata.deletion_timestamp,
        marked.metadata.deletion_timestamp,
        "a second delete changes nothing"
    );
    assert!(
        api.get("child").await.is_ok(),
        "dependents wait for their owner"
    );

    let add = Patch::Merge(
        json!({"metadata": {"finalizers": ["example.com/hold", "example.com/other", "new"]}}),
    );
    let err = api
        .patch("owner", &PatchParams::default(), &add)
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&err),
        Some(422),
        "no new finalizers while deleting"
    );

    let smp = Patch::Strategic(
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/other"]}}),
    );
    let still = api
        .patch("owner", &PatchParams::default(), &smp)
        .await
        .unwrap();
    assert_eq!(
        still.metadata.finalizers,
        Some(vec!["example.com/hold".to_string()])
    );
    assert!(still.metadata.deletion_timestamp.is_some());

    let clear = Patch::Merge(json!({"metadata": {"finalizers": null}}));
    api.patch("owner", &PatchParams::default(), &clear)
        .await
        .unwrap();
    assert_eq!(api_code(&api.get("owner").await.unwrap_err()), Some(404));
    assert_eq!(
        api_code(&api.get("child").await.unwrap_err()),
        Some(404),
        "the dependent followed its owner"
    );
}

#[tokio::test]
async fn objects_held_by_finalizers_outlive_their_namespace_until_finalized() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let pp = PatchParams::apply("canopy");
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}});
    namespaces
        .patch("tmp", &pp, &Patch::Apply(ns))
        .await
        .unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client, "tmp");
    let held = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]}});
    api.patch("held", &pp, &Patch::Apply(held)).await.unwrap();
    namespaces
        .delete("tmp", &DeleteParams::default())
        .await
        .unwrap();
    let marked = api.get("held").await.unwrap();
    assert!(marked.metadata.deletion_timestamp.is_some());
    let clear = Patch::Merge(json!({"metadata": {"finalizers": null}}));
    api.patch("held", &PatchParams::default(), &clear)
        .await
        .unwrap();
    assert_eq!(api_code(&api.get("held").await.unwrap_err()), Some(404));
}
