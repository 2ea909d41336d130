use serde_json::json;

use super::*;
use crate::store::embedded::EmbeddedStore;
use crate::store::{Put, Write};

fn key(kind: &'static key::Kind, names: &[&str]) -> Key {
    Key::parse(kind, names).unwrap()
}

fn put(k: Key, data: Value) -> Write {
    Write::Create(Put::new(k, data))
}

/// Provider `prov` with c1 (labels edge, gpu; two kv-pair objects) and c2 (no labels or kv-pairs), and an
/// empty provider `other`.
async fn store() -> (tempfile::TempDir, EmbeddedStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("s.redb")).unwrap();
    let meta = |n: &str| json!({"metadata": {"name": n}});
    store
        .write(vec![
            put(key(&key::CLUSTER_PROVIDER, &["prov"]), meta("prov")),
            put(key(&key::CLUSTER_PROVIDER, &["other"]), meta("other")),
            put(key(&key::CLUSTER, &["prov", "c1"]), meta("c1")),
            put(key(&key::CLUSTER, &["prov", "c2"]), meta("c2")),
            put(
                key(&key::CLUSTER_LABEL, &["prov", "c1", "gpu"]),
                json!({"clusterLabel": "gpu"}),
            ),
            put(
                key(&key::CLUSTER_LABEL, &["prov", "c1", "edge"]),
                json!({"clusterLabel": "edge"}),
            ),
            put(
                key(&key::CLUSTER_KV, &["prov", "c1", "net"]),
                json!({"metadata": {"name": "net"}, "spec": {"kv": [{"cni": "multus"}, {"mtu": 1400}]}}),
            ),
            put(
                key(&key::CLUSTER_KV, &["prov", "c1", "site"]),
                json!({"metadata": {"name": "site"}, "spec": {"kv": [{"geo": {"lat": 1}}]}}),
            ),
        ])
        .await
        .unwrap();
    (dir, store)
}

fn provider(n: &str) -> ClusterProviderName {
    n.parse().unwrap()
}

#[tokio::test]
async fn the_catalog_lists_each_cluster_with_its_labels_and_kv_pairs() {
    let (_dir, store) = store().await;
    let catalog = load(&store, &[provider("prov"), provider("other")])
        .await
        .unwrap();
    assert_eq!(catalog.len(), 2);
    let c1 = &catalog[0];
    assert_eq!(c1.cluster.to_string(), "prov+c1");
    let labels: Vec<&str> = c1.labels.iter().map(|l| l.as_str()).collect();
    assert_eq!(labels, ["edge", "gpu"]);
    let kv: Vec<(&str, &str, &Value)> = (c1.kv.iter())
        .map(|e| (e.kv_pair.as_str(), e.key.as_str(), &e.value))
        .collect();
    assert_eq!(
        kv,
        [
            ("net", "cni", &json!("multus")),
            ("net", "mtu", &json!(1400)),
            ("site", "geo", &json!({"lat": 1})),
        ]
    );
    assert_eq!(catalog[1], Cluster::new("prov+c2".parse().unwrap()));
}

#[tokio::test]
async fn labels_and_kv_pairs_land_on_their_own_cluster_among_many() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("s.redb")).unwrap();
    let meta = |n: &str| json!({"metadata": {"name": n}});
    let kv = |v: u32| json!({"metadata": {"name": "cap"}, "spec": {"kv": [{"cpu": v}]}});
    let mut writes = vec![
        put(key(&key::CLUSTER_PROVIDER, &["p"]), meta("p")),
        put(key(&key::CLUSTER_PROVIDER, &["p2"]), meta("p2")),
        put(key(&key::CLUSTER, &["p2", "c1"]), meta("c1")),
        put(
            key(&key::CLUSTER_LABEL, &["p2", "c1", "other"]),
            json!({"clusterLabel": "other"}),
        ),
        put(key(&key::CLUSTER_KV, &["p2", "c1", "cap"]), kv(99)),
    ];
    // `c1-x` sorts after `c1` as a cluster but before it in a label's path (`c1-x/` < `c1/`).
    for (i, name) in ["c1", "c1-x", "c10", "c2"].into_iter().enumerate() {
        writes.push(put(key(&key::CLUSTER, &["p", name]), meta(name)));
        for label in [format!("l-{name}"), "all".to_owned()] {
            writes.push(put(
                key(&key::CLUSTER_LABEL, &["p", name, &label]),
                json!({"clusterLabel": label}),
            ));
        }
        writes.push(put(
            key(&key::CLUSTER_KV, &["p", name, "cap"]),
            kv(i as u32),
        ));
    }
    store.write(writes).await.unwrap();

    let catalog = load(&store, &[provider("p")]).await.unwrap();
    let seen: Vec<(String, Vec<&str>, Vec<&Value>)> = (catalog.iter())
        .map(|c| {
            let labels = c.labels.iter().map(|l| l.as_str()).collect();
            let kv = c.kv.iter().map(|e| &e.value).collect();
            (c.cluster.to_string(), labels, kv)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("p+c1".to_owned(), vec!["all", "l-c1"], vec![&json!(0)]),
            ("p+c1-x".to_owned(), vec!["all", "l-c1-x"], vec![&json!(1)]),
            ("p+c10".to_owned(), vec!["all", "l-c10"], vec![&json!(2)]),
            ("p+c2".to_owned(), vec!["all", "l-c2"], vec![&json!(3)]),
        ]
    );
}

#[tokio::test]
async fn a_missing_provider_is_an_error_naming_it() {
    let (_dir, store) = store().await;
    let err = load(&store, &[provider("nope")]).await.unwrap_err();
    assert!(matches!(&err, Error::ProviderMissing(p) if p.as_str() == "nope"));
    assert!(!err.is_retryable());
}

#[test]
fn placed_apps_is_set_on_every_cluster_and_replaced_when_set_again() {
    let c1: ClusterRef = "prov+c1".parse().unwrap();
    let mut clusters = vec![
        Cluster::new(c1.clone()),
        Cluster::new("prov+c2".parse().unwrap()),
    ];
    set_placed_apps(&mut clusters, &BTreeMap::from([(c1.clone(), 2)]));
    set_placed_apps(&mut clusters, &BTreeMap::from([(c1, 3)]));
    let values: Vec<&Value> = clusters.iter().map(|c| &c.kv[0].value).collect();
    assert_eq!(values, [&json!(3), &json!(0)]);
    assert!(clusters.iter().all(|c| c.kv.len() == 1
        && c.kv[0].kv_pair.as_str() == "canopy"
        && c.kv[0].key == "placedApps"));
}
