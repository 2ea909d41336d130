//! Strategic merge patches through kube's `Patch::Strategic`, with Kubernetes' patch merge keys.

mod common;

use common::{Sim, deployment};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::json;

#[tokio::test]
async fn a_strategic_patch_merges_containers_by_name_and_ports_by_container_port() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<Deployment> = Api::namespaced(sim.client("edge-0001").await, "default");
    let mut web = deployment("web", 1, "nginx:1");
    web["spec"]["template"]["spec"]["containers"] = json!([
        {"name": "main", "image": "nginx:1", "ports": [{"containerPort": 80, "name": "http"}]},
        {"name": "sidecar", "image": "envoy:1"}]);
    api.patch("web", &PatchParams::apply("canopy"), &Patch::Apply(web))
        .await
        .unwrap();
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "main", "image": "nginx:2",
        "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "name": "https"}]}]}}}});
    let patched = api
        .patch("web", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let containers = patched.spec.template.spec.unwrap().containers;
    let summary: Vec<_> = containers
        .iter()
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        summary,
        [
            ("main".to_string(), "nginx:2".to_string()),
            ("sidecar".to_string(), "envoy:1".to_string())
        ]
    );
    let ports: Vec<_> = containers[0]
        .ports
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.container_port, p.name, p.protocol))
        .collect();
    assert_eq!(
        ports,
        [
            (80, Some("http".to_string()), Some("TCP".to_string())),
            (443, Some("https".to_string()), None)
        ]
    );
    assert_eq!(patched.metadata.generation, Some(2));

    let delete = json!({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}});
    let patched = api
        .patch("web", &PatchParams::default(), &Patch::Strategic(delete))
        .await
        .unwrap();
    let names: Vec<_> = patched
        .spec
        .template
        .spec
        .unwrap()
        .containers
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["main"]);
}
