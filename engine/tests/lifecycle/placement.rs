//! The generic placement table end to end on a real etcd: each intent shape resolves to the groups EMCO's
//! rules give, and one cluster is chosen per group.

use serde_json::{Value, json};

use crate::support::*;

async fn placed_by(engine: &Engine, name: &str, intent: Value) -> (String, Vec<String>, Value) {
    dig_named(engine, name, intent, &[]).await;
    let path = dig_path(name);
    engine
        .op(&format!("{path}/approve"), None)
        .await
        .expect(202);
    engine
        .op(&format!("{path}/instantiate"), None)
        .await
        .expect(202);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let status = engine.get(&format!("{path}/status")).await.expect(200).body;
        let state = status["state"].as_str().unwrap().to_owned();
        if state != "Instantiating" {
            let mut clusters = placed(&status);
            clusters.sort();
            return (state, clusters, status);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn item(cluster: &str) -> Value {
    json!({"clusterProvider": "prov", "cluster": cluster})
}

fn label(label: &str) -> Value {
    json!({"clusterProvider": "prov", "clusterLabel": label})
}

#[tokio::test]
async fn the_generic_placement_table() {
    let env = Env::etcd().await;
    let engine = env.engine().await;
    base(&engine, &env).await;
    // allOf by name: each named cluster.
    let (state, clusters, _) = placed_by(
        &engine,
        "all-names",
        json!({"allOf": [item("c1"), item("c4")]}),
    )
    .await;
    assert_eq!(
        (state.as_str(), clusters),
        (
            "Instantiated",
            vec!["prov+c1".to_owned(), "prov+c4".to_owned()]
        )
    );
    // allOf by label: every cluster carrying it, each its own group.
    let (state, clusters, _) =
        placed_by(&engine, "all-label", json!({"allOf": [label("core")]})).await;
    assert_eq!(
        (state.as_str(), clusters),
        (
            "Instantiated",
            vec!["prov+c3".to_owned(), "prov+c4".to_owned()]
        )
    );
    // anyOf by name: one group, one cluster (no scores: the smallest name).
    let (state, clusters, _) = placed_by(
        &engine,
        "any-names",
        json!({"anyOf": [item("c4"), item("c2")]}),
    )
    .await;
    assert_eq!(
        (state.as_str(), clusters),
        ("Instantiated", vec!["prov+c2".to_owned()])
    );
    // anyOf by label: one group of every labelled cluster, one chosen.
    let (state, clusters, _) =
        placed_by(&engine, "any-label", json!({"anyOf": [label("core")]})).await;
    assert_eq!(
        (state.as_str(), clusters),
        ("Instantiated", vec!["prov+c3".to_owned()])
    );
    // Nested anyOf inside an allOf item: the allOf cluster plus one of the nested group.
    let nested = json!({"allOf": [{"clusterProvider": "prov", "cluster": "c1", "anyOf": [item("c3"), item("c4")]}]});
    let (state, clusters, _) = placed_by(&engine, "nested", nested).await;
    assert_eq!(
        (state.as_str(), clusters),
        (
            "Instantiated",
            vec!["prov+c1".to_owned(), "prov+c3".to_owned()]
        )
    );
    // A label no cluster carries: nothing to deploy to, and the failure says so.
    engine
        .post(
            "/cluster-providers/prov/clusters/c1/labels",
            json!({"clusterLabel": "lonely"}),
        )
        .await
        .expect(201);
    engine
        .delete("/cluster-providers/prov/clusters/c1/labels/lonely")
        .await
        .expect(204);
    let (state, clusters, status) =
        placed_by(&engine, "empty", json!({"allOf": [label("lonely")]})).await;
    assert_eq!(state, "InstantiateFailed");
    assert!(clusters.is_empty());
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.contains("resolve step failed") && reason.contains("collectd"),
        "{reason}"
    );
}
