//! Behaviour every route shares: pagination, size limits, bad URLs, and the OpenAPI document.

use canopy_engine::api::Limits;
use canopy_engine::api::routes::registrations;
use reqwest::Method;
use serde_json::json;

use crate::support::{TestServer, meta};

#[tokio::test]
async fn lists_page_in_name_order_with_a_continue_token() {
    let s = TestServer::start().await;
    for i in (0..23).rev() {
        s.post("/projects", meta(&format!("p{i:02}")))
            .await
            .expect(201);
    }
    let mut seen = Vec::new();
    let mut url = "/projects?limit=10".to_owned();
    loop {
        let page = s.get(&url).await.expect(200);
        let items = page.json();
        assert!(items.as_array().unwrap().len() <= 10);
        seen.extend(
            items
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["metadata"]["name"].as_str().unwrap().to_owned()),
        );
        match page.headers.get("x-continue") {
            Some(token) => url = format!("/projects?limit=10&continue={}", token.to_str().unwrap()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..23).map(|i| format!("p{i:02}")).collect();
    assert_eq!(seen, expected);
    s.get("/projects?limit=0").await.expect_field(400, "limit");
    s.get("/projects?limit=ten")
        .await
        .expect_field(400, "limit");
    s.get("/projects?continue=%21%21")
        .await
        .expect_field(400, "continue");
    s.get("/projects?continue=Y29udHJvbGxlcjpjb250cm9sbGVyL3g")
        .await
        .expect_field(400, "continue");
}

#[tokio::test]
async fn oversized_requests_get_413_and_charts_of_tens_of_megabytes_fit() {
    let s = TestServer::with_limits(Limits {
        json_bytes: 1024,
        upload_bytes: 40 << 20,
    })
    .await;
    let big = json!({"metadata": {"name": "p", "description": "x".repeat(2000)}});
    let r = s.post("/projects", big).await.expect(413);
    assert!(r.error().contains("1024"), "{}", r.error());

    // A real chart padded to 30 MB with a file of random bytes still uploads; 45 MB is refused.
    crate::support::composite_app(&s).await;
    let apps = "/projects/p1/composite-apps/ca/v1/apps";
    let chart = padded_chart(30 << 20);
    s.post_multipart(apps, meta("big"), &[("file", chart.clone())])
        .await
        .expect(201);
    let back = s
        .get_accept(&format!("{apps}/big"), "application/octet-stream")
        .await
        .expect(200);
    assert!(
        back.bytes.as_ref() == chart.as_slice(),
        "the 30 MB chart comes back byte for byte"
    );
    s.post_multipart(apps, meta("huge"), &[("file", padded_chart(45 << 20))])
        .await
        .expect(413);
    s.get(&format!("{apps}/huge")).await.expect(404);
}

/// The collectd chart plus `size` bytes of incompressible padding.
fn padded_chart(size: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let chart = canopy_tests::fixtures::emco_example("collectd")
        .join("helm")
        .join("collectd");
    let copy = dir.path().join("collectd");
    std::fs::create_dir_all(copy.join("templates")).unwrap();
    for file in ["Chart.yaml", "values.yaml"] {
        std::fs::copy(chart.join(file), copy.join(file)).unwrap();
    }
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let noise: Vec<u8> = (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(copy.join("padding.bin"), noise).unwrap();
    canopy_tests::fixtures::tgz_dir(&copy, "collectd")
}

#[tokio::test]
async fn names_in_urls_follow_the_name_rule() {
    let s = TestServer::start().await;
    s.get("/projects/bad%20name").await.expect_field(400, "url");
    s.delete("/projects/-x").await.expect_field(400, "url");
    s.get("/projects/nope/composite-apps").await.expect(404);
}

/// Replaces every `{param}` with a valid name.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "x" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let s = TestServer::start().await;
    let doc = s.get("/openapi.json").await.expect(200).json();
    let routes = registrations();
    let described = routes.described();
    assert!(described.len() > 100, "{} routes", described.len());
    for (method, path) in described {
        // The served document has the operation...
        let op = &doc["paths"][path][method.to_lowercase()];
        assert!(
            op.is_object(),
            "{method} {path} missing from /v2/openapi.json"
        );
        // ...and the router answers it with canopy's own JSON (a missing parent or object is a JSON 404; an
        // unrouted path would be axum's empty 404 or a 405).
        let mut url = concrete(path.strip_prefix("/v2").unwrap());
        if url == "/events" {
            // The event stream follows new events until the client goes; without follow it ends at once.
            url.push_str("?follow=false");
        }
        let request = s.request(method.parse::<Method>().unwrap(), &url);
        let request = if method == "POST" || method == "PUT" {
            request.json(&meta("x"))
        } else {
            request
        };
        let reply = s.send(request).await;
        assert_ne!(reply.status.as_u16(), 405, "{method} {url} is not routed");
        if reply.headers[reqwest::header::CONTENT_TYPE] == "text/event-stream" {
            continue;
        }
        assert!(
            serde_json::from_slice::<serde_json::Value>(&reply.bytes).is_ok(),
            "{method} {url} answered {} with a non-JSON body",
            reply.status
        );
    }
}

/// EMCO's orchestrator, clm and dcm routes (from EMCO 22.09's api.go files), which must all be served.
const EMCO_ROUTES: &[(&str, &str)] = &[
    ("POST", "/controllers"),
    ("GET", "/controllers/{controller}"),
    ("PUT", "/controllers/{controller}"),
    ("DELETE", "/controllers/{controller}"),
    ("POST", "/projects"),
    ("GET", "/projects/{project}"),
    ("POST", "/projects/{project}/composite-apps"),
    (
        "GET",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/apps",
    ),
    (
        "GET",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/apps/{app}",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/apps/{app}/dependency",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/composite-profiles",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/composite-profiles/{compositeProfile}/profiles",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/deployment-intent-groups",
    ),
    (
        "PUT",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/deployment-intent-groups/{deploymentIntentGroup}",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/deployment-intent-groups/{deploymentIntentGroup}/intents",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/deployment-intent-groups/{deploymentIntentGroup}/generic-placement-intents",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/deployment-intent-groups/{deploymentIntentGroup}/generic-placement-intents/{genericPlacementIntent}/app-intents",
    ),
    (
        "POST",
        "/projects/{project}/composite-apps/{compositeApp}/{compositeAppVersion}/deployment-intent-groups/{deploymentIntentGroup}/generic-k8s-intents",
    ),
    ("POST", "/cluster-providers"),
    ("POST", "/cluster-providers/{clusterProvider}/clusters"),
    (
        "GET",
        "/cluster-providers/{clusterProvider}/clusters/{cluster}",
    ),
    (
        "DELETE",
        "/cluster-providers/{clusterProvider}/clusters/{cluster}",
    ),
    (
        "POST",
        "/cluster-providers/{clusterProvider}/clusters/{cluster}/labels",
    ),
    (
        "PUT",
        "/cluster-providers/{clusterProvider}/clusters/{cluster}/labels/{clusterLabel}",
    ),
    (
        "POST",
        "/cluster-providers/{clusterProvider}/clusters/{cluster}/kv-pairs",
    ),
    ("POST", "/projects/{project}/logical-clouds"),
    (
        "POST",
        "/projects/{project}/logical-clouds/{logicalCloud}/cluster-references",
    ),
    (
        "POST",
        "/projects/{project}/logical-clouds/{logicalCloud}/user-permissions",
    ),
    (
        "POST",
        "/projects/{project}/logical-clouds/{logicalCloud}/cluster-quotas",
    ),
    (
        "POST",
        "/projects/{project}/logical-clouds/{logicalCloud}/kv-pairs",
    ),
];

#[test]
fn emcos_configuration_routes_are_all_described() {
    let routes = registrations();
    for (method, path) in EMCO_ROUTES {
        let key = (method.to_string(), format!("/v2{path}"));
        assert!(
            routes.described().contains(&key),
            "EMCO route {method} {path} is not served"
        );
    }
}

#[tokio::test]
async fn concurrent_creates_of_one_name_give_exactly_one_201() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.post("/projects", meta("race")).await.status.as_u16() })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    codes.sort_unstable();
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 19, "{codes:?}");
}

