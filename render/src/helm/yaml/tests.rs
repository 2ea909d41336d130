use serde_json::json;

use super::*;

fn yaml(v: serde_json::Value) -> String {
    to_yaml(&Value::from(v))
}

#[test]
fn maps_and_lists_are_laid_out_as_go_yaml_does() {
    let v = json!({
        "labels": {"app.kubernetes.io/name": "web", "tier": "edge"},
        "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}],
        "args": ["--a", "--b"],
        "empty": {}, "none": [], "nothing": null,
        "nested": [[1, 2], [3]]
    });
    assert_eq!(
        yaml(v),
        "args:\n- --a\n- --b\nempty: {}\nlabels:\n  app.kubernetes.io/name: web\n  tier: edge\nnested:\n- - 1\n  - 2\n- - 3\nnone: []\nnothing: null\nports:\n- name: http\n  port: 80\n- name: https\n  port: 443"
    );
}

/// go-yaml v2 resolves YAML 1.1 booleans, `y` and `n` included, so even the key `n` is quoted.
#[test]
fn strings_are_quoted_only_when_yaml_would_misread_them() {
    let v = json!({"a": "true", "b": "1.0", "c": "", "d": "a: b", "e": "plain text", "f": "0x1F", "g": "yes", "h": "-x", "i": "- x", "j": "*ref", "k": " lead", "l": "v1.2.3", "m": "null", "n": "8080"});
    assert_eq!(
        yaml(v),
        "a: \"true\"\nb: \"1.0\"\nc: \"\"\nd: 'a: b'\ne: plain text\nf: \"0x1F\"\ng: \"yes\"\nh: -x\ni: '- x'\nj: '*ref'\nk: ' lead'\nl: v1.2.3\nm: \"null\"\n\"n\": \"8080\""
    );
}

#[test]
fn template_text_is_single_quoted_so_tpl_can_read_it() {
    assert_eq!(
        yaml(json!({"k": "{{ template \"x\" . }}", "q": "it's"})),
        "k: '{{ template \"x\" . }}'\nq: it's"
    );
    assert_eq!(yaml(json!({"k": "{a}'s"})), "k: '{a}''s'");
}

#[test]
fn whole_floats_print_as_integers_like_json_does() {
    assert_eq!(
        to_yaml(&Value::map([
            ("replicas", Value::Float(3.0)),
            ("big", Value::Float(1e6)),
            ("ratio", Value::Float(0.5))
        ])),
        "big: 1000000\nratio: 0.5\nreplicas: 3"
    );
    assert_eq!(json_number(1e-7), "1e-07");
    assert_eq!(json_number(1e21), "1e+21");
}

#[test]
fn multi_line_strings_become_literal_blocks() {
    assert_eq!(yaml(json!({"conf": "a\nb"})), "conf: |-\n  a\n  b");
    assert_eq!(yaml(json!({"conf": "a\n\nb\n"})), "conf: |\n  a\n\n  b");
    assert_eq!(yaml(json!({"list": ["x\ny\n"]})), "list:\n- |\n  x\n  y");
}

#[test]
fn scalars_and_round_trips() {
    assert_eq!(yaml(json!("hello")), "hello");
    assert_eq!(yaml(json!(null)), "null");
    let text = yaml(json!({"a": {"b": [1, "two", {"c": "true"}]}, "d": "x: y"}));
    let back = from_yaml(&text).unwrap();
    assert_eq!(to_yaml(&back), text);
    assert!(
        matches!(from_yaml("n: 3").unwrap(), Value::Map(m) if matches!(m.get("n"), Some(Value::Float(f)) if f == 3.0))
    );
    assert!(from_yaml("a: [1").is_err());
}

#[test]
fn strings_that_read_as_numbers_are_double_quoted_and_others_are_not() {
    for numeric in [
        "8080", "-1", "+.5", ".inf", "-.NaN", "0x1F", "0o17", "1e3", "1_000", "_1", "1:20", "1.",
    ] {
        assert_eq!(
            super::quote_if_needed(numeric),
            format!("\"{numeric}\""),
            "{numeric}"
        );
    }
    for text in ["nginx", "inf", "nan", "x1", "-x", "_", "1:a", "0x", "v1.2"] {
        assert!(!super::quote_if_needed(text).starts_with('"'), "{text}");
    }
}
