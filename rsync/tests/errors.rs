//! Failures: an unreachable cluster is retryable; a refused object is terminal and named.

mod common;

use std::time::Duration;

use canopy_edgesim::fault::{Faults, Unreachable};
use canopy_rsync::cluster::{ApplyError, Cluster};
use common::*;
use serde_json::json;

/// Refuses `edge-1`'s connections, checks that a check and an apply are unreachable (and retryable), then
/// heals it and applies.
async fn refused_then_healed(sim: &Sim) {
    let cluster = sim.cluster("edge-1").await;
    cluster.reachable().await.expect("healthy at first");
    sim.set_faults(
        "edge-1",
        Faults {
            unreachable: Some(Unreachable::Refuse),
            ..Faults::default()
        },
    );
    let e = within(cluster.reachable()).await.unwrap_err();
    assert!(matches!(e, ApplyError::Unreachable(_)), "{e:?}");
    assert!(e.is_retryable());
    let e = within(cluster.apply(&config_map("settings", "1"), "d"))
        .await
        .unwrap_err();
    assert!(matches!(e, ApplyError::Unreachable(_)), "{e:?}");

    sim.set_faults("edge-1", Faults::default());
    within(cluster.apply(&config_map("settings", "1"), "d"))
        .await
        .expect("healed");
}

#[tokio::test]
async fn a_cluster_that_closes_connections_is_unreachable_and_retryable() {
    refused_then_healed(&Sim::start("edge-1").await).await;
}

#[tokio::test]
async fn under_h2c_a_cluster_that_refuses_is_unreachable_and_heals_on_a_new_connection() {
    let sim = Sim::start_h2c("edge-1").await;
    refused_then_healed(&sim).await;
    // The refusal closed the whole connection, as a broken link would (and with it every watch it
    // carried), not only the refused request's stream: the requests after it needed a new connection.
    assert!(sim.handle.connections_accepted() >= 2);
}

#[tokio::test]
async fn a_cluster_that_never_answers_is_unreachable_after_the_request_timeout() {
    let sim = Sim::start("edge-1").await;
    let client = sim
        .clients
        .get(&Sim::cluster_ref("edge-1"), &sim.kubeconfig("edge-1"))
        .await
        .unwrap();
    let cluster = Cluster::with_timeout(client, "default", Duration::from_millis(300));
    sim.set_faults(
        "edge-1",
        Faults {
            unreachable: Some(Unreachable::Hang),
            ..Faults::default()
        },
    );
    let e = within(cluster.apply(&config_map("settings", "1"), "d"))
        .await
        .unwrap_err();
    assert!(matches!(e, ApplyError::Unreachable(_)), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn an_unknown_kind_is_terminal_and_named() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    let e = cluster.apply(&widget("gadget"), "d").await.unwrap_err();
    assert!(matches!(e, ApplyError::Terminal(_)), "{e:?}");
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("Widget"), "{e}");
    assert!(e.to_string().contains("example.com/v1"), "{e}");
}

#[tokio::test]
async fn an_object_the_server_refuses_is_terminal_with_its_name_and_the_servers_message() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    // An object being deleted may not get new finalizers: the server answers 422 Invalid.
    let held = |finalizers: serde_json::Value| {
        manifest(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "held", "finalizers": finalizers}, "data": {"a": "b"}}))
    };
    cluster
        .apply(&held(json!(["example.com/hold"])), "d")
        .await
        .unwrap();
    cluster
        .delete(&held(json!(["example.com/hold"])))
        .await
        .unwrap();
    let e = cluster
        .apply(&held(json!(["example.com/hold", "example.com/more"])), "d")
        .await
        .unwrap_err();
    assert!(matches!(e, ApplyError::Terminal(_)), "{e:?}");
    assert!(!e.is_retryable());
    let text = e.to_string();
    assert!(text.contains("ConfigMap held"), "{text}");
    assert!(
        text.contains("no new finalizers"),
        "the server's message: {text}"
    );
    assert!(text.contains("422"), "{text}");

    // A namespace that does not exist is a 404 from the server: terminal too.
    let mut elsewhere = config_map("settings", "1");
    elsewhere.namespace = Some("nowhere".into());
    let e = cluster.apply(&elsewhere, "d").await.unwrap_err();
    assert!(matches!(e, ApplyError::Terminal(_)), "{e:?}");
    assert!(e.to_string().contains("ConfigMap nowhere/settings"), "{e}");
}

#[tokio::test]
async fn a_crd_applied_a_moment_ago_is_discovered_although_its_group_was_cached_without_it() {
    let sim = Sim::start("edge-1").await;
    let cluster = sim.cluster("edge-1").await;
    // Caches example.com/v1 as not served.
    assert!(cluster.apply(&widget("gadget"), "d").await.is_err());
    cluster.apply(&widget_crd(), "d").await.unwrap();
    cluster
        .wait_established(&widget_crd(), &Default::default())
        .await
        .unwrap();
    cluster
        .apply(&widget("gadget"), "d")
        .await
        .expect("discovery is refreshed");
}
