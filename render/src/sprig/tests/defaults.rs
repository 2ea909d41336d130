//! Defaults, flow and JSON, from Sprig's `defaults_test.go`.

use super::{check, check_err, check_with};
use crate::template::Value;

fn top() -> Value {
    Value::from(serde_json::json!({
        "top": {},
        "Top": {"bool": true, "string": "test", "number": 42, "html": "<HEAD>&"},
        "Input": "{\"foo\": 55, \"list\": [1, \"a\"]}",
    }))
}

#[test]
fn default_applies_sprigs_empty_rules() {
    check_with(
        &top(),
        &[
            (r#"{{"" | default "foo"}}"#, "foo"),
            (r#"{{default "foo" 234}}"#, "234"),
            (r#"{{default "foo" 2.34}}"#, "2.34"),
            (r#"{{ .Nothing | default "123" }}"#, "123"),
            (r#"{{ default "123" }}"#, "123"),
            (r#"{{ 0 | default 5 }}"#, "5"),
            (r#"{{ false | default "x" }}"#, "x"),
            (r#"{{ list | default "x" }}"#, "x"),
            (r#"{{ .top | default "x" }}"#, "x"),
            (r#"{{ .Top | default "x" | len }}"#, "4"),
        ],
    );
}

#[test]
fn empty_is_true_for_zero_values_and_missing_keys() {
    check_with(
        &top(),
        &[
            (r#"{{if empty 1}}1{{else}}0{{end}}"#, "0"),
            (r#"{{if empty 0}}1{{else}}0{{end}}"#, "1"),
            (r#"{{if empty ""}}1{{else}}0{{end}}"#, "1"),
            (r#"{{if empty 0.0}}1{{else}}0{{end}}"#, "1"),
            (r#"{{if empty false}}1{{else}}0{{end}}"#, "1"),
            (r#"{{if empty .top.NoSuchThing}}1{{else}}0{{end}}"#, "1"),
            (r#"{{if empty .top}}1{{else}}0{{end}}"#, "1"),
        ],
    );
}

#[test]
fn coalesce_all_and_any_test_emptiness() {
    check_with(
        &top(),
        &[
            (r#"{{ coalesce 1 }}"#, "1"),
            (r#"{{ coalesce "" 0 nil 2 }}"#, "2"),
            (r#"{{ $two := 2 }}{{ coalesce "" $two 3 4 5 }}"#, "2"),
            (r#"{{ coalesce }}"#, "<no value>"),
            (
                r#"{{ coalesce .top.NoSuchThing .bottom "airplane"}}"#,
                "airplane",
            ),
            (r#"{{ all 1 }}"#, "true"),
            (r#"{{ all "" 0 nil 2 }}"#, "false"),
            (r#"{{ all }}"#, "true"),
            (r#"{{ any "" 0 nil 2 }}"#, "true"),
            (r#"{{ $zero := 0 }}{{ any "" $zero 0 0 0 }}"#, "false"),
            (r#"{{ any }}"#, "false"),
        ],
    );
}

#[test]
fn ternary_picks_by_a_boolean() {
    check(&[
        (r#"{{true | ternary "foo" "bar"}}"#, "foo"),
        (r#"{{ternary "foo" "bar" false}}"#, "bar"),
    ]);
    check_err(&[(r#"{{ternary "foo" "bar" 1}}"#, "expected bool; got int")]);
}

#[test]
fn json_output_matches_go_encoding_json() {
    check_with(
        &top(),
        &[
            (
                r#"{{.Top | toJson}}"#,
                r#"{"bool":true,"html":"\u003cHEAD\u003e\u0026","number":42,"string":"test"}"#,
            ),
            (
                r#"{{.Top | toRawJson}}"#,
                r#"{"bool":true,"html":"<HEAD>&","number":42,"string":"test"}"#,
            ),
            (
                r#"{{dict "a" (list 1 "x") "b" (dict) | toPrettyJson}}"#,
                "{\n  \"a\": [\n    1,\n    \"x\"\n  ],\n  \"b\": {}\n}",
            ),
            (
                r#"{{ list 1000000.0 0.5 1e21 0.0000001 -0.0 | toJson }}"#,
                "[1000000,0.5,1e+21,1e-7,-0]",
            ),
            (r#"{{ toJson nil }}"#, "null"),
            (r#"{{ toJson "a\nb\u2028" }}"#, r#""a\nb\u2028""#),
            (r#"{{ list | toJson }}"#, "[]"),
        ],
    );
}

#[test]
fn from_json_reads_numbers_as_floats() {
    check_with(
        &top(),
        &[
            (r#"{{.Input | fromJson}}"#, "map[foo:55 list:[1 a]]"),
            (r#"{{(.Input | fromJson).foo}}"#, "55"),
            (r#"{{(.Input | fromJson).foo | kindOf}}"#, "float64"),
            (r#"{{ "not json" | fromJson }}"#, "<no value>"),
        ],
    );
    check_err(&[(
        r#"{{ "not json" | mustFromJson }}"#,
        "error calling mustFromJson",
    )]);
}

#[test]
fn deep_equal_compares_by_value_and_type() {
    check(&[
        (r#"{{ deepEqual (list 1 2) (list 1 2) }}"#, "true"),
        (
            r#"{{ deepEqual (dict "a" (list 1)) (dict "a" (list 1)) }}"#,
            "true",
        ),
        (r#"{{ deepEqual 1 1.0 }}"#, "false"),
        (r#"{{ deepEqual "a" "b" }}"#, "false"),
    ]);
}
