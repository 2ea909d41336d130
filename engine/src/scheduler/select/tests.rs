use canopy_schemas::controller::{AppDecision, Cluster, ClusterDecision, ClusterGroup};

use super::*;

fn r(s: &str) -> ClusterRef {
    s.parse().unwrap()
}

fn app(n: &str) -> AppName {
    n.parse().unwrap()
}

fn controller(n: &str) -> ControllerName {
    n.parse().unwrap()
}

fn group(id: &str, mandatory: bool, clusters: &[&str]) -> ClusterGroup {
    ClusterGroup {
        group: id.into(),
        mandatory,
        clusters: clusters.iter().map(|c| Cluster::new(r(c))).collect(),
    }
}

/// App `web`: mandatory group 1 on p+a, anyOf group 2 over p+b, p+c, p+d.
fn scores() -> Scores {
    Scores::new(vec![AppCandidates {
        app: app("web"),
        groups: vec![
            group("1", true, &["p+a"]),
            group("2", false, &["p+b", "p+c", "p+d"]),
        ],
    }])
}

fn response(decisions: Vec<ClusterDecision>) -> FilterResponse {
    FilterResponse {
        apps: vec![AppDecision {
            app: app("web"),
            clusters: decisions,
        }],
    }
}

fn chosen(placement: &Placement) -> Vec<(String, Option<String>, Option<f64>)> {
    (placement.clusters.iter())
        .map(|p| (p.cluster.to_string(), p.group.clone(), p.score))
        .collect()
}

#[test]
fn each_group_keeps_its_highest_total_score_summed_over_controllers() {
    let mut s = scores();
    s.apply(
        &controller("hpa"),
        &response(vec![
            ClusterDecision::keep(r("p+b"), 1.0),
            ClusterDecision::keep(r("p+c"), 2.0),
        ]),
    )
    .unwrap();
    s.apply(
        &controller("cost"),
        &response(vec![ClusterDecision::keep(r("p+b"), 1.5)]),
    )
    .unwrap();
    assert_eq!(s.score(&app("web"), &r("p+b")), Some(2.5));
    let placed = s.select().unwrap();
    assert_eq!(
        chosen(&placed[0].1),
        [
            ("p+a".into(), Some("1".into()), None),
            ("p+b".into(), Some("2".into()), Some(2.5)),
        ]
    );
}

#[test]
fn a_tie_goes_to_the_smallest_cluster_reference_and_no_score_counts_as_zero() {
    let mut s = scores();
    s.apply(
        &controller("hpa"),
        &response(vec![
            ClusterDecision::keep(r("p+d"), 0.0),
            ClusterDecision::keep(r("p+c"), -1.0),
        ]),
    )
    .unwrap();
    let placed = s.select().unwrap();
    assert_eq!(
        placed[0].1.clusters[1].cluster,
        r("p+b"),
        "p+b (0) ties p+d (0)"
    );
}

#[test]
fn drops_are_recorded_in_the_placement() {
    let mut s = scores();
    s.apply(
        &controller("hpa"),
        &response(vec![
            ClusterDecision::drop(r("p+b"), "no GPU"),
            ClusterDecision::keep(r("p+d"), 0.5),
        ]),
    )
    .unwrap();
    assert!(!s.candidates()[0].is_candidate(&r("p+b")));
    let placed = s.select().unwrap();
    assert_eq!(placed[0].1.clusters[1].cluster, r("p+d"));
    assert_eq!(
        placed[0].1.dropped,
        [Dropped {
            cluster: r("p+b"),
            controller: controller("hpa"),
            reason: "no GPU".into()
        }]
    );
}

#[test]
fn a_mandatory_group_whose_cluster_is_dropped_fails_naming_app_group_and_reason() {
    let mut s = scores();
    s.apply(
        &controller("hpa"),
        &response(vec![ClusterDecision::drop(r("p+a"), "too small")]),
    )
    .unwrap();
    let err = s.select().unwrap_err();
    assert_eq!(
        err.to_string(),
        "app web: mandatory group 1 has no cluster left (p+a dropped by hpa: too small)"
    );
}

#[test]
fn an_anyof_group_left_empty_fails() {
    let mut s = scores();
    let all: Vec<_> = ["p+b", "p+c", "p+d"]
        .iter()
        .map(|c| ClusterDecision::drop(r(c), "busy"))
        .collect();
    s.apply(&controller("hpa"), &response(all)).unwrap();
    let err = s.select().unwrap_err();
    assert!(
        matches!(&err, Error::EmptyGroup { group, mandatory: false, dropped, .. }
            if group == "2" && dropped.len() == 3),
        "{err:?}"
    );
}

#[test]
fn decisions_outside_the_candidates_fail_naming_the_controller_and_change_nothing() {
    let mut s = scores();
    let before = s.clone();
    let err = s
        .apply(
            &controller("hpa"),
            &response(vec![
                ClusterDecision::drop(r("p+b"), "x"),
                ClusterDecision::keep(r("p+z"), 1.0),
            ]),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("placement controller hpa"),
        "{err}"
    );
    assert!(matches!(err, Error::NotCandidate { .. }));
    assert_eq!(s, before, "all or none");

    let stray = FilterResponse {
        apps: vec![AppDecision {
            app: app("db"),
            clusters: Vec::new(),
        }],
    };
    let err = s.apply(&controller("hpa"), &stray).unwrap_err();
    assert!(matches!(err, Error::UnknownApp { .. }));

    s.apply(
        &controller("hpa"),
        &response(vec![ClusterDecision::drop(r("p+b"), "x")]),
    )
    .unwrap();
    let again = s.apply(
        &controller("cost"),
        &response(vec![ClusterDecision::keep(r("p+b"), 1.0)]),
    );
    assert!(
        matches!(again, Err(Error::NotCandidate { .. })),
        "a dropped cluster is no longer a candidate"
    );
}

#[test]
fn a_decision_after_a_drop_of_the_same_cluster_in_one_response_fails_and_changes_nothing() {
    let mut s = scores();
    let before = s.clone();
    let err = s
        .apply(
            &controller("hpa"),
            &response(vec![
                ClusterDecision::keep(r("p+c"), 2.0),
                ClusterDecision::drop(r("p+b"), "x"),
                ClusterDecision::keep(r("p+b"), 1.0),
            ]),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotCandidate { cluster, .. } if *cluster == r("p+b")),
        "{err}"
    );
    assert_eq!(s, before, "all or none");
}
