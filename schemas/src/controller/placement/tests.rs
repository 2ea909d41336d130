use serde_json::json;

use super::*;

#[test]
fn the_documented_example_decodes_and_survives_a_round_trip() {
    let doc = json!({
        "labelSelector": [{"key": "region", "operator": "In", "values": ["eu", "us"]},
                          {"key": "gpu", "operator": "Exists"}],
        "capacity": [{"key": "cpu", "op": ">=", "value": 4.0}],
        "spread": {"topologyKey": "region", "maxSkew": 1},
        "weights": {"capacity": 1.0, "balance": 2.0, "spread": 0.5}
    });
    let spec: Spec = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(spec.label_selector[0].operator, LabelOperator::In);
    assert_eq!(spec.capacity[0].op, Comparison::Ge);
    assert_eq!(spec.spread.as_ref().unwrap().max_skew, 1);
    assert_eq!(spec.weights.balance, 2.0);
    assert_eq!(serde_json::to_value(&spec).unwrap(), doc);
}

#[test]
fn every_field_may_be_left_out_and_weights_default_to_one() {
    let spec: Spec = serde_json::from_value(json!({})).unwrap();
    assert_eq!(spec, Spec::default());
    let weights: Weights = serde_json::from_value(json!({"balance": 3})).unwrap();
    assert_eq!(
        (weights.capacity, weights.balance, weights.spread),
        (1.0, 3.0, 1.0)
    );
}

#[test]
fn unknown_operators_and_fields_are_refused() {
    let op = json!({"labelSelector": [{"key": "a", "operator": "Like"}]});
    assert!(serde_json::from_value::<Spec>(op).is_err());
    let cmp = json!({"capacity": [{"key": "cpu", "op": "=>", "value": 1}]});
    assert!(serde_json::from_value::<Spec>(cmp).is_err());
    assert!(serde_json::from_value::<Spec>(json!({"affinity": {}})).is_err());
}

#[test]
fn comparisons_hold_as_written() {
    let cases = [
        (Comparison::Ge, [true, true, false]),
        (Comparison::Gt, [true, false, false]),
        (Comparison::Le, [false, true, true]),
        (Comparison::Lt, [false, false, true]),
        (Comparison::Eq, [false, true, false]),
    ];
    for (op, expected) in cases {
        let got = [5.0, 4.0, 3.0].map(|have| op.holds(have, 4.0));
        assert_eq!(got, expected, "{op}");
    }
    assert_eq!(LabelOperator::DoesNotExist.to_string(), "DoesNotExist");
}
