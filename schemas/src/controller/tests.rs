//! Round trips through the protobuf messages, and the field paths of conversion errors.

use serde_json::json;

use super::*;
use crate::ids::{ContextId, Revision};
use crate::name::{ClusterLabel, ClusterRef, Name};
use crate::proto::controller::v1 as pb;

fn cluster_ref(c: &str) -> ClusterRef {
    format!("p1+{c}").parse().expect("valid reference")
}

fn cluster(c: &str, label: &str) -> Cluster {
    Cluster {
        labels: vec![ClusterLabel::new(label).unwrap()],
        kv: vec![KvEntry {
            kv_pair: Name::new("net").unwrap(),
            key: "cidr".into(),
            value: json!({"v4": "10.0.0.0/8"}),
        }],
        ..Cluster::new(cluster_ref(c))
    }
}

fn dig() -> DigIdentity {
    DigIdentity {
        project: "proj".parse().unwrap(),
        composite_app: "ca".parse().unwrap(),
        composite_app_version: "v1".parse().unwrap(),
        dig: "dig".parse().unwrap(),
        app_context_id: ContextId::new(42),
        revision: Revision::FIRST,
        namespace: "default".into(),
        logical_cloud: "lc".parse().unwrap(),
        release: "r1".into(),
    }
}

fn intent() -> Intent {
    Intent {
        controller: "hpa".parse().unwrap(),
        name: "i1".parse().unwrap(),
        spec: json!({"app": "nginx", "replicas": [1, 2]}),
    }
}

fn deployment() -> Resource {
    Resource {
        key: ResourceKey::new("apps/v1", "Deployment", Some("default"), "web"),
        body: json!({"kind": "Deployment", "metadata": {"name": "web"}}),
    }
}

/// Converts `value` to its message, through bytes, and back.
fn round_trip<D, P>(value: D) -> D
where
    D: Into<P> + TryFrom<P, Error = Error>,
    P: prost::Message + Default,
{
    let bytes = value.into().encode_to_vec();
    D::try_from(P::decode(bytes.as_slice()).expect("decodes")).expect("converts back")
}

#[test]
fn a_filter_request_survives_the_round_trip() {
    let request = FilterRequest {
        dig: dig(),
        intent: intent(),
        apps: vec![AppCandidates {
            app: "nginx".parse().unwrap(),
            groups: vec![ClusterGroup {
                group: "1".into(),
                mandatory: false,
                clusters: vec![cluster("c1", "edge"), cluster("c2", "core")],
            }],
        }],
    };
    assert_eq!(
        round_trip::<_, pb::FilterClustersRequest>(request.clone()),
        request
    );
    assert!(request.apps[0].is_candidate(&cluster_ref("c2")));
    assert!(!request.apps[0].is_candidate(&cluster_ref("c3")));
}

#[test]
fn keep_and_drop_decisions_survive_the_round_trip() {
    let response = FilterResponse {
        apps: vec![AppDecision {
            app: "nginx".parse().unwrap(),
            clusters: vec![
                ClusterDecision::keep(cluster_ref("c1"), 2.5),
                ClusterDecision::drop(cluster_ref("c2"), "no GPU"),
            ],
        }],
    };
    assert_eq!(
        round_trip::<_, pb::FilterClustersResponse>(response.clone()),
        response
    );
}

#[test]
fn an_unspecified_verdict_leaves_the_cluster_as_it_was() {
    let message = pb::AppDecision {
        app: "nginx".into(),
        clusters: vec![pb::ClusterDecision {
            cluster: Some(cluster_ref("c1").into()),
            ..Default::default()
        }],
    };
    let decision = AppDecision::try_from(message).unwrap();
    assert!(decision.clusters.is_empty());
}

#[test]
fn a_score_that_is_not_finite_is_refused_with_its_path() {
    let message = pb::FilterClustersResponse {
        apps: vec![pb::AppDecision {
            app: "nginx".into(),
            clusters: vec![pb::ClusterDecision {
                cluster: Some(cluster_ref("c1").into()),
                verdict: pb::Verdict::Keep.into(),
                score: f64::NAN,
                reason: String::new(),
            }],
        }],
    };
    let err = FilterResponse::try_from(message).unwrap_err();
    assert_eq!(err.field, "apps[0].clusters[0].score");
    assert!(matches!(err.problem, Problem::NotFinite));
}

