//! The typed kube 5 clients (`Api<Deployment>`, `Api<ConfigMap>`) against one virtual cluster.

mod common;

use common::{DEADLINE, Sim, api_code, deployment};
use futures::TryStreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::runtime::watcher;
use kube::{Api, ResourceExt};
use serde_json::json;

fn is_ready(d: Option<&Deployment>) -> bool {
    let Some(d) = d else { return false };
    let status = d.status.clone().unwrap_or_default();
    status.observed_generation == d.metadata.generation && status.ready_replicas == d.spec.replicas
}

#[tokio::test]
async fn a_deployment_applied_by_ssa_can_be_read_listed_watched_ready_and_deleted() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<Deployment> = Api::namespaced(sim.client("edge-0001").await, "default");
    let pp = PatchParams::apply("canopy").force();
    let applied = api
        .patch("web", &pp, &Patch::Apply(deployment("web", 3, "nginx:1")))
        .await
        .unwrap();
    assert_eq!(applied.metadata.generation, Some(1));
    assert!(applied.metadata.uid.is_some() && applied.metadata.creation_timestamp.is_some());
    let managers: Vec<_> = applied
        .managed_fields()
        .iter()
        .map(|m| m.manager.clone())
        .collect();
    assert_eq!(managers, [Some("canopy".to_string())]);
    api.patch("db", &pp, &Patch::Apply(deployment("db", 1, "postgres")))
        .await
        .unwrap();

    let got = api.get("web").await.unwrap();
    assert_eq!(got.spec.replicas, Some(3));
    let selected = api
        .list(&ListParams::default().labels("app in (web),tier=web"))
        .await
        .unwrap();
    assert_eq!(
        selected
            .items
            .iter()
            .map(|d| d.name_any())
            .collect::<Vec<_>>(),
        ["web"]
    );
    let by_name = api
        .list(&ListParams::default().fields("metadata.name=db"))
        .await
        .unwrap();
    assert_eq!(by_name.items.len(), 1);
    assert_eq!(
        api.list(&ListParams::default().labels("app notin (web,db)"))
            .await
            .unwrap()
            .items
            .len(),
        0
    );

    sim.set_faults(
        "edge-0001",
        json!({"readiness": {"min_ms": 200, "max_ms": 200}}),
    )
    .await;
    let changed = api
        .patch("web", &pp, &Patch::Apply(deployment("web", 3, "nginx:2")))
        .await
        .unwrap();
    assert_eq!(changed.metadata.generation, Some(2));
    assert!(
        !is_ready(Some(&changed)),
        "a new generation starts not ready"
    );
    let ready = tokio::time::timeout(DEADLINE, await_condition(api.clone(), "web", is_ready)).await;
    assert!(is_ready(
        ready.expect("ready before the deadline").unwrap().as_ref()
    ));

    api.delete("web", &DeleteParams::background())
        .await
        .unwrap();
    let gone = tokio::time::timeout(
        DEADLINE,
        await_condition(api.clone(), "web", conditions::is_deleted("")),
    )
    .await;
    assert!(gone.expect("deleted before the deadline").is_ok());
    assert_eq!(api_code(&api.get("web").await.unwrap_err()), Some(404));
}

#[tokio::test]
async fn a_watcher_sees_additions_changes_and_deletions_of_configmaps() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    let mut events = Box::pin(watcher(
        api.clone(),
        watcher::Config::default().labels("team=a"),
    ));
    let cm = |v: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "labels": {"team": "a"}}, "data": {"k": v}});
    let unselected =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}});
    let mut next = async || {
        tokio::time::timeout(DEADLINE, events.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    while !matches!(next().await, watcher::Event::InitDone) {}
    let pp = PatchParams::apply("canopy");
    api.patch("other", &pp, &Patch::Apply(unselected))
        .await
        .unwrap();
    api.patch("cfg", &pp, &Patch::Apply(cm("1"))).await.unwrap();
    api.patch("cfg", &pp, &Patch::Apply(cm("2"))).await.unwrap();
    api.delete("cfg", &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    loop {
        match next().await {
            watcher::Event::Apply(o) => {
                seen.push(format!("apply {} {}", o.name_any(), o.data.unwrap()["k"]))
            }
            watcher::Event::Delete(o) => {
                seen.push(format!("delete {}", o.name_any()));
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seen, ["apply cfg 1", "apply cfg 2", "delete cfg"]);
}

#[tokio::test]
async fn configmaps_support_create_replace_merge_and_json_patches() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    let body: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "c"}, "data": {"a": "1"}})).unwrap();
    let created = api.create(&PostParams::default(), &body).await.unwrap();
    assert_eq!(
        api_code(&api.create(&PostParams::default(), &body).await.unwrap_err()),
        Some(409)
    );
    let mut replaced = created.clone();
    replaced
        .data
        .as_mut()
        .unwrap()
        .insert("b".into(), "2".into());
    let replaced = api
        .replace("c", &PostParams::default(), &replaced)
        .await
        .unwrap();
    assert_ne!(replaced.resource_version(), created.resource_version());
    let merged = api
        .patch(
            "c",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": null, "c": "3"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        merged.data.unwrap().keys().cloned().collect::<Vec<_>>(),
        ["b", "c"]
    );
    let strategic = api
        .patch(
            "c",
            &PatchParams::default(),
            &Patch::Strategic(json!({"data": {"d": "4"}})),
        )
        .await
        .unwrap();
    assert_eq!(strategic.data.unwrap().len(), 3);
    let ops: Vec<serde_json::Value> =
        vec![json!({"op": "replace", "path": "/data/b", "value": "20"})];
    let raw = reqwest::Client::new()
        .patch(format!(
            "{}/clusters/edge-0001/api/v1/namespaces/default/configmaps/c",
            sim.handle.url()
        ))
        .header("content-type", "application/json-patch+json")
        .json(&ops)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(api.get("c").await.unwrap().data.unwrap()["b"], "20");
}

