//! Many virtual clusters in one process (CI-sized).

mod common;

use common::{Sim, http};
use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{Patch, PatchParams};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_virtual_clusters_each_accept_an_apply() {
    let sim = Sim::start("edge-0001..edge-1000").await;
    let names = sim.handle.fleet().names();
    let http = http();
    assert_eq!(names.len(), 1000);
    let results: Vec<Result<(), String>> = futures::stream::iter(names.clone())
        .map(|name| {
            let (sim, http) = (&sim, &http);
            async move {
                let api: Api<ConfigMap> = Api::default_namespaced(sim.client_over(&name, http).await);
                let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app"},
                    "data": {"cluster": name}});
                api.patch("app", &PatchParams::apply("canopy").force(), &Patch::Apply(cm))
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{name}: {e}"))
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let failures: Vec<_> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{failures:?}");
    for name in &names {
        let cluster = sim.handle.cluster(name).unwrap();
        let store = cluster.store();
        let (_, app) = store.scan(|k| k.name == "app").next().expect("applied");
        assert_eq!(
            app["data"]["cluster"],
            name.as_str(),
            "each cluster holds its own object"
        );
    }
}
