//! HTTP/2 with prior knowledge (h2c) to a plain-HTTP cluster: one connection carries a cluster's requests
//! and all its watches. (A refusing cluster under h2c: `errors.rs`.)

mod common;

use canopy_engine::appcontext::Ready;
use canopy_rsync::cluster::Watches;
use canopy_rsync::cluster::app::{self, ResourceEvent};
use common::*;
use tokio_util::sync::CancellationToken;

/// The HTTP version of the answer to `GET /version` on a virtual cluster.
async fn version_spoken(sim: &Sim, name: &str) -> http::Version {
    let cluster = sim.cluster(name).await;
    let request = http::Request::get("/version")
        .body(Vec::new())
        .expect("a request");
    let response = within(cluster.client().send(request.map(Into::into)))
        .await
        .expect("edgesim answers");
    assert!(response.status().is_success(), "{}", response.status());
    response.version()
}

#[tokio::test]
async fn an_h2c_client_speaks_http2_and_a_default_client_http1_to_the_same_server() {
    let h2c = Sim::start_h2c("edge-1").await;
    assert_eq!(version_spoken(&h2c, "edge-1").await, http::Version::HTTP_2);
    let h1 = Sim::start("edge-1").await;
    assert_eq!(version_spoken(&h1, "edge-1").await, http::Version::HTTP_11);
}

/// Installs a ConfigMap and two Deployments while watching both kinds, and waits until all are Ready;
/// returns how many connections the server accepted meanwhile.
async fn connections_for_an_app(sim: &Sim) -> u64 {
    let cluster = sim.cluster("edge-1").await;
    let watches = Watches::for_cluster(&cluster);
    let manifests = app(vec![
        config_map("settings", "1"),
        deployment("web", "nginx:1"),
        deployment("api", "nginx:1"),
    ]);
    let cancel = CancellationToken::new();
    within(app::install(&cluster, &manifests, "dep-1", &(), &cancel))
        .await
        .unwrap();
    let report = Recorder::default();
    within(app::wait_ready(&watches, &manifests, &report, &cancel))
        .await
        .expect("every resource becomes ready");
    assert!(
        report
            .of("api")
            .contains(&ResourceEvent::Readiness(Ready::Ready)),
        "{:?}",
        report.events()
    );
    sim.handle.connections_accepted()
}

#[tokio::test]
async fn under_h2c_one_connection_carries_a_clusters_requests_and_watches() {
    let h2c = Sim::start_h2c("edge-1").await;
    assert_eq!(connections_for_an_app(&h2c).await, 1);
    // The same work over HTTP/1.1 holds a connection per watched kind (two here); a request takes one
    // that is idle.
    let h1 = Sim::start("edge-1").await;
    let h1_connections = connections_for_an_app(&h1).await;
    assert!(h1_connections >= 2, "{h1_connections} connection(s)");
}