#[test]
fn an_update_request_with_every_kind_of_edit_survives_the_round_trip() {
    let request = UpdateRequest {
        dig: dig(),
        intent: intent(),
        apps: vec![AppResources {
            app: "nginx".parse().unwrap(),
            resources: vec![deployment()],
            clusters: vec![cluster("c1", "edge")],
        }],
        update_from: Some(ContextId::new(7)),
    };
    assert_eq!(
        round_trip::<_, pb::UpdateAppContextRequest>(request.clone()),
        request
    );

    let key = deployment().key;
    let selector = ClusterSelector {
        clusters: vec![cluster_ref("c1")],
        labels: vec![ClusterLabel::new("edge").unwrap()],
    };
    let edit = |selector: ClusterSelector, op: Op| Edit {
        app: "nginx".parse().unwrap(),
        selector,
        op,
    };
    let response = UpdateResponse {
        edits: vec![
            edit(ClusterSelector::all(), Op::Add(deployment())),
            edit(
                selector.clone(),
                Op::Patch {
                    target: key.clone(),
                    patch: Patch::Json(vec![json!({"op": "add", "path": "/a", "value": 1})]),
                },
            ),
            edit(
                selector,
                Op::Patch {
                    target: key.clone(),
                    patch: Patch::Merge(json!({"spec": {"replicas": 3}})),
                },
            ),
            edit(ClusterSelector::all(), Op::Delete(key)),
        ],
    };
    assert_eq!(
        round_trip::<_, pb::UpdateAppContextResponse>(response.clone()),
        response
    );
}

#[test]
fn an_empty_selector_picks_every_cluster_and_a_label_picks_its_clusters() {
    let edge = cluster("c1", "edge");
    let core = cluster("c2", "core");
    assert!(ClusterSelector::all().matches(&edge));
    let by_label = ClusterSelector {
        labels: vec![ClusterLabel::new("edge").unwrap()],
        ..ClusterSelector::all()
    };
    assert!(by_label.matches(&edge) && !by_label.matches(&core));
    let by_name = ClusterSelector {
        clusters: vec![cluster_ref("c2")],
        ..ClusterSelector::all()
    };
    assert!(by_name.matches(&core) && !by_name.matches(&edge));
}

#[test]
fn a_json_patch_that_is_not_an_array_is_refused() {
    let message = pb::Edit {
        app: "nginx".into(),
        selector: None,
        op: Some(pb::edit::Op::Patch(pb::PatchResource {
            target: Some(deployment().key.into()),
            r#type: pb::PatchType::Json.into(),
            patch_json: r#"{"spec": {}}"#.into(),
        })),
    };
    let err = Edit::try_from(message).unwrap_err();
    assert_eq!(err.field, "patch.patch_json");
    assert!(matches!(err.problem, Problem::NotAPatch));
}

#[test]
fn an_edit_without_an_operation_is_refused() {
    let message = pb::Edit {
        app: "nginx".into(),
        ..Default::default()
    };
    assert!(matches!(
        Edit::try_from(message).unwrap_err().problem,
        Problem::Missing
    ));
}

#[test]
fn terminate_event_and_validate_requests_survive_the_round_trip() {
    let terminate = TerminateRequest {
        dig: dig(),
        intent: intent(),
    };
    assert_eq!(
        round_trip::<_, pb::TerminateAppContextRequest>(terminate.clone()),
        terminate
    );
    for event in [
        EventKind::Instantiate,
        EventKind::Terminate,
        EventKind::Update,
    ] {
        let request = EventRequest {
            dig: dig(),
            intent: intent(),
            event,
        };
        assert_eq!(
            round_trip::<_, pb::PostEventRequest>(request.clone()),
            request
        );
    }
    let validate = ValidateRequest { intent: intent() };
    assert_eq!(
        round_trip::<_, pb::ValidateIntentRequest>(validate.clone()),
        validate
    );
}

#[test]
fn a_bad_name_deep_in_a_request_becomes_a_violation_naming_the_field() {
    let mut message = pb::FilterClustersRequest::from(FilterRequest {
        dig: dig(),
        intent: intent(),
        apps: vec![AppCandidates {
            app: "nginx".parse().unwrap(),
            groups: vec![ClusterGroup {
                group: "1".into(),
                mandatory: true,
                clusters: vec![cluster("c1", "edge")],
            }],
        }],
    });
    message.apps[0].groups[0].clusters[0].labels[0] = "-bad".into();
    let violation = Violation::from(FilterRequest::try_from(message).unwrap_err());
    assert_eq!(violation.field, "apps[0].groups[0].clusters[0].labels[0]");
    assert!(violation.rule.contains("-bad"), "{}", violation.rule);
}

#[test]
fn a_spec_that_is_not_json_is_refused() {
    let message = pb::ValidateIntentRequest {
        intent: Some(pb::Intent {
            controller: "hpa".into(),
            name: "i1".into(),
            spec_json: "{not json".into(),
        }),
    };
    let err = ValidateRequest::try_from(message).unwrap_err();
    assert_eq!(err.field, "intent.spec_json");
}
