//! End-to-end tests of [`render`](super::render): text and values in, text or an error out.

use yaml_serde::Value;

use super::{Error, render};

fn values(yaml: &str) -> Value {
    yaml_serde::from_str(yaml).unwrap()
}

fn ok(template: &str, yaml: &str) -> String {
    render(template, &values(yaml)).unwrap()
}

fn err(template: &str, yaml: &str) -> Error {
    render(template, &values(yaml)).unwrap_err()
}

const CLUSTERS: &str = "
Project: demo
Provider:
  Name: edge
  Port: 30431
Clusters:
  - Name: c1
    Labels: [a, b]
  - Name: c2
    Labels: []
";

#[test]
fn text_without_actions_is_unchanged() {
    assert_eq!(ok("a: b\n- c\n", "{}"), "a: b\n- c\n");
}

#[test]
fn field_access_follows_nested_keys() {
    assert_eq!(
        ok(
            "project: {{ .Project }}\nprovider: {{.Provider.Name}}:{{ .Provider.Port }}",
            CLUSTERS
        ),
        "project: demo\nprovider: edge:30431"
    );
}

#[test]
fn dollar_is_the_root_inside_a_range() {
    assert_eq!(
        ok(
            "{{ range .Clusters }}{{ $.Project }}/{{ .Name }} {{ end }}{{ $.Provider.Name }}",
            CLUSTERS
        ),
        "demo/c1 demo/c2 edge"
    );
}

#[test]
fn range_rebinds_dot_to_each_element() {
    assert_eq!(
        ok("{{ range .Clusters }}[{{ .Name }}]{{ end }}", CLUSTERS),
        "[c1][c2]"
    );
}

#[test]
fn range_may_bind_the_index_and_the_element() {
    assert_eq!(
        ok(
            "{{ range $i, $c := .Clusters }}{{ $i }}={{ $c.Name }}/{{ .Name }} {{ end }}",
            CLUSTERS
        ),
        "0=c1/c1 1=c2/c2 "
    );
    assert_eq!(
        ok(
            "{{ range $c := .Clusters }}{{ $c.Name }} {{ end }}",
            CLUSTERS
        ),
        "c1 c2 "
    );
}

#[test]
fn nested_ranges_see_outer_variables() {
    assert_eq!(
        ok(
            "{{ range $c := .Clusters }}{{ range .Labels }}{{ $c.Name }}:{{ . }} {{ end }}{{ end }}",
            CLUSTERS
        ),
        "c1:a c1:b "
    );
}

#[test]
fn range_over_a_map_visits_keys_in_sorted_order() {
    assert_eq!(
        ok(
            "{{ range $k, $v := .M }}{{ $k }}={{ $v }} {{ end }}",
            "M: {b: 2, a: 1, c: 3}"
        ),
        "a=1 b=2 c=3 "
    );
}

#[test]
fn range_over_an_empty_or_null_value_runs_the_else_part() {
    let template = "{{ range .L }}x{{ else }}none{{ end }}";
    assert_eq!(ok(template, "L: []"), "none");
    assert_eq!(ok(template, "L: null"), "none");
}

#[test]
fn if_else_follows_truthiness() {
    let template = "{{ if .A }}yes{{ else if .B }}b{{ else }}no{{ end }}";
    assert_eq!(ok(template, "{A: true, B: true}"), "yes");
    assert_eq!(ok(template, "{A: 0, B: [1]}"), "b");
    assert_eq!(ok(template, "{A: '', B: {}}"), "no");
}

#[test]
fn with_rebinds_dot_when_the_value_is_true() {
    let template = "{{ with .Provider }}{{ .Name }}{{ else }}none{{ end }}";
    assert_eq!(ok(template, CLUSTERS), "edge");
    assert_eq!(ok(template, "Provider: null"), "none");
}

