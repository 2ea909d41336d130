use reqwest::Method;
use serde_json::json;

use crate::support::{CA, TestServer, meta, project_with_apps};
use canopy_tests::fixtures::{emco_chart, emco_profile};

#[tokio::test]
async fn apps_upload_real_charts_and_answer_by_accept() {
    let s = TestServer::start().await;
    project_with_apps(&s).await;
    let app = format!("{CA}/apps/collectd");
    assert_eq!(
        s.get(&app).await.expect(200).json(),
        meta("collectd"),
        "a missing Accept gets JSON, not a panic"
    );
    assert_eq!(
        s.get_accept(&app, "application/json")
            .await
            .expect(200)
            .json(),
        meta("collectd")
    );
    let chart = s
        .get_accept(&app, "application/octet-stream")
        .await
        .expect(200);
    assert_eq!(
        chart.bytes.as_ref(),
        emco_chart("collectd", "collectd").as_slice()
    );
    let both = s.get_accept(&app, "multipart/form-data").await.expect(200);
    let content_type = both.headers["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&both.bytes);
    assert!(
        body.contains("name=\"metadata\"")
            && body.contains("name=\"file\"")
            && body.contains("\"collectd\"")
    );
    s.get_accept(&app, "text/html").await.expect(406);

    let names: Vec<String> = s
        .get(&format!("{CA}/apps"))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["collectd", "operator"]);
}

#[tokio::test]
async fn an_app_file_must_be_a_helm_chart() {
    let s = TestServer::start().await;
    project_with_apps(&s).await;
    let r = s
        .post_multipart(
            &format!("{CA}/apps"),
            meta("bad"),
            &[("file", b"PK zip?".to_vec())],
        )
        .await
        .expect_field(400, "file");
    assert!(r.json()["rule"].as_str().unwrap().contains("gzip"));
    s.post_multipart(
        &format!("{CA}/apps"),
        meta("bad"),
        &[("file", emco_profile("collectd"))],
    )
    .await
    .expect_field(400, "file");
    s.get(&format!("{CA}/apps/bad")).await.expect(404);
    // Replacing an app replaces its chart.
    s.multipart(
        Method::PUT,
        &format!("{CA}/apps/collectd"),
        meta("collectd"),
        &[("file", emco_chart("http-server", "http-server"))],
    )
    .await
    .expect(200);
    let chart = s
        .get_accept(&format!("{CA}/apps/collectd"), "application/octet-stream")
        .await;
    assert_eq!(
        chart.bytes.as_ref(),
        emco_chart("http-server", "http-server").as_slice()
    );
}

#[tokio::test]
async fn composite_apps_are_keyed_by_name_and_version() {
    let s = TestServer::start().await;
    s.post("/projects", meta("p1")).await.expect(201);
    let v2 = json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v2"}});
    s.post("/projects/p1/composite-apps", v2.clone())
        .await
        .expect(201);
    assert_eq!(
        s.get("/projects/p1/composite-apps/ca/v2")
            .await
            .expect(200)
            .json(),
        v2
    );
    s.get("/projects/p1/composite-apps/ca/v1").await.expect(404);
    s.put("/projects/p1/composite-apps/ca/v2", json!({"metadata": {"name": "ca", "description": "x"}, "spec": {"compositeAppVersion": "v2"}}))
        .await
        .expect(200);
    s.put("/projects/p1/composite-apps/ca/v3", v2)
        .await
        .expect_field(400, "metadata.name");
    s.post(
        "/projects/p2/composite-apps",
        json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}}),
    )
    .await
    .expect(404);
    let r = s.delete("/projects/p1").await.expect(409);
    assert!(r.error().contains("compositeApp/ca"), "{}", r.error());
}

#[tokio::test]
async fn dependencies_and_profiles_reference_apps_of_the_same_composite_app() {
    let s = TestServer::start().await;
    project_with_apps(&s).await;
    let dep = |app: &str| json!({"metadata": {"name": "d"}, "spec": {"app": app, "opStatus": "Ready", "wait": 10}});
    s.post(&format!("{CA}/apps/collectd/dependency"), dep("missing"))
        .await
        .expect_field(404, "spec.app");
    s.post(&format!("{CA}/apps/collectd/dependency"), dep("collectd"))
        .await
        .expect_field(400, "spec.app");
    s.post(&format!("{CA}/apps/collectd/dependency"), dep("operator"))
        .await
        .expect(201);
    s.post(
        &format!("{CA}/apps/collectd/dependency"),
        json!({"metadata": {"name": "e"}, "spec": {"app": "operator", "opStatus": "Done"}}),
    )
    .await
    .expect_field(400, "spec.opStatus");
    let r = s.delete(&format!("{CA}/apps/operator")).await.expect(409);
    assert!(r.error().contains("dependency/d"), "{}", r.error());

    let profiles = format!("{CA}/composite-profiles/cp/profiles");
    let profile = |name: &str, app: &str| json!({"metadata": {"name": name}, "spec": {"app": app}});
    s.post_multipart(
        &profiles,
        profile("collectd-profile", "collectd"),
        &[("file", emco_profile("collectd"))],
    )
    .await
    .expect(201);
    let r = s
        .post_multipart(
            &profiles,
            profile("second", "collectd"),
            &[("file", emco_profile("collectd"))],
        )
        .await
        .expect(409);
    assert!(
        r.error().contains("collectd-profile"),
        "names the existing profile: {}",
        r.error()
    );
    s.post_multipart(
        &profiles,
        profile("op-profile", "operator"),
        &[("file", emco_profile("operators-latest"))],
    )
    .await
    .expect(201);
    s.post_multipart(
        &profiles,
        profile("bad", "operator"),
        &[("file", emco_chart("collectd", "collectd"))],
    )
    .await
    .expect_field(400, "file");
    let only: Vec<serde_json::Value> = s
        .get(&format!("{profiles}?app=operator"))
        .await
        .expect(200)
        .json()
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["metadata"]["name"], "op-profile");
    let file = s
        .get_accept(
            &format!("{profiles}/op-profile"),
            "application/octet-stream",
        )
        .await
        .expect(200);
    assert_eq!(
        file.bytes.as_ref(),
        emco_profile("operators-latest").as_slice()
    );
}
