use serde_json::json;

use crate::support::{TestServer, meta};

fn controller(name: &str, priority: u32) -> serde_json::Value {
    json!({"metadata": {"name": name, "description": "d"}, "spec": {"host": "10.0.0.1", "port": 9033, "type": "action", "priority": priority}})
}

#[tokio::test]
async fn controllers_are_created_read_replaced_listed_and_deleted() {
    let s = TestServer::start().await;
    let created = s
        .post("/controllers", controller("gac", 1))
        .await
        .expect(201);
    assert_eq!(
        created.json(),
        controller("gac", 1),
        "create echoes the body"
    );
    s.post("/controllers", controller("gac", 2))
        .await
        .expect(409);
    assert_eq!(
        s.get("/controllers/gac").await.expect(200).json(),
        controller("gac", 1)
    );

    s.put("/controllers/gac", controller("gac", 5))
        .await
        .expect(200);
    assert_eq!(
        s.get("/controllers/gac").await.json()["spec"]["priority"],
        5
    );
    s.put("/controllers/ovnaction", controller("ovnaction", 1))
        .await
        .expect(201);
    s.put("/controllers/gac", controller("other", 1))
        .await
        .expect_field(400, "metadata.name");

    let rsync = json!({"metadata": {"name": "rsync"}, "spec": {"host": "rsync", "port": 9031}});
    s.post("/controllers", rsync).await.expect(201);
    let names: Vec<String> = s
        .get("/controllers")
        .await
        .expect(200)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["gac", "ovnaction", "rsync"]);

    s.delete("/controllers/gac").await.expect(204);
    s.get("/controllers/gac").await.expect(404);
    s.delete("/controllers/gac").await.expect(404);
}

#[tokio::test]
async fn bad_controllers_get_400_naming_the_field_and_rule() {
    let s = TestServer::start().await;
    let r = s
        .post("/controllers", controller("gac", 0))
        .await
        .expect_field(400, "spec.priority");
    assert!(r.json()["rule"].as_str().unwrap().contains("1000000"));
    s.post("/controllers", controller("gac", 1_000_001))
        .await
        .expect_field(400, "spec.priority");
    s.post(
        "/controllers",
        json!({"metadata": {"name": "hpa"}, "spec": {"host": "h", "port": 1}}),
    )
    .await
    .expect_field(400, "spec.type");
    s.post(
        "/controllers",
        json!({"metadata": {"name": "bad name"}, "spec": {"host": "h", "port": 1}}),
    )
    .await
    .expect_field(400, "metadata.name");
    let unknown = json!({"metadata": {"name": "x"}, "spec": {"host": "h", "port": 1, "type": "action", "priority": 1, "colour": "red"}});
    let r = s
        .post("/controllers", unknown)
        .await
        .expect_field(400, "spec.colour");
    assert!(r.json()["rule"].as_str().unwrap().contains("unknown field"));
    s.post(
        "/controllers",
        json!({"metadata": {"name": "x"}, "spec": {"host": "h", "port": "9"}}),
    )
    .await
    .expect_field(400, "spec.port");
    s.post_raw("/controllers", "{not json").await.expect(400);
    s.post_raw("/controllers", "").await.expect(400);
    assert_eq!(
        s.get("/controllers").await.json(),
        json!([]),
        "nothing was stored"
    );
}

#[tokio::test]
async fn a_controller_named_in_dig_intents_cannot_be_deleted() {
    let s = TestServer::start().await;
    crate::support::project_with_apps(&s).await;
    s.post("/controllers", controller("gac", 1))
        .await
        .expect(201);
    let dig = json!({"metadata": {"name": "dig1"}, "spec": {"compositeProfile": "cp", "version": "r1", "logicalCloud": "default"}});
    s.post(
        &format!("{}/deployment-intent-groups", crate::support::CA),
        dig,
    )
    .await
    .expect(201);
    let intents = json!({"metadata": {"name": "i"}, "spec": {"intent": {"genericPlacementIntent": "gpi", "gac": "g1"}}});
    s.post(&format!("{}/intents", crate::support::DIG), intents)
        .await
        .expect(201);
    let r = s.delete("/controllers/gac").await.expect(409);
    assert!(
        r.error().contains("digIntent") && r.error().contains("intent/i"),
        "names the referrer: {}",
        r.error()
    );
    s.delete(&format!("{}/intents/i", crate::support::DIG))
        .await
        .expect(204);
    s.delete("/controllers/gac").await.expect(204);
    let _ = meta("unused");
}
