//! The built-in placement controller over real gRPC: the conformance suite, then each rule, the reasons,
//! the scores and the spread.

mod common;

use std::collections::BTreeMap;

use canopy_controllers::conformance::Suite;
use canopy_schemas::controller::{ClusterGroup, FilterResponse, Verdict};
use canopy_schemas::proto::controller::v1 as pb;
use common::fixture::{self, ClusterExt, cluster, filter, group};
use serde_json::{Value, json};

/// The verdict on each cluster, by name: `Ok(score)` or `Err(reason)`.
type Verdicts = BTreeMap<String, Result<f64, String>>;

async fn decide(spec: Value, groups: Vec<ClusterGroup>) -> Verdicts {
    let (_serving, mut client) = fixture::placement().await;
    let answer = client
        .filter_clusters(pb::FilterClustersRequest::from(filter(spec, groups)))
        .await
        .unwrap();
    let response = FilterResponse::try_from(answer.into_inner()).unwrap();
    assert_eq!(response.apps.len(), 1);
    let decisions = response.apps.into_iter().next().unwrap().clusters;
    decisions
        .into_iter()
        .map(|d| {
            let verdict = match d.verdict {
                Verdict::Keep { score } => Ok(score),
                Verdict::Drop { reason } => Err(reason),
            };
            (d.cluster.cluster.to_string(), verdict)
        })
        .collect()
}

fn dropped(verdicts: &Verdicts, name: &str) -> String {
    match &verdicts[name] {
        Err(reason) => reason.clone(),
        Ok(score) => panic!("{name} was kept with {score}: {verdicts:?}"),
    }
}

fn score(verdicts: &Verdicts, name: &str) -> f64 {
    match &verdicts[name] {
        Ok(score) => *score,
        Err(reason) => panic!("{name} was dropped: {reason}"),
    }
}

/// Clusters in regions eu, us and none, one with a gpu label.
fn regions() -> Vec<ClusterGroup> {
    vec![group(
        "1",
        false,
        vec![
            cluster("p1+eu1").kv("region", json!("eu")).label("gpu"),
            cluster("p1+us1").kv("region", json!("us")),
            cluster("p1+bare"),
        ],
    )]
}

#[tokio::test]
async fn placement_passes_the_conformance_suite() {
    let (serving, _client) = fixture::placement().await;
    let valid = json!({"labelSelector": [{"key": "zone", "operator": "In", "values": ["edge", "core"]}],
                       "capacity": [], "spread": {"topologyKey": "zone", "maxSkew": 1}});
    Suite::new(serving.addr())
        .with_spec(valid)
        .check_placement()
        .await
        .unwrap_or_else(|f| panic!("{f}"));
}

#[tokio::test]
async fn in_keeps_only_the_listed_values() {
    let spec = json!({"labelSelector": [{"key": "region", "operator": "In", "values": ["eu"]}]});
    let v = decide(spec, regions()).await;
    assert!(v["eu1"].is_ok(), "{v:?}");
    assert_eq!(
        dropped(&v, "us1"),
        "label region In [eu]: cluster has region=us"
    );
    assert_eq!(
        dropped(&v, "bare"),
        "label region In [eu]: cluster has no label region"
    );
}

#[tokio::test]
async fn not_in_drops_the_listed_values_and_keeps_clusters_without_the_key() {
    let spec =
        json!({"labelSelector": [{"key": "region", "operator": "NotIn", "values": ["eu", "ap"]}]});
    let v = decide(spec, regions()).await;
    assert_eq!(
        dropped(&v, "eu1"),
        "label region NotIn [eu, ap]: cluster has region=eu"
    );
    assert!(v["us1"].is_ok() && v["bare"].is_ok(), "{v:?}");
}

#[tokio::test]
async fn exists_and_does_not_exist_test_the_key_alone() {
    let v = decide(
        json!({"labelSelector": [{"key": "gpu", "operator": "Exists"}]}),
        regions(),
    )
    .await;
    assert!(v["eu1"].is_ok(), "{v:?}");
    assert_eq!(
        dropped(&v, "us1"),
        "label gpu Exists: cluster has no label gpu"
    );
    let v = decide(
        json!({"labelSelector": [{"key": "gpu", "operator": "DoesNotExist"}]}),
        regions(),
    )
    .await;
    assert_eq!(
        dropped(&v, "eu1"),
        "label gpu DoesNotExist: cluster has gpu"
    );
    assert!(v["us1"].is_ok() && v["bare"].is_ok(), "{v:?}");
}