#[tokio::test]
async fn a_replace_or_apply_with_a_stale_resource_version_is_a_409_conflict() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    let body: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "c"}, "data": {"a": "1"}})).unwrap();
    let stale = api.create(&PostParams::default(), &body).await.unwrap();
    api.patch(
        "c",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"a": "2"}})),
    )
    .await
    .unwrap();
    let err = api
        .replace("c", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), Some(409), "{err:?}");
    let kube::Error::Api(status) = err else {
        unreachable!()
    };
    assert_eq!(status.reason, "Conflict");
    let mut apply = serde_json::to_value(&stale).unwrap();
    apply["apiVersion"] = json!("v1");
    apply["kind"] = json!("ConfigMap");
    apply["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("managedFields");
    let pp = PatchParams::apply("canopy").force();
    let err = api.patch("c", &pp, &Patch::Apply(apply)).await.unwrap_err();
    assert_eq!(
        api_code(&err),
        Some(409),
        "an apply naming a stale resourceVersion conflicts too: {err:?}"
    );
}

#[tokio::test]
async fn an_object_in_a_missing_namespace_is_a_404_until_the_namespace_exists() {
    let sim = Sim::start("edge-0001").await;
    let client = sim.client("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "shop");
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    let err = api
        .patch(
            "c",
            &PatchParams::apply("canopy"),
            &Patch::Apply(cm.clone()),
        )
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), Some(404), "{err:?}");
    let namespaces: Api<Namespace> = Api::all(client);
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    namespaces
        .patch("shop", &PatchParams::apply("canopy"), &Patch::Apply(ns))
        .await
        .unwrap();
    api.patch("c", &PatchParams::apply("canopy"), &Patch::Apply(cm))
        .await
        .unwrap();
    namespaces
        .delete("shop", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        api_code(&api.get("c").await.unwrap_err()),
        Some(404),
        "deleting a namespace deletes its objects"
    );
}

#[tokio::test]
async fn an_apply_by_a_second_manager_that_changes_an_owned_field_conflicts_unless_forced() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<Deployment> = Api::namespaced(sim.client("edge-0001").await, "default");
    api.patch(
        "web",
        &PatchParams::apply("canopy"),
        &Patch::Apply(deployment("web", 1, "a")),
    )
    .await
    .unwrap();
    let other = PatchParams::apply("someone-else");
    let err = api
        .patch("web", &other, &Patch::Apply(deployment("web", 2, "a")))
        .await
        .unwrap_err();
    assert_eq!(api_code(&err), Some(409), "{err:?}");
    let forced = api
        .patch(
            "web",
            &other.force(),
            &Patch::Apply(deployment("web", 2, "a")),
        )
        .await
        .unwrap();
    assert_eq!(forced.spec.replicas, Some(2));
}

#[tokio::test]
async fn a_dry_run_apply_or_delete_answers_but_changes_nothing() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
    let answered = api
        .patch(
            "c",
            &PatchParams::apply("canopy").dry_run(),
            &Patch::Apply(cm.clone()),
        )
        .await
        .unwrap();
    assert_eq!(answered.data.unwrap()["a"], "1");
    assert_eq!(api_code(&api.get("c").await.unwrap_err()), Some(404));
    api.patch("c", &PatchParams::apply("canopy"), &Patch::Apply(cm))
        .await
        .unwrap();
    let dry = DeleteParams {
        dry_run: true,
        ..DeleteParams::default()
    };
    api.delete("c", &dry).await.unwrap();
    assert!(
        api.get("c").await.is_ok(),
        "a dry-run delete keeps the object"
    );
    let log = sim.admin("clusters/edge-0001/log").await;
    let writes: Vec<_> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "c")
        .collect();
    assert_eq!(writes.len(), 1, "only the real apply is logged: {writes:?}");
}

#[tokio::test]
async fn relabelling_an_object_out_of_and_back_into_a_watched_selector_is_a_delete_then_an_add() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::namespaced(sim.client("edge-0001").await, "default");
    let mut events = Box::pin(watcher(
        api.clone(),
        watcher::Config::default().labels("team=a"),
    ));
    let mut next = async || {
        tokio::time::timeout(DEADLINE, events.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    };
    while !matches!(next().await, watcher::Event::InitDone) {}
    let cm = |team: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "labels": {"team": team}}});
    let pp = PatchParams::apply("canopy");
    let mut seen = Vec::new();
    for team in ["a", "b", "a"] {
        api.patch("cfg", &pp, &Patch::Apply(cm(team)))
            .await
            .unwrap();
        match next().await {
            watcher::Event::Apply(o) => seen.push(format!("apply {}", o.labels()["team"])),
            watcher::Event::Delete(o) => seen.push(format!("delete {}", o.labels()["team"])),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["apply a", "delete b", "apply a"]);
}
