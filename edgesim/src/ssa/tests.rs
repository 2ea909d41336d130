use serde_json::json;

use super::*;

fn by(manager: &str, force: bool) -> Applier<'_> {
    Applier {
        manager,
        force,
        now: "2026-01-01T00:00:00Z",
    }
}

#[test]
fn apply_merges_and_records_the_manager_owned_fields() {
    let applied = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "1"}},
        "data": {"k": "v"}});
    let out = apply(&Value::Null, &applied, &by("canopy", false)).unwrap();
    assert_eq!(out["data"]["k"], "v");
    let mf = &out["metadata"]["managedFields"][0];
    assert_eq!(mf["manager"], "canopy");
    assert_eq!(
        mf["fieldsV1"],
        json!({"f:data": {"f:k": {}}, "f:metadata": {"f:labels": {"f:a": {}}}})
    );
}

#[test]
fn reapplying_without_a_field_removes_it_unless_another_manager_owns_it() {
    let first = apply(
        &Value::Null,
        &json!({"data": {"a": "1", "b": "2"}}),
        &by("one", false),
    )
    .unwrap();
    let shared = apply(&first, &json!({"data": {"b": "2"}}), &by("two", false)).unwrap();
    let out = apply(&shared, &json!({"data": {}}), &by("one", false)).unwrap();
    assert_eq!(out["data"], json!({"b": "2"}));
}

#[test]
fn a_different_value_on_a_field_owned_by_another_manager_conflicts_unless_forced() {
    let first = apply(
        &Value::Null,
        &json!({"spec": {"replicas": 1}}),
        &by("one", false),
    )
    .unwrap();
    let err = apply(&first, &json!({"spec": {"replicas": 2}}), &by("two", false)).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let same = apply(&first, &json!({"spec": {"replicas": 1}}), &by("two", false));
    assert!(
        same.is_ok(),
        "the same value is shared ownership, not a conflict"
    );
    let forced = apply(&first, &json!({"spec": {"replicas": 2}}), &by("two", true)).unwrap();
    assert_eq!(forced["spec"]["replicas"], 2);
    let one = forced["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "one")
        .unwrap();
    assert_eq!(one["fieldsV1"], json!({}));
}