#[tokio::test]
async fn the_first_broken_rule_is_the_reason() {
    let spec = json!({"labelSelector": [{"key": "gpu", "operator": "Exists"},
                                         {"key": "region", "operator": "In", "values": ["eu"]}]});
    let v = decide(spec, regions()).await;
    assert_eq!(
        dropped(&v, "us1"),
        "label gpu Exists: cluster has no label gpu"
    );
}

fn cpus() -> Vec<ClusterGroup> {
    vec![group(
        "1",
        false,
        vec![
            cluster("p1+big").kv("cpu", json!(8)),
            cluster("p1+small").kv("cpu", json!("2")),
            cluster("p1+none"),
            cluster("p1+odd").kv("cpu", json!("lots")),
            cluster("p1+four").kv("cpu", json!(4.0)),
        ],
    )]
}

#[tokio::test]
async fn a_capacity_floor_drops_clusters_below_it_or_without_the_entry() {
    let v = decide(
        json!({"capacity": [{"key": "cpu", "op": ">=", "value": 4}]}),
        cpus(),
    )
    .await;
    assert!(v["big"].is_ok() && v["four"].is_ok(), "{v:?}");
    assert_eq!(dropped(&v, "small"), "capacity cpu >= 4: cluster has 2");
    assert_eq!(
        dropped(&v, "none"),
        "capacity cpu: cluster has no kv entry cpu"
    );
    assert_eq!(
        dropped(&v, "odd"),
        "capacity cpu: kv entry cpu is not a number: \"lots\""
    );
}

#[tokio::test]
async fn every_comparison_bounds_as_written() {
    let kept = |v: &Verdicts| -> Vec<String> {
        let names = v.iter().filter(|(_, d)| d.is_ok()).map(|(n, _)| n.clone());
        names.collect()
    };
    let cases = [
        (">", vec!["big"]),
        ("<", vec!["small"]),
        ("<=", vec!["four", "small"]),
        ("==", vec!["four"]),
    ];
    for (op, expected) in cases {
        let spec = json!({"capacity": [{"key": "cpu", "op": op, "value": 4}]});
        assert_eq!(kept(&decide(spec, cpus()).await), expected, "{op}");
    }
    let v = decide(
        json!({"capacity": [{"key": "cpu", "op": "<", "value": 4.5}]}),
        cpus(),
    )
    .await;
    assert_eq!(dropped(&v, "big"), "capacity cpu < 4.5: cluster has 8");
}

#[tokio::test]
async fn fewer_apps_already_placed_ranks_higher_and_absent_counts_as_none() {
    let groups = vec![group(
        "1",
        false,
        vec![
            cluster("p1+busy").placed(3),
            cluster("p1+idle").placed(0),
            cluster("p1+new"),
        ],
    )];
    let v = decide(json!({}), groups).await;
    assert_eq!(score(&v, "busy"), 0.25);
    assert_eq!(score(&v, "idle"), 1.0);
    assert_eq!(score(&v, "new"), 1.0);
}

#[tokio::test]
async fn more_free_capacity_ranks_higher_by_its_share_of_the_largest() {
    let groups = vec![group(
        "1",
        false,
        vec![
            cluster("p1+big").kv("cpu", json!(8)).placed(1),
            cluster("p1+half").kv("cpu", json!(4)).placed(1),
            cluster("p1+tiny").kv("cpu", json!(1)),
        ],
    )];
    let spec = json!({"capacity": [{"key": "cpu", "op": ">=", "value": 2}],
                      "weights": {"capacity": 2.0, "balance": 1.0}});
    let v = decide(spec, groups).await;
    assert_eq!(score(&v, "big"), 2.0 + 0.5);
    assert_eq!(score(&v, "half"), 1.0 + 0.5);
    assert!(v["tiny"].is_err(), "{v:?}");
}

#[tokio::test]
async fn a_mandatory_group_over_the_skew_loses_its_weakest_cluster_in_the_fullest_domain() {
    let eu = |name: &str, placed| cluster(name).kv("region", json!("eu")).placed(placed);
    let groups = vec![group(
        "1",
        true,
        vec![
            eu("p1+eu1", 0),
            eu("p1+eu2", 5),
            eu("p1+eu3", 1),
            cluster("p1+us1").kv("region", json!("us")),
        ],
    )];
    let v = decide(
        json!({"spread": {"topologyKey": "region", "maxSkew": 1}}),
        groups,
    )
    .await;
    assert_eq!(
        dropped(&v, "eu2"),
        "spread region maxSkew 1: region=eu would hold 3 clusters against 1 in region=us"
    );
    assert!(
        v["eu1"].is_ok() && v["eu3"].is_ok() && v["us1"].is_ok(),
        "{v:?}"
    );
}

