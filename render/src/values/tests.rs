use serde_json::json;

use super::*;

#[test]
fn numbers_in_values_files_are_floats_as_in_helm() {
    let v = from_yaml(
        "replicas: 3\nbig: 1000000\nratio: 0.5\nname: web\n",
        "values.yaml",
    )
    .unwrap();
    assert!(v["replicas"].is_f64() && v["big"].is_f64());
    assert_eq!(v["replicas"].as_f64(), Some(3.0));
    assert_eq!(v["name"], "web");
}

#[test]
fn an_empty_file_is_an_empty_map_and_a_list_is_an_error() {
    assert_eq!(from_yaml("", "v").unwrap(), json!({}));
    assert_eq!(from_yaml("# only a comment\n", "v").unwrap(), json!({}));
    let err = from_yaml("- a\n- b\n", "profile values").unwrap_err();
    assert_eq!(
        err,
        Error::NotAMap {
            what: "profile values".into(),
            found: "a list"
        }
    );
    assert!(matches!(
        from_yaml("a: [1, 2", "v"),
        Err(Error::Yaml { .. })
    ));
}

#[test]
fn non_string_keys_become_their_text() {
    let v = from_yaml("1: one\ntrue: yes\n", "v").unwrap();
    assert_eq!(v["1"], "one");
    assert_eq!(v["true"], "yes");
}

#[test]
fn coalesce_merges_maps_replaces_the_rest_and_deletes_on_null() {
    let mut base = json!({"image": {"repo": "nginx", "tag": "1.0"}, "ports": [80], "keep": 1, "drop": {"x": 1}});
    coalesce(
        &mut base,
        json!({"image": {"tag": "2.0"}, "ports": [8080, 8443], "drop": null, "new": {"a": null, "b": 2}}),
    );
    assert_eq!(
        base,
        json!({"image": {"repo": "nginx", "tag": "2.0"}, "ports": [8080, 8443], "keep": 1, "new": {"b": 2}})
    );
}

#[test]
fn a_scalar_over_a_map_replaces_it() {
    let mut base = json!({"service": {"type": "ClusterIP"}});
    coalesce(&mut base, json!({"service": "none"}));
    assert_eq!(base, json!({"service": "none"}));
}
