use serde_json::json;

use super::*;

/// `p+c1` (edge), `p+c2` (edge), `p+c3` (core), `q+c1` (edge).
fn catalog() -> Vec<Cluster> {
    [
        ("p+c1", "edge"),
        ("p+c2", "edge"),
        ("p+c3", "core"),
        ("q+c1", "edge"),
    ]
    .into_iter()
    .map(|(c, l)| Cluster {
        labels: vec![l.parse().unwrap()],
        ..Cluster::new(c.parse().unwrap())
    })
    .collect()
}

fn intent(app: &str, placement: serde_json::Value) -> AppIntent {
    serde_json::from_value(json!({
        "metadata": {"name": format!("{app}-intent")},
        "spec": {"app": app, "intent": placement}
    }))
    .unwrap()
}

fn apps(names: &[&str]) -> Vec<AppName> {
    names.iter().map(|n| n.parse().unwrap()).collect()
}

/// The groups of one app as `(id, mandatory, [clusters])`.
fn shape(c: &AppCandidates) -> Vec<(String, bool, Vec<String>)> {
    (c.groups.iter())
        .map(|g| {
            let clusters = g.clusters.iter().map(|c| c.cluster.to_string()).collect();
            (g.group.clone(), g.mandatory, clusters)
        })
        .collect()
}

fn g(id: &str, mandatory: bool, clusters: &[&str]) -> (String, bool, Vec<String>) {
    let clusters = clusters.iter().map(|c| c.to_string()).collect();
    (id.to_owned(), mandatory, clusters)
}

#[test]
fn intents_resolve_to_groups_as_emco_does() {
    let by_name = |c: &str| json!({"clusterProvider": "p", "cluster": c});
    let by_label = |l: &str| json!({"clusterProvider": "p", "clusterLabel": l});
    let table = [
        (
            "allOf by name: one mandatory group per cluster",
            json!({"allOf": [by_name("c1"), by_name("c3")]}),
            vec![g("1", true, &["p+c1"]), g("2", true, &["p+c3"])],
        ),
        (
            "allOf by label: one mandatory group per labelled cluster of the provider",
            json!({"allOf": [by_label("edge")]}),
            vec![g("1", true, &["p+c1"]), g("2", true, &["p+c2"])],
        ),
        (
            "anyOf by name: one optional group, duplicates removed",
            json!({"anyOf": [by_name("c2"), by_name("c1"), by_name("c2")]}),
            vec![g("1", false, &["p+c2", "p+c1"])],
        ),
        (
            "anyOf by label: one optional group of every labelled cluster",
            json!({"anyOf": [by_label("edge"), by_name("c1")]}),
            vec![g("1", false, &["p+c1", "p+c2"])],
        ),
        (
            "nested anyOf: its own optional group after the allOf cluster",
            json!({"allOf": [{"clusterProvider": "p", "cluster": "c3",
                              "anyOf": [by_label("edge")]}],
                   "anyOf": [by_name("c3")]}),
            vec![
                g("1", true, &["p+c3"]),
                g("2", false, &["p+c1", "p+c2"]),
                g("3", false, &["p+c3"]),
            ],
        ),
        (
            "an anyOf list that resolves to nothing adds no group",
            json!({"allOf": [by_name("c1")], "anyOf": [by_label("gpu")]}),
            vec![g("1", true, &["p+c1"])],
        ),
    ];
    for (case, placement, want) in table {
        let got = resolve(
            &apps(&["web"]),
            &[intent("web", placement)],
            &catalog(),
            None,
        )
        .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(shape(&got[0]), want, "{case}");
    }
}

#[test]
fn the_logical_cloud_restricts_the_candidates() {
    let allowed: BTreeSet<ClusterRef> = ["p+c2".parse().unwrap()].into();
    let placement = json!({"anyOf": [{"clusterProvider": "p", "clusterLabel": "edge"}]});
    let got = resolve(
        &apps(&["web"]),
        &[intent("web", placement)],
        &catalog(),
        Some(&allowed),
    )
    .unwrap();
    assert_eq!(shape(&got[0]), [g("1", false, &["p+c2"])]);

    let outside = json!({"allOf": [{"clusterProvider": "p", "cluster": "c1"}]});
    let err = resolve(
        &apps(&["web"]),
        &[intent("web", outside)],
        &catalog(),
        Some(&allowed),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::OutsideLogicalCloud { field, .. }
            if field == "web-intent: spec.intent.allOf[0].cluster"),
        "{err:?}"
    );
    assert!(err.to_string().contains("p+c1"), "{err}");
}

#[test]
fn failures_name_the_app_and_the_field() {
    let missing = json!({"allOf": [{"clusterProvider": "p", "cluster": "c9"}]});
    let err = resolve(&apps(&["web"]), &[intent("web", missing)], &catalog(), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "app web: web-intent: spec.intent.allOf[0].cluster names cluster p+c9, which does not exist"
    );

    let nothing = json!({"anyOf": [{"clusterProvider": "p", "clusterLabel": "gpu"}]});
    let err = resolve(&apps(&["web"]), &[intent("web", nothing)], &catalog(), None).unwrap_err();
    assert_eq!(err.to_string(), "no compatible clusters for app web");

    let err = resolve(
        &apps(&["web", "db"]),
        &[intent(
            "web",
            json!({"anyOf": [{"clusterProvider": "p", "cluster": "c1"}]}),
        )],
        &catalog(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::NoIntent {
            app: "db".parse().unwrap()
        }
    );
    assert!(!err.is_retryable());

    let err = resolve(
        &apps(&["web"]),
        &[intent(
            "db",
            json!({"anyOf": [{"clusterProvider": "p", "cluster": "c1"}]}),
        )],
        &catalog(),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::UnknownApp { .. }), "{err:?}");
}

#[test]
fn several_intents_for_one_app_add_up_and_apps_keep_their_order() {
    let one = intent(
        "web",
        json!({"allOf": [{"clusterProvider": "p", "cluster": "c1"}]}),
    );
    let two = intent(
        "web",
        json!({"allOf": [{"clusterProvider": "q", "cluster": "c1"}]}),
    );
    let db = intent(
        "db",
        json!({"anyOf": [{"clusterProvider": "p", "cluster": "c3"}]}),
    );
    let got = resolve(&apps(&["web", "db"]), &[db, one, two], &catalog(), None).unwrap();
    assert_eq!(got[0].app.as_str(), "web");
    assert_eq!(
        shape(&got[0]),
        [g("1", true, &["p+c1"]), g("2", true, &["q+c1"])]
    );
    assert_eq!(got[1].app.as_str(), "db");
}