#[tokio::test]
async fn a_cluster_outside_every_domain_is_dropped_when_spreading() {
    let groups = vec![group(
        "1",
        true,
        vec![cluster("p1+eu1").kv("region", json!("eu")), cluster("p1+x")],
    )];
    let v = decide(
        json!({"spread": {"topologyKey": "region", "maxSkew": 2}}),
        groups,
    )
    .await;
    assert_eq!(
        dropped(&v, "x"),
        "spread region: cluster has no label region"
    );
}

#[tokio::test]
async fn any_of_groups_prefer_the_domains_that_hold_fewer_clusters() {
    let at = |name: &str, region: &str| cluster(name).kv("region", json!(region));
    let groups = vec![
        group("1", true, vec![at("p1+eu1", "eu")]),
        group("2", false, vec![at("p1+eu2", "eu"), at("p1+us2", "us")]),
        group(
            "3",
            false,
            vec![at("p1+us3", "us"), at("p1+eu3", "eu"), at("p1+ap3", "ap")],
        ),
    ];
    let v = decide(
        json!({"spread": {"topologyKey": "region", "maxSkew": 1}}),
        groups,
    )
    .await;
    // Group 2: eu holds 1 of at most 1, us none: us2 gets the whole bonus.
    assert_eq!(score(&v, "eu2"), 1.0);
    assert_eq!(score(&v, "us2"), 2.0);
    // Group 3: eu and us hold 1 each (us2 is the pick of group 2), ap none.
    assert_eq!(score(&v, "us3"), 1.0);
    assert_eq!(score(&v, "eu3"), 1.0);
    assert_eq!(score(&v, "ap3"), 2.0);
}

#[tokio::test]
async fn validate_intent_names_each_broken_rule_by_its_path() {
    let (_serving, mut client) = fixture::placement().await;
    let bad = json!({
        "labelSelector": [{"key": "region", "operator": "In", "values": []},
                          {"key": "gpu", "operator": "Exists", "values": ["yes"]}],
        "capacity": [{"key": "", "op": ">=", "value": 1}],
        "spread": {"topologyKey": "region", "maxSkew": 0},
        "weights": {"balance": -1}
    });
    let answer = client
        .validate_intent(fixture::validate(bad))
        .await
        .unwrap();
    let found = fixture::violations(answer.into_inner());
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "labelSelector[0].values",
            "labelSelector[1].values",
            "capacity[0].key",
            "spread.maxSkew",
            "weights.balance"
        ]
    );
    assert_eq!(found[3].1, "must be at least 1, not 0");
    let unknown = json!({"labelSelector": [{"key": "a", "operator": "Near"}]});
    let answer = client
        .validate_intent(fixture::validate(unknown))
        .await
        .unwrap();
    let found = fixture::violations(answer.into_inner());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "labelSelector[0].operator");
    assert!(found[0].1.contains("unknown variant `Near`"), "{found:?}");
    let good = json!({"capacity": [{"key": "cpu", "op": ">=", "value": 1}]});
    let answer = client
        .validate_intent(fixture::validate(good))
        .await
        .unwrap();
    assert_eq!(fixture::violations(answer.into_inner()), []);
}

#[tokio::test]
async fn a_bad_spec_is_refused_as_an_invalid_argument_naming_the_field() {
    let (_serving, mut client) = fixture::placement().await;
    let spec = json!({"capacity": [{"key": "cpu", "op": "~", "value": 1}]});
    let request = filter(spec, regions());
    let status = client
        .filter_clusters(pb::FilterClustersRequest::from(request))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().contains("capacity[0].op"), "{status}");
}

#[tokio::test]
async fn a_number_too_large_for_a_finite_value_is_refused() {
    let (_serving, mut client) = fixture::placement().await;
    let mut request = fixture::validate(json!({}));
    if let Some(intent) = request.intent.as_mut() {
        intent.spec_json = r#"{"capacity": [{"key": "cpu", "op": ">=", "value": 1e999}]}"#.into();
    }
    let answer = client.validate_intent(request).await.unwrap();
    assert_eq!(fixture::violations(answer.into_inner()).len(), 1);
}