#[test]
fn variables_can_be_declared_and_assigned() {
    assert_eq!(
        ok(
            "{{ $p := .Project }}{{ range .Clusters }}{{ $p }}-{{ .Name }} {{ $p = \"x\" }}{{ end }}",
            CLUSTERS
        ),
        "demo-c1 x-c2 "
    );
}

#[test]
fn trim_markers_remove_surrounding_white_space() {
    let template =
        "clusters:\n{{- range .Clusters }}\n  - {{ .Name }}\n{{- end }}\nend: {{ .Project -}}  \n";
    assert_eq!(
        ok(template, CLUSTERS),
        "clusters:\n  - c1\n  - c2\nend: demo"
    );
}

#[test]
fn comments_produce_nothing() {
    assert_eq!(
        ok(
            "a{{/* a comment\nover lines */}}b {{- /* trimmed */ -}} c",
            "{}"
        ),
        "abc"
    );
}

#[test]
fn numbers_booleans_and_null_print_like_go() {
    assert_eq!(
        ok(
            "{{ .I }} {{ .F }} {{ .G }} {{ .B }} {{ .N }}",
            "{I: 7, F: 1.0, G: 0.5, B: false, N: null}"
        ),
        "7 1 0.5 false <no value>"
    );
}

#[test]
fn a_missing_key_names_the_key_and_the_line() {
    assert_eq!(
        err("a: 1\nb: {{ .Provider.Region }}\n", CLUSTERS),
        Error::MissingKey {
            line: 2,
            key: "Region".into(),
            path: ".Provider.Region".into()
        }
    );
    assert_eq!(
        err("\n\n{{ range .Clusters }}\n{{ $.Nope }}{{ end }}", CLUSTERS).to_string(),
        "line 4: no value for key \"Nope\" in $.Nope"
    );
}

#[test]
fn a_missing_key_in_a_condition_is_an_error_too() {
    assert!(matches!(
        err("{{ if .Absent }}x{{ end }}", "{}"),
        Error::MissingKey { line: 1, .. }
    ));
}

#[test]
fn reading_a_field_of_a_scalar_is_an_error() {
    assert_eq!(
        err("\n{{ .Project.Name }}", CLUSTERS).to_string(),
        "line 2: cannot read field \"Name\" of .Project: it is a string"
    );
}

#[test]
fn syntax_errors_carry_the_line_number() {
    let cases = [
        (
            "a\n{{ if .A }}\nb",
            "line 2: {{if}} has no matching {{end}}",
        ),
        ("a\n\n{{ end }}", "line 3: unexpected {{end}}"),
        ("{{ .A\n", "line 1: unclosed action"),
        ("\n{{ $x }}", "line 2: undefined variable \"$x\""),
        (
            "\n\n{{ .A | quote }}",
            "line 3: pipelines (|) are not supported",
        ),
        (
            "{{ quote .A }}",
            "line 1: function \"quote\" is not supported (only fields, variables and constants are)",
        ),
        (
            "{{ range .L }}{{ else }}{{ else }}{{ end }}",
            "line 1: {{else}} after the final {{else}} of {{range}}",
        ),
        ("{{ }}", "line 1: missing value for command"),
        (
            "{{ .A .B }}",
            "line 1: unexpected \".B\" after .A in command",
        ),
    ];
    for (template, expected) in cases {
        assert_eq!(
            render(template, &values("{A: 1, L: []}"))
                .unwrap_err()
                .to_string(),
            expected,
            "{template}"
        );
    }
}

#[test]
fn range_variables_end_with_their_range() {
    assert_eq!(
        err("{{ range $c := .L }}{{ end }}\n{{ $c }}", "L: []").to_string(),
        "line 2: undefined variable \"$c\""
    );
}

#[test]
fn ranging_over_a_scalar_is_an_error() {
    assert_eq!(
        err("\n{{ range .Project }}{{ end }}", CLUSTERS).to_string(),
        "line 2: range can't iterate over .Project (a string)"
    );
}
