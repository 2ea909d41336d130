//! Dictionary functions, from Sprig's `dict_test.go` and mergo's merge rules.

use super::{check, check_err, check_with};
use crate::template::Value;

#[test]
fn dict_get_set_and_unset_share_the_map() {
    check(&[
        (
            r#"{{$d := dict 1 2 "three" "four" 5}}{{range $k, $v := $d}}{{$k}}{{$v}}|{{end}}"#,
            "12|5|threefour|",
        ),
        (
            r#"{{$t := dict "I" "shot" "the" "albatross"}}{{$t.the}} {{$t.I}}"#,
            "albatross shot",
        ),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 -}}{{- $_ := unset $d "two" -}}{{- range $k, $v := $d}}{{$k}}{{$v}}{{- end -}}"#,
            "one1",
        ),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 -}}{{- if hasKey $d "one" -}}1{{- end -}}"#,
            "1",
        ),
        (r#"{{- $d := dict "one" 1 }}{{ get $d "one" -}}"#, "1"),
        (r#"{{- $d := dict }}{{ get $d "two" -}}"#, ""),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 -}}{{- $_ := set $d "two" 2 -}}{{- $_ := set $d "three" 3 -}}{{$d.one}}{{$d.two}}{{$d.three}}"#,
            "123",
        ),
    ]);
}

#[test]
fn set_changes_the_map_in_the_data() {
    let data = Value::from(serde_json::json!({"m": {"a": 1}}));
    check_with(&data, &[(r#"{{ $_ := set .m "b" 2 }}{{ .m.b }}"#, "2")]);
}

#[test]
fn pluck_keys_values_pick_and_omit_select_entries() {
    check(&[
        (
            r#"{{- $d := dict "one" 1 "two" 222222 -}}{{- $d2 := dict "one" 1 "two" 33333 -}}{{- $d3 := dict "one" 1 -}}{{- pluck "two" $d $d2 $d3 -}}"#,
            "[222222 33333]",
        ),
        (
            r#"{{ dict "foo" 1 "bar" 2 | keys | sortAlpha }}"#,
            "[bar foo]",
        ),
        (r#"{{ dict | keys }}"#, "[]"),
        (
            r#"{{ keys (dict "foo" 1) (dict "bar" 2) (dict "bar" 3) | uniq | sortAlpha }}"#,
            "[bar foo]",
        ),
        (
            r#"{{- $d := dict "a" "first" "b" 2 }}{{ values $d | sortAlpha | join "," }}"#,
            "2,first",
        ),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 }}{{ pick $d "two" -}}"#,
            "map[two:222222]",
        ),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 }}{{ pick $d "one" "two" "three" | len -}}"#,
            "2",
        ),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 }}{{ omit $d "one" -}}"#,
            "map[two:222222]",
        ),
        (
            r#"{{- $d := dict "one" 1 "two" 222222 }}{{ omit $d "two" "three" | len -}}"#,
            "1",
        ),
    ]);
}

#[test]
fn dig_walks_nested_maps_with_a_default() {
    let data = Value::from(serde_json::json!({"a": {"b": {"c": 1}}}));
    check_with(
        &data,
        &[
            (r#"{{ dig "a" "b" "c" "none" . }}"#, "1"),
            (r#"{{ dig "a" "x" "c" "none" . }}"#, "none"),
            (r#"{{ dig "a" "b" "none" . }}"#, "map[c:1]"),
        ],
    );
    check_err(&[(
        r#"{{ dig "a" (dict) }}"#,
        "dig needs at least three arguments",
    )]);
}

#[test]
fn merge_fills_gaps_deeply_and_mutates_the_first_map() {
    let data = Value::from(serde_json::json!({
        "dst": {"a": 1, "b": "", "n": {"x": 1}, "l": [1]},
        "src": {"a": 2, "b": "B", "c": 3, "n": {"x": 2, "y": 2}, "l": [2, 3]},
    }));
    check_with(
        &data,
        &[
            (
                r#"{{ merge .dst .src | toJson }}"#,
                r#"{"a":1,"b":"B","c":3,"l":[1],"n":{"x":1,"y":2}}"#,
            ),
            (r#"{{ $_ := merge .dst .src }}{{ .dst.c }}"#, "3"),
        ],
    );
    check_with(
        &data,
        &[(
            r#"{{ mergeOverwrite .dst .src | toJson }}"#,
            r#"{"a":2,"b":"B","c":3,"l":[2,3],"n":{"x":2,"y":2}}"#,
        )],
    );
    check(&[
        (
            r#"{{ mustMergeOverwrite (dict "a" "x") (dict "a" (dict "b" 1)) | toJson }}"#,
            r#"{"a":"x"}"#,
        ),
        (
            r#"{{ mergeOverwrite (dict "a" 1) (dict "a" nil) | toJson }}"#,
            r#"{"a":null}"#,
        ),
        (
            r#"{{ merge (dict "a" 1) (dict "a" nil) | toJson }}"#,
            r#"{"a":1}"#,
        ),
        (
            r#"{{ mergeOverwrite (dict "a" 1) (dict "a" 0) | toJson }}"#,
            r#"{"a":0}"#,
        ),
        (
            r#"{{ merge (dict) (dict "a" 1) (dict "a" 2 "b" 2) | toJson }}"#,
            r#"{"a":1,"b":2}"#,
        ),
        (
            r#"{{ merge .missing (dict "a" 1) | toJson }}"#,
            r#"{"a":1}"#,
        ),
    ]);
}

#[test]
fn deep_copy_detaches_nested_values() {
    check(&[(
        r#"{{ $a := dict "n" (dict "x" 1) }}{{ $b := deepCopy $a }}{{ $_ := set $b.n "x" 2 }}{{ $a.n.x }}{{ $b.n.x }}"#,
        "12",
    )]);
}

#[test]
fn a_map_that_contains_itself_fails_instead_of_recursing_forever() {
    let cyclic = r#"{{ $d := dict "a" 1 }}{{ $_ := set $d "self" $d }}"#;
    check_err(&[
        (
            &format!("{cyclic}{{{{ toJson $d | mustToJson }}}}{{{{ mustToJson $d }}}}"),
            "encountered a cycle",
        ),
        (&format!("{cyclic}{{{{ deepCopy $d }}}}"), "contains itself"),
    ]);
    check(&[
        (&format!("{cyclic}{{{{ toJson $d }}}}"), ""),
        (&format!("{cyclic}{{{{ deepEqual $d $d }}}}"), "true"),
        (
            &format!("{cyclic}{{{{ $e := dict }}}}{{{{ $_ := merge $e $d }}}}{{{{ $e.a }}}}"),
            "1",
        ),
        (
            &format!("{cyclic}{{{{ $_ := merge $d $d }}}}{{{{ $d.a }}}}"),
            "1",
        ),
    ]);
}
