//! The client cache: one client per cluster, rebuilt when its kubeconfig changes.

mod common;

use canopy_rsync::cluster::Cluster;
use common::*;

#[tokio::test]
async fn the_same_kubeconfig_gives_the_cached_client_and_a_changed_one_a_new_client() {
    let sim = Sim::start("edge-1..edge-2").await;
    let at = Sim::cluster_ref("edge-1");
    let first = sim
        .clients
        .get(&at, &sim.kubeconfig("edge-1"))
        .await
        .unwrap();
    let again = sim
        .clients
        .get(&at, &sim.kubeconfig("edge-1"))
        .await
        .unwrap();
    assert_eq!(
        sim.clients.built(),
        1,
        "the unchanged kubeconfig reuses the client"
    );
    assert_eq!(sim.clients.len(), 1);
    Cluster::new(first, "default")
        .apply(&config_map("one", "1"), "d")
        .await
        .unwrap();
    Cluster::new(again, "default")
        .apply(&config_map("two", "1"), "d")
        .await
        .unwrap();
    assert_eq!(sim.writes("edge-1").len(), 2);

    // The same cluster reference, now with edge-2's kubeconfig (the cluster was re-registered).
    let moved = sim
        .clients
        .get(&at, &sim.kubeconfig("edge-2"))
        .await
        .unwrap();
    assert_eq!(sim.clients.built(), 2);
    Cluster::new(moved, "default")
        .apply(&config_map("three", "1"), "d")
        .await
        .unwrap();
    assert_eq!(sim.writes("edge-2"), ["apply ConfigMap/three"]);

    sim.clients.invalidate(&at);
    assert!(sim.clients.is_empty());
    sim.clients
        .get(&at, &sim.kubeconfig("edge-2"))
        .await
        .unwrap();
    assert_eq!(sim.clients.built(), 3, "rebuilt after invalidate");
}

#[tokio::test]
async fn a_kubeconfig_that_does_not_parse_is_terminal() {
    let sim = Sim::start("edge-1").await;
    let Err(e) = sim
        .clients
        .get(&Sim::cluster_ref("edge-1"), b"clusters: [this is not")
        .await
    else {
        panic!("a broken kubeconfig builds no client");
    };
    assert!(!e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("sim+edge-1"), "{e}");
}
