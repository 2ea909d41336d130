//! Property tests: any decision list and any edit list survives the trip through its message.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::name::{AppName, ClusterLabel, ClusterRef};
use crate::proto::controller::v1 as pb;

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,6}[a-z0-9]"
}

fn cluster_ref() -> impl Strategy<Value = ClusterRef> {
    (name(), name()).prop_map(|(p, c)| format!("{p}+{c}").parse().unwrap())
}

fn app() -> impl Strategy<Value = AppName> {
    name().prop_map(|n| AppName::new(n).unwrap())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(".{0,5}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn decision() -> impl Strategy<Value = ClusterDecision> {
    prop_oneof![
        (cluster_ref(), -1e9..1e9f64).prop_map(|(c, s)| ClusterDecision::keep(c, s)),
        (cluster_ref(), ".{0,12}").prop_map(|(c, r)| ClusterDecision::drop(c, r)),
    ]
}

fn key() -> impl Strategy<Value = ResourceKey> {
    (name(), name(), prop::option::of(name()), name())
        .prop_map(|(v, k, ns, n)| ResourceKey::new(v, k, ns.as_deref(), n))
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (key(), json_value()).prop_map(|(key, body)| Op::Add(Resource { key, body })),
        key().prop_map(Op::Delete),
        (key(), prop::collection::vec(json_value(), 0..3)).prop_map(|(target, ops)| Op::Patch {
            target,
            patch: Patch::Json(ops)
        }),
        (key(), json_value()).prop_map(|(target, doc)| Op::Patch {
            target,
            patch: Patch::Merge(doc)
        }),
    ]
}

fn selector() -> impl Strategy<Value = ClusterSelector> {
    let label = name().prop_map(|l| ClusterLabel::new(l).unwrap());
    (
        prop::collection::vec(cluster_ref(), 0..3),
        prop::collection::vec(label, 0..3),
    )
        .prop_map(|(clusters, labels)| ClusterSelector { clusters, labels })
}

proptest! {
    #[test]
    fn any_filter_response_survives_its_message(
        apps in prop::collection::vec((app(), prop::collection::vec(decision(), 0..4)), 0..4)
    ) {
        let response = FilterResponse {
            apps: apps.into_iter().map(|(app, clusters)| AppDecision { app, clusters }).collect(),
        };
        let back = FilterResponse::try_from(pb::FilterClustersResponse::from(response.clone()));
        prop_assert_eq!(back.unwrap(), response);
    }

    #[test]
    fn any_update_response_survives_its_message(
        edits in prop::collection::vec((app(), selector(), op()), 0..6)
    ) {
        let response = UpdateResponse {
            edits: edits.into_iter().map(|(app, selector, op)| Edit { app, selector, op }).collect(),
        };
        let back = UpdateResponse::try_from(pb::UpdateAppContextResponse::from(response.clone()));
        prop_assert_eq!(back.unwrap(), response);
    }
}

#[test]
fn json_that_round_trips_is_the_json_that_was_sent() {
    // Numbers with no exact f64 form are the one place a JSON round trip could drift; serde_json keeps
    // integers as integers.
    let v = json!({"big": u64::MAX, "neg": i64::MIN});
    assert_eq!(serde_json::from_str::<Value>(&v.to_string()).unwrap(), v);
}
