use serde_json::json;

use crate::support::{CA, DIG, TestServer, clusters, meta, project_with_apps};

fn dig(profile: &str, cloud: &str, override_app: &str) -> serde_json::Value {
    json!({"metadata": {"name": "dig1"}, "spec": {
        "compositeProfile": profile, "version": "r1", "logicalCloud": cloud,
        "overrideValues": [{"app": override_app, "values": {"service.type": "NodePort"}}]}})
}

#[tokio::test]
async fn a_dig_references_its_profile_logical_cloud_and_override_apps() {
    let s = TestServer::start().await;
    project_with_apps(&s).await;
    let digs = format!("{CA}/deployment-intent-groups");
    s.post(&digs, dig("nope", "default", "collectd"))
        .await
        .expect_field(404, "spec.compositeProfile");
    s.post(&digs, dig("cp", "nope", "collectd"))
        .await
        .expect_field(404, "spec.logicalCloud");
    s.post(&digs, dig("cp", "default", "nope"))
        .await
        .expect_field(404, "spec.overrideValues[0].app");
    s.post(
        &digs,
        json!({"metadata": {"name": "dig1"}, "spec": {"version": "r1", "logicalCloud": "default"}}),
    )
    .await
    .expect_field(400, "spec.compositeProfile");
    s.post(&digs, dig("cp", "default", "collectd"))
        .await
        .expect(201);
    // GET answers the stored body plus the lifecycle's read-only `states`.
    let mut read = s.get(DIG).await.expect(200).json();
    assert_eq!(read["states"]["state"], "Created");
    read.as_object_mut().unwrap().remove("states");
    assert_eq!(read, dig("cp", "default", "collectd"));
    // PUT is allowed while the DIG is Created (tests/lifecycle checks the 409 after approve).
    s.put(DIG, dig("cp", "default", "operator"))
        .await
        .expect(200);
    let r = s
        .delete(&format!("{CA}/composite-profiles/cp"))
        .await
        .expect(409);
    assert!(r.error().contains("dig/dig1"), "{}", r.error());
    let r = s
        .delete("/projects/p1/logical-clouds/default")
        .await
        .expect(409);
    assert!(r.error().contains("dig/dig1"), "{}", r.error());
}

#[tokio::test]
async fn dig_intents_name_registered_controllers_only() {
    let s = TestServer::start().await;
    project_with_apps(&s).await;
    s.post(
        &format!("{CA}/deployment-intent-groups"),
        dig("cp", "default", "collectd"),
    )
    .await
    .expect(201);
    let intents = json!({"metadata": {"name": "intent"}, "spec": {"intent": {"genericPlacementIntent": "gpi", "hpa": "h1"}}});
    s.post(&format!("{DIG}/intents"), intents.clone())
        .await
        .expect_field(404, "spec.intent.hpa");
    s.post("/controllers", json!({"metadata": {"name": "hpa"}, "spec": {"host": "h", "port": 1, "type": "placement", "priority": 1}}))
        .await
        .expect(201);
    s.post(&format!("{DIG}/intents"), intents).await.expect(201);
    // The generic placement intent may come after the DIG intents, as in EMCO's example files.
    s.post(&format!("{DIG}/intents"), json!({"metadata": {"name": "only-gpi"}, "spec": {"intent": {"genericPlacementIntent": "gpi"}}}))
        .await
        .expect(201);
    s.post(
        &format!("{DIG}/intents"),
        json!({"metadata": {"name": "empty"}, "spec": {"intent": {}}}),
    )
    .await
    .expect_field(400, "spec.intent");
}

#[tokio::test]
async fn app_intents_place_apps_on_existing_clusters() {
    let s = TestServer::start().await;
    project_with_apps(&s).await;
    clusters(&s).await;
    s.post(
        &format!("{CA}/deployment-intent-groups"),
        dig("cp", "default", "collectd"),
    )
    .await
    .expect(201);
    // EMCO's examples send spec.logicalCloud on a generic placement intent; it is accepted.
    let gpi = json!({"metadata": {"name": "gpi"}, "spec": {"logicalCloud": "default"}});
    s.post(&format!("{DIG}/generic-placement-intents"), gpi)
        .await
        .expect(201);
    let intents = format!("{DIG}/generic-placement-intents/gpi/app-intents");
    let intent = |name: &str, app: &str, placement: serde_json::Value| json!({"metadata": {"name": name}, "spec": {"app": app, "intent": placement}});
    let all_of = json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1"}, {"clusterProvider": "prov", "clusterLabel": "edge",
        "anyOf": [{"clusterProvider": "prov", "cluster": "c2"}]}]});
    s.post(&intents, intent("collectd-pi", "collectd", all_of))
        .await
        .expect(201);
    s.post(
        &intents,
        intent(
            "op-pi",
            "operator",
            json!({"anyOf": [{"clusterProvider": "prov", "clusterLabel": "edge"}]}),
        ),
    )
    .await
    .expect(201);
    s.post(
        &intents,
        intent(
            "x",
            "operator",
            json!({"allOf": [{"clusterProvider": "prov", "cluster": "c9"}]}),
        ),
    )
    .await
    .expect_field(404, "spec.intent.allOf[0].cluster");
    s.post(&intents, intent("x", "operator", json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1", "clusterLabel": "edge"}]})))
        .await
        .expect_field(400, "spec.intent.allOf[0]");
    s.post(
        &intents,
        intent(
            "x",
            "nope",
            json!({"anyOf": [{"clusterProvider": "prov", "cluster": "c1"}]}),
        ),
    )
    .await
    .expect_field(404, "spec.app");

    let filtered = s
        .get(&format!("{intents}?app=operator"))
        .await
        .expect(200)
        .json();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    s.get(&format!("{intents}?colour=red"))
        .await
        .expect_field(400, "colour");

    // The clusters are now in use: deleting one names the app intent.
    s.delete("/cluster-providers/prov/clusters/c2/labels/edge")
        .await
        .expect(204);
    let r = s
        .delete("/cluster-providers/prov/clusters/c2")
        .await
        .expect(409);
    assert!(
        r.error().contains("appIntent") && r.error().contains("collectd-pi"),
        "{}",
        r.error()
    );
    let _ = meta("");
}
