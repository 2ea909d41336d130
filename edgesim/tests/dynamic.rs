//! `DynamicObject` clients, discovery, and custom resources.

mod common;

use common::{Sim, api_code};
use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
};
use kube::discovery::{Discovery, Scope};
use kube::{Api, ResourceExt};
use serde_json::json;

fn widget_crd() -> serde_json::Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}})
}

fn widget_api(client: kube::Client) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    Api::namespaced_with(
        client,
        "default",
        &ApiResource::from_gvk_with_plural(&gvk, "widgets"),
    )
}

fn widget() -> serde_json::Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1", "labels": {"size": "big"}},
        "spec": {"color": "blue"}})
}

#[tokio::test]
async fn a_custom_resource_without_its_crd_is_a_404_and_succeeds_once_the_crd_is_applied() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    let widgets = widget_api(client.clone());
    let pp = PatchParams::apply("canopy").force();
    let err = widgets
        .patch("w1", &pp, &Patch::Apply(widget()))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), Some(404), "{err:?}");

    let crd_resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        "customresourcedefinitions",
    );
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &crd_resource);
    crds.patch("widgets.example.com", &pp, &Patch::Apply(widget_crd()))
        .await
        .unwrap();
    let applied = widgets
        .patch("w1", &pp, &Patch::Apply(widget()))
        .await
        .unwrap();
    assert_eq!(applied.data["spec"]["color"], "blue");
    let smp = Patch::Strategic(json!({"spec": {"color": "red"}}));
    let err = widgets
        .patch("w1", &PatchParams::default(), &smp)
        .await
        .unwrap_err();
    assert_eq!(
        api_code(&err),
        Some(415),
        "as Kubernetes: no strategic merge on custom resources"
    );
    let merged = widgets
        .patch(
            "w1",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"size": 3}})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data["spec"], json!({"color": "blue", "size": 3}));
    let listed = widgets
        .list(&ListParams::default().labels("size=big"))
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|w| w.name_any())
            .collect::<Vec<_>>(),
        ["w1"]
    );

    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        api_code(&widgets.get("w1").await.unwrap_err()),
        Some(404),
        "the CRD took its kind along"
    );
}

#[tokio::test]
async fn discovery_legacy_and_aggregated_finds_builtin_and_custom_kinds() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    assert_eq!(client.apiserver_version().await.unwrap().major, "1");
    let crd_resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        "customresourcedefinitions",
    );
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &crd_resource);
    crds.patch(
        "widgets.example.com",
        &PatchParams::apply("canopy"),
        &Patch::Apply(widget_crd()),
    )
    .await
    .unwrap();

    for discovery in [
        Discovery::new(client.clone()).run().await.unwrap(),
        Discovery::new(client.clone())
            .run_aggregated()
            .await
            .unwrap(),
    ] {
        let gvk = GroupVersionKind::gvk("apps", "v1", "Deployment");
        let (resource, caps) = discovery
            .resolve_gvk(&gvk)
            .expect("deployments are discovered");
        assert_eq!(resource.plural, "deployments");
        assert_eq!(caps.scope, Scope::Namespaced);
        let (widgets, _) = discovery
            .resolve_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
            .unwrap();
        assert_eq!(widgets.plural, "widgets");
        let (ns, caps) = discovery
            .resolve_gvk(&GroupVersionKind::gvk("", "v1", "Namespace"))
            .unwrap();
        assert_eq!(
            (ns.plural.as_str(), caps.scope),
            ("namespaces", Scope::Cluster)
        );
    }
}

#[tokio::test]
async fn a_dynamic_configmap_client_applies_gets_lists_and_deletes() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "ConfigMap"));
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn", "labels": {"x": "y"}},
        "data": {"k": "v"}});
    api.patch("dyn", &PatchParams::apply("canopy"), &Patch::Apply(cm))
        .await
        .unwrap();
    assert_eq!(api.get("dyn").await.unwrap().data["data"]["k"], "v");
    assert_eq!(
        api.list(&ListParams::default().labels("x"))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        api.list(&ListParams::default().labels("!x"))
            .await
            .unwrap()
            .items
            .len(),
        0
    );
    api.delete("dyn", &DeleteParams::foreground())
        .await
        .unwrap();
    assert_eq!(api_code(&api.get("dyn").await.unwrap_err()), Some(404));
}

#[tokio::test]
async fn deleting_an_owner_deletes_its_dependents_unless_the_policy_is_orphan() {
    let sim = Sim::start("edge-0001").await;
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "ConfigMap"));
    let api: Api<DynamicObject> =
        Api::namespaced_with(sim.client("edge-0001").await, "default", &resource);
    let pp = PatchParams::apply("canopy");
    for (policy, child_survives) in [
        (DeleteParams::background(), false),
        (DeleteParams::orphan(), true),
    ] {
        let owner = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}});
        let uid = api
            .patch("owner", &pp, &Patch::Apply(owner))
            .await
            .unwrap()
            .uid()
            .unwrap();
        let child = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child",
            "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}});
        api.patch("child", &pp, &Patch::Apply(child)).await.unwrap();
        api.delete("owner", &policy).await.unwrap();
        let child = api.get_opt("child").await.unwrap();
        assert_eq!(
            child.is_some(),
            child_survives,
            "{:?}",
            policy.propagation_policy
        );
        if let Some(child) = child {
            assert!(
                child.owner_references().is_empty(),
                "an orphan loses its owner reference"
            );
            api.delete("child", &DeleteParams::default()).await.unwrap();
        }
    }
}

#[tokio::test]
async fn delete_collection_removes_only_the_selected_objects() {
    let sim = Sim::start("edge-0001").await;
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk("", "v1", "ConfigMap"));
    let api: Api<DynamicObject> =
        Api::namespaced_with(sim.client("edge-0001").await, "default", &resource);
    for (name, team) in [("a", "red"), ("b", "red"), ("c", "blue")] {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"team": team}}});
        api.patch(name, &PatchParams::apply("canopy"), &Patch::Apply(cm))
            .await
            .unwrap();
    }
    let deleted = api
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("team=red"),
        )
        .await
        .unwrap();
    let deleted = deleted.left().expect("the deleted objects are returned");
    assert_eq!(deleted.items.len(), 2);
    let left: Vec<_> = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|o| o.name_any())
        .collect();
    assert_eq!(left, ["c"]);
}
