//! Injected faults as a kube client sees them, and the control API.

mod common;

use std::time::{Duration, Instant};

use common::{Sim, api_code};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::json;

fn cm(name: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}})
}

async fn apply(api: &Api<ConfigMap>, name: &str) -> Result<ConfigMap, kube::Error> {
    api.patch(
        name,
        &PatchParams::apply("canopy").force(),
        &Patch::Apply(cm(name)),
    )
    .await
}

#[tokio::test]
async fn an_unreachable_cluster_that_refuses_closes_the_connection_and_heals() {
    let sim = Sim::start("edge-0001..edge-0002").await;
    let api: Api<ConfigMap> = Api::default_namespaced(sim.client_without_retry("edge-0001").await);
    sim.set_faults("edge-0001", json!({"unreachable": "refuse"}))
        .await;
    let err = apply(&api, "c").await.unwrap_err();
    assert!(
        matches!(err, kube::Error::HyperError(_) | kube::Error::Service(_)),
        "{err:?}"
    );
    let neighbour: Api<ConfigMap> = Api::default_namespaced(sim.client("edge-0002").await);
    apply(&neighbour, "c")
        .await
        .expect("other clusters are unaffected");
    sim.set_faults("edge-0001", json!({})).await;
    apply(&api, "c").await.expect("a healed cluster answers");
}

#[tokio::test]
async fn an_unreachable_cluster_that_hangs_times_out_the_client() {
    let sim = Sim::start("edge-0001").await;
    let mut config = sim.config("edge-0001").await;
    config.read_timeout = Some(Duration::from_millis(300));
    let api: Api<ConfigMap> = Api::default_namespaced(kube::Client::try_from(config).unwrap());
    sim.set_faults("edge-0001", json!({"unreachable": "hang"}))
        .await;
    let started = Instant::now();
    let err = apply(&api, "c").await.unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        api_code(&err).is_none(),
        "a hang is a transport error, not an API answer: {err:?}"
    );
}

#[tokio::test]
async fn a_slow_cluster_answers_after_its_latency() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::default_namespaced(sim.client("edge-0001").await);
    sim.set_faults("edge-0001", json!({"latency_ms": 250}))
        .await;
    let started = Instant::now();
    apply(&api, "c").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_flaky_cluster_fails_its_share_of_requests_with_the_chosen_code() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::default_namespaced(sim.client_without_retry("edge-0001").await);
    for code in [500, 503] {
        sim.set_faults(
            "edge-0001",
            json!({"flaky": {"fraction": 1.0, "code": code}}),
        )
        .await;
        let err = apply(&api, "c").await.unwrap_err();
        assert_eq!(api_code(&err), Some(code), "{err:?}");
        let kube::Error::Api(status) = err else {
            unreachable!()
        };
        assert_eq!(
            status.status,
            Some(kube::core::response::StatusSummary::Failure)
        );
    }
    sim.set_faults("edge-0001", json!({"flaky": {"fraction": 0.5}}))
        .await;
    let mut outcomes = Vec::new();
    for _ in 0..60 {
        outcomes.push(apply(&api, "c").await.map_err(|e| api_code(&e)).err());
    }
    assert!(
        outcomes.contains(&Some(Some(503))),
        "some requests fail with 503"
    );
    assert!(outcomes.contains(&None), "some requests succeed");
}

#[tokio::test]
async fn the_default_kube_client_rides_out_a_half_flaky_cluster_by_retrying_503s() {
    let sim = Sim::start("edge-0001").await;
    let api: Api<ConfigMap> = Api::default_namespaced(sim.client("edge-0001").await);
    sim.set_faults(
        "edge-0001",
        json!({"flaky": {"fraction": 0.5, "code": 503}}),
    )
    .await;
    for i in 0..10 {
        apply(&api, &format!("c{i}"))
            .await
            .expect("kube retries 503 with backoff");
    }
}

#[tokio::test]
async fn the_control_api_creates_clusters_in_bulk_and_reads_back_objects_and_the_apply_log() {
    let sim = Sim::start("seed").await;
    let http = reqwest::Client::new();
    let admin = format!("{}/admin/clusters", sim.handle.url());
    let created = http
        .post(&admin)
        .json(&json!({"range": "edge-01..edge-12"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(
        sim.admin("clusters").await["clusters"]
            .as_array()
            .unwrap()
            .len(),
        13
    );

    let kubeconfig = http
        .get(format!("{admin}/edge-07/kubeconfig"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    let api: Api<ConfigMap> = Api::default_namespaced(kube::Client::try_from(config).unwrap());
    apply(&api, "c").await.unwrap();

    let objects = sim.admin("clusters/edge-07/objects").await;
    assert!(
        objects["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["metadata"]["name"] == "c")
    );
    let log = sim.admin("clusters/edge-07/log").await;
    let entry = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "c")
        .unwrap()
        .clone();
    assert_eq!(
        (entry["verb"].as_str(), entry["manager"].as_str()),
        (Some("apply"), Some("canopy"))
    );
    assert!(entry["time"].as_str().unwrap().starts_with("20"));

    let deleted = http
        .delete(format!("{admin}?range=edge-01..edge-06"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.json::<serde_json::Value>().await.unwrap()["deleted"],
        6
    );
    assert_eq!(
        http.delete(format!("{admin}/edge-07"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        sim.admin("clusters").await["clusters"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let err = apply(&api, "c").await.unwrap_err();
    assert_eq!(
        api_code(&err),
        Some(404),
        "a deleted cluster is gone: {err:?}"
    );
}

#[tokio::test]
async fn a_server_started_with_a_kubeconfig_dir_writes_one_usable_kubeconfig_per_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let config = canopy_edgesim::Config {
        clusters: Some("edge-1..edge-3".into()),
        kubeconfig_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let server = config.build().await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let path = dir.path().join("edge-2.yaml");
    let kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    let api: Api<ConfigMap> = Api::default_namespaced(kube::Client::try_from(config).unwrap());
    apply(&api, "c").await.unwrap();
    assert!(dir.path().join("edge-3.yaml").exists());
    drop(stop);
}
