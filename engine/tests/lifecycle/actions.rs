//! Action controllers' edits land in the AppContext, on the clusters they select, all or none.

use std::sync::Arc;

use canopy_engine::appcontext::Reader;
use canopy_schemas::controller::{ClusterSelector, Edit, Op, Patch, Resource, ResourceKey};
use serde_json::json;

use crate::support::*;

fn intent() -> serde_json::Value {
    json!({"allOf": [
        {"clusterProvider": "prov", "cluster": "c1"},
        {"clusterProvider": "prov", "cluster": "c3"},
    ]})
}

fn add_configmap(request: &canopy_schemas::controller::UpdateRequest) -> Vec<Edit> {
    let app = request.apps[0].app.clone();
    let first = request.apps[0].resources[0].key.clone();
    let key = ResourceKey {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        name: "extra".into(),
        namespace: Some("apps".into()),
    };
    vec![
        // A ConfigMap on the edge clusters only.
        Edit {
            app: app.clone(),
            selector: ClusterSelector {
                clusters: vec![],
                labels: vec!["edge".parse().unwrap()],
            },
            op: Op::Add(Resource {
                key,
                body: json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "extra", "namespace": "apps"}, "data": {"a": "1"}}),
            }),
        },
        // A label on the app's first resource, on c3 only.
        Edit {
            app,
            selector: ClusterSelector {
                clusters: vec!["prov+c3".parse().unwrap()],
                labels: vec![],
            },
            op: Op::Patch {
                target: first,
                patch: Patch::Merge(json!({"metadata": {"labels": {"patched": "yes"}}})),
            },
        },
    ]
}

#[tokio::test]
async fn edits_apply_to_the_clusters_they_select() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let a1 = TestController::new("a1", &calls, Behaviour::Edits(Arc::new(add_configmap)));
    let _served = register(&engine, &[Ctl::action(&a1, 1)]).await;
    dig(&engine, intent(), &["a1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "Instantiated").await;
    let id = status["states"]["statusctxid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let ctx = Reader::open(env.ctx.as_ref(), id)
        .await
        .unwrap()
        .read()
        .await
        .unwrap();
    let app = &ctx.apps[0];
    let c1 = &app.clusters[&"prov+c1".parse().unwrap()];
    let c3 = &app.clusters[&"prov+c3".parse().unwrap()];
    // Added at the end of the order, on the edge cluster only.
    assert_eq!(c1.resources.last().unwrap().name, "extra");
    assert_eq!(c1.resources.len(), c3.resources.len() + 1);
    assert!(c3.resources.iter().all(|r| r.name != "extra"));
    // Patched on c3 only.
    let body = |m: &canopy_engine::appcontext::Manifest| -> serde_json::Value {
        yaml_serde::from_slice(&m.body).unwrap()
    };
    assert_eq!(
        body(&c3.resources[0])["metadata"]["labels"]["patched"],
        "yes"
    );
    assert!(
        body(&c1.resources[0])["metadata"]["labels"]
            .get("patched")
            .is_none()
    );
}

#[tokio::test]
async fn an_edit_of_a_missing_resource_fails_the_step_and_names_it() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let calls = Calls::default();
    let bad = |request: &canopy_schemas::controller::UpdateRequest| {
        vec![Edit {
            app: request.apps[0].app.clone(),
            selector: ClusterSelector::default(),
            op: Op::Delete(ResourceKey {
                api_version: "v1".into(),
                kind: "Secret".into(),
                name: "nowhere".into(),
                namespace: Some("apps".into()),
            }),
        }]
    };
    let a1 = TestController::new("a1", &calls, Behaviour::Edits(Arc::new(bad)));
    let _served = register(&engine, &[Ctl::action(&a1, 1)]).await;
    dig(&engine, intent(), &["a1"]).await;
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "InstantiateFailed").await;
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.contains("action step failed")
            && reason.contains("a1")
            && reason.contains("nowhere"),
        "{reason}"
    );
    // All or none: the context kept for inspection has no trace of the edit.
    assert_eq!(status["deployedStatus"], "InstantiateFailed");
}

#[tokio::test]
async fn the_built_in_gac_gets_its_intents_from_the_gac_routes_and_its_edits_land() {
    let env = Env::embedded().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    let (_, gac) = canopy_controllers::builtin::controller("gac").unwrap();
    let serving =
        canopy_controllers::serve("127.0.0.1:0".parse().unwrap(), gac, std::future::pending())
            .await
            .unwrap();
    engine
        .post(
            "/controllers",
            json!({"metadata": {"name": "gac"}, "spec": {"host": "127.0.0.1", "port": serving.addr().port(),
                "type": "action", "priority": 1}}),
        )
        .await
        .expect(201);
    dig(&engine, intent(), &[]).await;
    let gi = format!("{DIG}/generic-k8s-intents");
    engine.post(&gi, meta("gi")).await.expect(201);
    let configmap =
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata: {}\n".to_vec();
    engine
        .multipart(
            &format!("{gi}/gi/resources"),
            json!({"metadata": {"name": "cm-extra"}, "spec": {"app": "collectd", "newObject": "true",
                "resourceGVK": {"apiVersion": "v1", "kind": "ConfigMap", "name": "extra"}}}),
            configmap,
        )
        .await
        .expect(201);
    engine
        .multipart_parts(
            &format!("{gi}/gi/resources/cm-extra/customizations"),
            json!({"metadata": {"name": "edge-only"}, "spec": {"clusterSpecific": "true",
                "clusterInfo": {"scope": "label", "clusterProvider": "prov", "clusterLabel": "edge", "mode": "allow"},
                "configMapOptions": {"dataKeyOptions": [{"fileName": "app.conf", "keyName": "conf"}]}}}),
            vec![("files", "app.conf", b"level=debug\n".to_vec())],
        )
        .await
        .expect(201);
    engine
        .post(
            &format!("{DIG}/intents"),
            json!({"metadata": {"name": "gac-intents"}, "spec": {"intent": {"gac": "gi"}}}),
        )
        .await
        .expect(201);
    engine.op(&format!("{DIG}/approve"), None).await.expect(202);
    engine
        .op(&format!("{DIG}/instantiate"), None)
        .await
        .expect(202);
    let status = engine.wait_state(DIG, "Instantiated").await;
    let id = status["states"]["statusctxid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let ctx = Reader::open(env.ctx.as_ref(), id)
        .await
        .unwrap()
        .read()
        .await
        .unwrap();
    let app = &ctx.apps[0];
    let edge = &app.clusters[&"prov+c1".parse().unwrap()];
    let core = &app.clusters[&"prov+c3".parse().unwrap()];
    let extra = edge
        .resources
        .iter()
        .find(|r| r.name == "extra")
        .expect("the ConfigMap on the edge cluster");
    let body: serde_json::Value = yaml_serde::from_slice(&extra.body).unwrap();
    assert_eq!(body["data"]["conf"], "level=debug\n");
    assert!(
        core.resources.iter().all(|r| r.name != "extra"),
        "not on the core cluster"
    );
}
