//! The scheduler's render step over a real composite app in an embedded resource store: EMCO's example
//! charts with their profiles and the DIG's override values, rendered in dependency order.

use bytes::Bytes;
use canopy_engine::appcontext::{Dependency, Manifest, OpStatus};
use canopy_engine::scheduler::render::{self, Error, Request};
use canopy_engine::store::embedded::EmbeddedStore;
use canopy_engine::store::{Key, Put, ResourceStore, Write, key};
use canopy_schemas::name::{CompositeAppName, CompositeAppVersion, ProjectName};
use canopy_schemas::rest::dig::DigSpec;
use canopy_tests::fixtures::{emco_chart, emco_example, emco_profile, tgz_dir};
use serde_json::{Value, json};

const CA: [&str; 3] = ["p1", "ca", "v1"];

fn key(kind: &'static key::Kind, tail: &[&str]) -> Key {
    let mut names: Vec<&str> = match kind.segments[0] {
        "project" => CA[..kind.segments.len().min(3)].to_vec(),
        _ => Vec::new(),
    };
    names.extend_from_slice(tail);
    Key::parse(kind, &names).unwrap()
}

fn meta(name: &str) -> Value {
    json!({"metadata": {"name": name}})
}

fn create(put: Put) -> Write {
    Write::Create(put)
}

fn http_profile(example: &str, profile: &str) -> Vec<u8> {
    let dir = emco_example(example)
        .join("profile")
        .join("network_policy_overrides")
        .join(profile);
    tgz_dir(&dir, "")
}

/// Composite app `ca` v1 with collectd, http-server and http-client (EMCO's charts), composite profile `cp`
/// with a profile per app; collectd and http-client depend on http-server.
async fn store(dir: &tempfile::TempDir) -> EmbeddedStore {
    let store = EmbeddedStore::open(dir.path().join("s.redb")).unwrap();
    let app = |name: &str, chart: Vec<u8>| {
        create(Put::new(key(&key::APP, &[name]), meta(name)).blob("chart", Bytes::from(chart)))
    };
    let profile = |name: &str, app: &str, archive: Vec<u8>| {
        let body = json!({"metadata": {"name": name}, "spec": {"app": app}});
        create(
            Put::new(key(&key::APP_PROFILE, &["cp", name]), body)
                .refs([key(&key::APP, &[app])])
                .blob("profile", Bytes::from(archive)),
        )
    };
    let dependency = |app: &str, on: &str, status: &str, wait: u64| {
        let body = json!({"metadata": {"name": on}, "spec": {"app": on, "opStatus": status, "wait": wait}});
        create(Put::new(key(&key::APP_DEPENDENCY, &[app, on]), body).refs([key(&key::APP, &[on])]))
    };
    store
        .write(vec![
            create(Put::new(
                Key::parse(&key::PROJECT, &["p1"]).unwrap(),
                meta("p1"),
            )),
            create(Put::new(
                key(&key::COMPOSITE_APP, &[]),
                json!({"metadata": {"name": "ca"}, "spec": {"compositeAppVersion": "v1"}}),
            )),
            app("collectd", emco_chart("collectd", "collectd")),
            app("http-server", emco_chart("http-server", "http-server")),
            app("http-client", emco_chart("http-client", "http-client")),
            dependency("collectd", "http-server", "Deployed", 0),
            dependency("http-client", "http-server", "Ready", 5),
            create(Put::new(key(&key::COMPOSITE_PROFILE, &["cp"]), meta("cp"))),
            profile("collectd-profile", "collectd", emco_profile("collectd")),
            profile(
                "server-profile",
                "http-server",
                http_profile("http-server", "http-server-profile"),
            ),
            profile(
                "client-profile",
                "http-client",
                http_profile("http-client", "http-client-profile"),
            ),
        ])
        .await
        .unwrap();
    store
}

