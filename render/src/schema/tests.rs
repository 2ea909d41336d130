use serde_json::json;

use super::*;
use crate::chart::Chart;

#[test]
fn traefiks_defaults_meet_its_schema_and_bad_values_are_named() {
    let chart =
        Chart::from_dir(&canopy_tests::fixtures::shared_dir().join("charts/public/traefik"))
            .unwrap();
    let schema = chart.schema.as_ref().unwrap();
    assert_eq!(validate("traefik", schema, &chart.values), Ok(()));

    let mut bad = chart.values.clone();
    bad["deployment"]["replicas"] = json!("three");
    bad["image"]["pullPolicy"] = json!(42);
    let err = validate("traefik", schema, &bad).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("values don't meet the specifications of the schema(s) in the following chart(s):\ntraefik:\n"), "{text}");
    assert!(
        err.violations
            .iter()
            .any(|v| v.path == "/deployment/replicas" && v.message.contains("got string")),
        "{text}"
    );
    assert!(
        text.contains("- at '/image/pullPolicy': got integer, want string"),
        "{text}"
    );
}

#[test]
fn keywords_behave_as_json_schema_says() {
    let schema = json!({
        "type": "object",
        "required": ["name"],
        "additionalProperties": false,
        "$defs": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
            "replicas": {"type": ["integer", "null"]},
            "mode": {"enum": ["a", "b"]},
            "port": {"$ref": "#/$defs/port"},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
            "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "any": {"anyOf": [{"type": "boolean"}, {"const": "x"}]}
        }
    });
    let ok = json!({"name": "web", "replicas": 3.0, "mode": "a", "port": 80.0, "tags": ["x", "y"], "either": 2, "any": "x"});
    assert_eq!(validate("c", &schema, &ok), Ok(()));
    let bad = json!({"replicas": 1.5, "mode": "c", "port": 70000, "tags": ["x", "x", 3], "either": true, "any": "y", "extra": 1});
    let err = validate("c", &schema, &bad).unwrap_err();
    let found: Vec<(String, String)> = err
        .violations
        .iter()
        .map(|v| (v.path.clone(), v.message.clone()))
        .collect();
    let has = |path: &str, says: &str| found.iter().any(|(p, m)| p == path && m.contains(says));
    assert!(has("", "missing property 'name'"), "{found:?}");
    assert!(
        has("", "additional properties 'extra' not allowed"),
        "{found:?}"
    );
    assert!(
        has("/replicas", "got number, want integer or null"),
        "{found:?}"
    );
    assert!(has("/mode", "value must be one of 'a', 'b'"), "{found:?}");
    assert!(
        has("/port", "must be <= 65535 but found 70000"),
        "{found:?}"
    );
    assert!(has("/tags", "unique"), "{found:?}");
    assert!(has("/tags/2", "got integer, want string"), "{found:?}");
    assert!(has("/either", "oneOf"), "{found:?}");
    assert!(has("/any", "anyOf"), "{found:?}");
    let name = validate("c", &schema, &json!({"name": "Web-Server"})).unwrap_err();
    assert_eq!(name.violations.len(), 2, "{name}");
}

#[test]
fn a_cyclic_ref_is_an_error_not_a_stack_overflow() {
    let schema = json!({"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"});
    let err = validate("c", &schema, &json!({})).unwrap_err();
    assert!(
        err.violations[0].message.contains("nests too deeply"),
        "{err}"
    );
}
