use serde_json::json;

use crate::support::{CA, DIG, TestServer, meta, project_with_apps};
use crate::validate::{Hpa, controller};

pub async fn with_dig(s: &TestServer) {
    project_with_apps(s).await;
    let dig = json!({"metadata": {"name": "dig1"}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "default"}});
    s.post(&format!("{CA}/deployment-intent-groups"), dig)
        .await
        .expect(201);
}

#[tokio::test]
async fn controller_intents_store_any_json_spec_for_a_registered_controller() {
    let s = TestServer::start().await;
    with_dig(&s).await;
    let intent = json!({"metadata": {"name": "scale"}, "spec": {"replicas": {"min": 2, "max": 5}, "apps": ["collectd"]}});
    s.post(&format!("{DIG}/controller-intents/hpa"), intent.clone())
        .await
        .expect(404);
    // Creating an intent asks its controller's ValidateIntent: hpa accepts this one.
    let hpa = Hpa::default();
    let server = hpa.serve().await;
    s.post("/controllers", controller("hpa", server.addr()))
        .await
        .expect(201);
    s.post(&format!("{DIG}/controller-intents/hpa"), intent.clone())
        .await
        .expect(201);
    assert_eq!(
        s.get(&format!("{DIG}/controller-intents/hpa/scale"))
            .await
            .expect(200)
            .json(),
        intent
    );
    assert_eq!(
        s.get(&format!("{DIG}/controller-intents/hpa"))
            .await
            .expect(200)
            .json(),
        json!([intent])
    );
    s.post("/controllers", json!({"metadata": {"name": "gac"}, "spec": {"host": "h", "port": 2, "type": "action", "priority": 1}}))
        .await
        .expect(201);
    assert_eq!(
        s.get(&format!("{DIG}/controller-intents/gac"))
            .await
            .expect(200)
            .json(),
        json!([]),
        "a list is per controller"
    );
    s.post(
        &format!("{DIG}/controller-intents/hpa"),
        json!({"metadata": {"name": "s2"}, "spec": [1]}),
    )
    .await
    .expect_field(400, "spec");
    s.delete("/controllers/hpa").await.expect(409);
}

#[tokio::test]
async fn generic_k8s_intents_keep_resources_and_customizations_with_their_files() {
    let s = TestServer::start().await;
    with_dig(&s).await;
    let gi = format!("{DIG}/generic-k8s-intents");
    s.post(&gi, meta("gi1")).await.expect(201);
    let resources = format!("{gi}/gi1/resources");
    let resource = json!({"metadata": {"name": "cm"}, "spec": {"app": "collectd", "newObject": "true",
        "resourceGVK": {"apiVersion": "v1", "kind": "ConfigMap", "name": "extra"}}});
    s.post_multipart(&resources, resource.clone(), &[])
        .await
        .expect_field(400, "file");
    let yaml =
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n".to_vec();
    s.post_multipart(&resources, resource, &[("file", yaml.clone())])
        .await
        .expect(201);
    assert_eq!(
        s.get_accept(&format!("{resources}/cm"), "application/octet-stream")
            .await
            .expect(200)
            .bytes
            .as_ref(),
        yaml.as_slice()
    );

    let customization = json!({"metadata": {"name": "c1"}, "spec": {"clusterSpecific": "true",
        "clusterInfo": {"scope": "label", "clusterProvider": "prov", "clusterLabel": "edge", "mode": "allow"},
        "patchType": "merge", "patchJson": [{"data": {"x": "y"}}]}});
    let files = [("files", b"one".to_vec()), ("files", b"two".to_vec())];
    s.post_multipart(
        &format!("{resources}/cm/customizations"),
        customization.clone(),
        &files,
    )
    .await
    .expect(201);
    assert_eq!(
        s.get(&format!("{resources}/cm/customizations/c1"))
            .await
            .expect(200)
            .json(),
        customization
    );
    let bad = json!({"metadata": {"name": "c2"}, "spec": {"clusterSpecific": "true"}});
    s.post_multipart(&format!("{resources}/cm/customizations"), bad, &[])
        .await
        .expect_field(400, "spec.clusterInfo");
    s.delete(&format!("{gi}/gi1")).await.expect(409);
}