#[tokio::test]
async fn a_parent_deleted_while_children_are_created_leaves_no_orphan() {
    let s = std::sync::Arc::new(TestServer::start().await);
    for round in 0..10 {
        let project = format!("p{round}");
        s.post("/projects", meta(&project)).await.expect(201);
        let creator = {
            let s = s.clone();
            let project = project.clone();
            tokio::spawn(async move {
                let ca = json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}});
                s.post(&format!("/projects/{project}/composite-apps"), ca)
                    .await
                    .status
                    .as_u16()
            })
        };
        let deleter = {
            let s = s.clone();
            let project = project.clone();
            tokio::spawn(async move {
                s.delete(&format!("/projects/{project}"))
                    .await
                    .status
                    .as_u16()
            })
        };
        let (created, deleted) = (creator.await.unwrap(), deleter.await.unwrap());
        let child = s
            .get(&format!("/projects/{project}/composite-apps/ca/v1"))
            .await
            .status
            .as_u16();
        let parent = s.get(&format!("/projects/{project}")).await.status.as_u16();
        // Either the child won (the delete is refused) or the delete won (the child is refused).
        match (created, deleted) {
            (201, 409) => assert_eq!((child, parent), (200, 200)),
            (404, 204) => assert_eq!((child, parent), (404, 404)),
            other => panic!(
                "round {round}: impossible outcome {other:?} (child {child}, parent {parent})"
            ),
        }
    }
}