fn dig(overrides: Value) -> DigSpec {
    serde_json::from_value(json!({
        "compositeProfile": "cp",
        "version": "r1",
        "logicalCloud": "lc",
        "overrideValues": overrides,
    }))
    .unwrap()
}

/// The project, composite app and version of [`CA`].
type Names = (ProjectName, CompositeAppName, CompositeAppVersion);

fn names() -> Names {
    (
        CA[0].parse().unwrap(),
        CA[1].parse().unwrap(),
        CA[2].parse().unwrap(),
    )
}

fn request<'a>(dig: &'a DigSpec, names: &'a Names) -> Request<'a> {
    Request {
        project: &names.0,
        composite_app: &names.1,
        version: &names.2,
        dig,
        namespace: "tenant-a",
    }
}

fn find(resources: &[Manifest], kind: &str) -> Value {
    let m = resources
        .iter()
        .find(|m| m.kind == kind)
        .unwrap_or_else(|| panic!("no {kind}"));
    yaml_serde::from_slice(&m.body).unwrap()
}

#[tokio::test]
async fn apps_render_with_profile_and_override_values_in_dependency_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let names = names();
    let dig = dig(json!([
        {"app": "collectd", "values": {"collectd_prometheus.service.targetPort": "9200"}},
        {"app": "http-server", "values": {"replicaCount": "3"}},
    ]));
    let rendered = render::render_apps(&store, request(&dig, &names))
        .await
        .unwrap();

    let order: Vec<&str> = rendered.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(order, ["http-server", "collectd", "http-client"]);
    assert_eq!(
        rendered[2].depends_on,
        [Dependency::new(
            "http-server".parse().unwrap(),
            OpStatus::Ready,
            5
        )]
    );
    assert_eq!(rendered[1].depends_on[0].op_status, OpStatus::Deployed);

    let collectd = find(&rendered[1].manifests.resources, "Service");
    assert_eq!(
        collectd["metadata"]["labels"]["release"], "r1",
        "release name = DIG version"
    );
    assert_eq!(
        collectd["spec"]["ports"][0]["port"], 9104,
        "from the profile"
    );
    assert_eq!(
        collectd["spec"]["ports"][0]["targetPort"], 9200,
        "from the override"
    );

    let server = &rendered[0].manifests.resources;
    assert_eq!(
        find(server, "Service")["spec"]["type"],
        "NodePort",
        "from the profile"
    );
    assert_eq!(
        find(server, "Deployment")["spec"]["replicas"],
        3,
        "from the override"
    );
    let client = &rendered[2].manifests.resources;
    assert_eq!(
        find(client, "Deployment")["spec"]["replicas"],
        1,
        "no override"
    );
}

#[tokio::test]
async fn failures_name_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let names = names();

    let stray = dig(json!([{"app": "ghost", "values": {"a": "b"}}]));
    let err = render::render_apps(&store, request(&stray, &names))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOverrideApp(app) if app == "ghost"),
        "{err}"
    );

    let bad_set = dig(json!([{"app": "http-client", "values": {"a[x]": "b"}}]));
    let err = render::render_apps(&store, request(&bad_set, &names))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("app http-client: rendering its Helm chart failed"),
        "{err}"
    );
    assert!(!err.is_retryable());

    let mut no_profile = dig(json!([]));
    no_profile.composite_profile = "other".into();
    let err = render::render_apps(&store, request(&no_profile, &names))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the DIG's composite profile other does not exist"
    );

    // A cycle: http-server now also depends on http-client.
    let body = json!({"metadata": {"name": "http-client"},
                      "spec": {"app": "http-client", "opStatus": "Ready", "wait": 0}});
    store
        .write(vec![create(
            Put::new(
                key(&key::APP_DEPENDENCY, &["http-server", "http-client"]),
                body,
            )
            .refs([key(&key::APP, &["http-client"])]),
        )])
        .await
        .unwrap();
    let err = render::render_apps(&store, request(&dig(json!([])), &names))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "app dependencies form a cycle: http-client -> http-server -> http-client"
    );
}
