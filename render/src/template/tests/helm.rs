//! The behaviour Helm charts lean on: `missingkey=zero` nil-pointer errors, host objects with methods,
//! templates shared across files, `include`/`tpl` through the call context, and the depth limit.

use std::sync::Arc;

use super::{json, render};
use crate::template::{Funcs, MissingKey, Object, Options, Template, Value};

fn values() -> Value {
    json(
        serde_json::json!({"Values": {"name": "web", "replicas": 3, "ratio": 1.5, "big": 1e6, "nothing": null,
        "labels": {"b": "2", "a": "1"}, "ports": [80, 443]}}),
    )
}

#[test]
fn a_missing_parent_under_missingkey_zero_is_a_nil_pointer_error_with_location() {
    let t = Template::new("mychart/templates/x.yaml")
        .options(Options {
            missing_key: MissingKey::Zero,
        })
        .parse("a: 1\n  b: {{ .Values.x.y }}")
        .unwrap();
    let err = t
        .execute("mychart/templates/x.yaml", &values())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "template: mychart/templates/x.yaml:2:15: executing \"mychart/templates/x.yaml\" at <.Values.x.y>: \
         nil pointer evaluating interface {}.y"
    );
}

#[test]
fn a_null_value_in_a_field_chain_is_a_nil_pointer_error_in_every_mode() {
    let err = render("{{ .Values.nothing.y }}", values()).unwrap_err();
    assert!(
        err.contains("nil pointer evaluating interface {}.y"),
        "{err}"
    );
}

#[test]
fn a_missing_parent_in_default_mode_prints_no_value() {
    assert_eq!(render("{{ .Values.x.y }}", values()).unwrap(), "<no value>");
}

#[test]
fn long_contexts_are_cut_to_twenty_characters_as_go_does() {
    let err = render("{{ index .Values.ports 7 | quote }}", values());
    // `quote` is not defined: a parse error, not an execution error.
    assert!(err.unwrap_err().contains("function \"quote\" not defined"));
    let err = render("{{ index .Values.ports 7 }}", values()).unwrap_err();
    assert!(
        err.contains("at <index .Values.ports ...>: error calling index: index out of range: 7"),
        "{err}"
    );
}

#[test]
fn values_print_like_go() {
    let out = render(
        "{{.Values.labels}} {{.Values.ports}} {{.Values.ratio}} {{.Values.big}} {{.Values.replicas}}",
        values(),
    );
    assert_eq!(out.unwrap(), "map[a:1 b:2] [80 443] 1.5 1e+06 3");
}

#[test]
fn ranging_over_a_map_goes_in_key_order() {
    let out = render(
        "{{range $k, $v := .Values.labels}}{{$k}}={{$v}};{{end}}",
        values(),
    );
    assert_eq!(out.unwrap(), "a=1;b=2;");
}

#[derive(Debug)]
struct Versions(Vec<&'static str>);

impl Object for Versions {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn call_method(&self, _: &str, args: &[Value]) -> Result<Value, String> {
        match args {
            [Value::String(v)] => Ok(Value::Bool(self.0.contains(&v.as_str()))),
            _ => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
        }
    }
}

#[test]
fn host_object_methods_take_arguments_at_the_end_of_a_field_chain() {
    let caps = Value::map([(
        "APIVersions",
        Value::Object(Arc::new(Versions(vec!["v1", "apps/v1"]))),
    )]);
    let data = Value::map([("Capabilities", caps)]);
    let t = "{{ if .Capabilities.APIVersions.Has \"apps/v1\" }}yes{{ end }}-{{ .Capabilities.APIVersions.Has \"x\" }}";
    assert_eq!(render(t, data.clone()).unwrap(), "yes-false");
    let err = render("{{ .Capabilities.APIVersions.Nope }}", data).unwrap_err();
    assert!(
        err.contains("can't evaluate field Nope in type interface {}"),
        "{err}"
    );
}

fn helm_like_funcs() -> Funcs {
    let mut f = Funcs::new();
    f.insert("include", |cx, args| match args {
        [Value::String(name), data] => cx.include(name, data).map(Value::String),
        _ => Err("include wants a name and data".into()),
    });
    f.insert("tpl", |cx, args| match args {
        [Value::String(text), data] => cx.tpl(text, data).map(Value::String),
        _ => Err("tpl wants a template and data".into()),
    });
    f
}

#[test]
fn include_and_tpl_run_templates_of_the_current_set() {
    let mut t = Template::new("chart/templates/a.yaml").funcs(&helm_like_funcs());
    t.add(
        "chart/templates/_helpers.tpl",
        r#"{{- define "name" -}}{{ .Values.name }}-app{{- end -}}"#,
    )
    .unwrap();
    t.add(
        "chart/templates/a.yaml",
        "name: {{ include \"name\" . }}\nx: {{ tpl \"{{ include `name` . }}!\" . }}",
    )
    .unwrap();
    assert_eq!(
        t.execute("chart/templates/a.yaml", &values()).unwrap(),
        "name: web-app\nx: web-app!"
    );
    assert!(t.lookup("name"));
    assert_eq!(
        t.names(),
        vec![
            "chart/templates/_helpers.tpl",
            "chart/templates/a.yaml",
            "name"
        ]
    );
}

#[test]
fn an_error_inside_include_is_wrapped_with_the_call_site() {
    let mut t = Template::new("a").funcs(&helm_like_funcs());
    t.add("h", r#"{{ define "bad" }}{{ index . 5 }}{{ end }}"#)
        .unwrap();
    t.add("a", "{{ include \"bad\" .Values.ports }}").unwrap();
    let err = t.execute("a", &values()).unwrap_err().to_string();
    assert!(err.starts_with("template: a:1:3: executing \"a\" at <include \"bad\" .Value...>: error calling include: template: h:1:21: executing \"bad\" at <index . 5>"), "{err}");
}

#[test]
fn infinite_template_recursion_stops_at_the_depth_limit() {
    let err = render(
        r#"{{define "loop"}}{{template "loop" .}}{{end}}{{template "loop" .}}"#,
        Value::Nil,
    )
    .unwrap_err();
    assert!(
        err.contains("exceeded maximum template depth (1000)"),
        "{err}"
    );
    let mut t = Template::new("a").funcs(&helm_like_funcs());
    t.add(
        "a",
        r#"{{define "inc"}}{{include "inc" .}}{{end}}{{include "inc" .}}"#,
    )
    .unwrap();
    let err = t.execute("a", &Value::Nil).unwrap_err().to_string();
    assert!(err.contains("exceeded maximum template depth"), "{err}");
}

#[test]
fn tpl_parses_deep_text_at_the_bottom_of_deep_includes() {
    // Parsing and executing share one big stack: a tpl at nearly the depth limit still has room to parse
    // and run text nested nearly as deep as the parser allows.
    let deep = format!("{{{{{}1{}}}}}", "(".repeat(900), ")".repeat(900));
    let mut data = Value::map([("text", Value::from(deep))]);
    for _ in 0..990 {
        data = Value::map([("n", data)]);
    }
    let mut t = Template::new("a").funcs(&helm_like_funcs());
    t.add(
        "a",
        r#"{{define "down"}}{{with .n}}{{include "down" .}}{{else}}{{tpl .text .}}{{end}}{{end}}{{include "down" .}}"#,
    )
    .unwrap();
    assert_eq!(t.execute("a", &data).unwrap(), "1");
}

#[test]
fn a_later_file_redefines_a_template_but_an_empty_one_does_not() {
    let mut t = Template::new("main")
        .parse(r#"{{define "x"}}one{{end}}{{template "x"}}"#)
        .unwrap();
    t.add("second", r#"{{define "x"}}two{{end}}"#).unwrap();
    t.add("third", r#"{{define "x"}}{{end}}"#).unwrap();
    assert_eq!(t.execute("main", &Value::Nil).unwrap(), "two");
}

#[test]
fn unknown_templates_are_reported_like_go() {
    let t = Template::new("main")
        .parse("{{template \"nope\"}}")
        .unwrap();
    assert_eq!(
        t.execute("main", &Value::Nil).unwrap_err().to_string(),
        "template: main:1:11: executing \"main\" at <{{template \"nope\"}}>: template \"nope\" not defined"
    );
    assert_eq!(
        t.execute("other", &Value::Nil).unwrap_err().to_string(),
        "template: no template \"other\" associated with template \"main\""
    );
}

#[test]
fn an_undefined_function_is_a_parse_error_with_the_line() {
    let err = render("a\n{{ toYaml . }}", Value::Nil).unwrap_err();
    assert_eq!(err, "template: t:2: function \"toYaml\" not defined");
}

#[test]
fn a_null_list_element_is_a_nil_interface_as_in_go() {
    let data = json(serde_json::json!({"items": [{"x": 1}, null], "m": {"k": null}}));
    let err = render("{{range .items}}{{.x}}{{end}}", data.clone()).unwrap_err();
    assert!(
        err.contains("at <.x>: nil pointer evaluating interface {}.x"),
        "{err}"
    );
    let err = render("{{range $k, $v := .m}}{{$v.y}}{{end}}", data.clone()).unwrap_err();
    assert!(
        err.contains("nil pointer evaluating interface {}.y"),
        "{err}"
    );
    let err = render(
        "{{range .items}}{{with .x}}{{.y}}{{end}}{{end}}",
        data.clone(),
    )
    .unwrap_err();
    assert!(err.contains("can't evaluate field y in type int"), "{err}");
    let err = render("{{range list 1}}{{.y}}{{end}}", data.clone());
    assert!(err.unwrap_err().contains("function \"list\" not defined"));
    let err = render("{{range (index .items 0)}}{{.y}}{{end}}", data.clone()).unwrap_err();
    assert!(
        err.contains("can't evaluate field y in type interface {}"),
        "{err}"
    );
    assert_eq!(
        render("{{range .items}}{{.}};{{end}}", data).unwrap(),
        "map[x:1];<no value>;"
    );
}

#[test]
fn break_in_an_inner_range_else_ends_the_outer_range() {
    let data = json(serde_json::json!({"a": [1, 2, 3], "b": []}));
    let out = render(
        "{{range .a}}{{.}}{{range $.b}}{{else}}{{break}}{{end}}x{{end}}",
        data.clone(),
    );
    assert_eq!(out.unwrap(), "1");
    let out = render(
        "{{range .a}}{{.}}{{range $.b}}{{else}}{{continue}}{{end}}x{{end}}",
        data,
    );
    assert_eq!(out.unwrap(), "123");
}

#[test]
fn a_large_template_parses_and_runs_quickly() {
    let text =
        "{{ .Values.name }}\nline {{ if .Values.replicas }}{{ . | len }}{{ end }}\n".repeat(20_000);
    let started = std::time::Instant::now();
    let t = Template::new("big").parse(&text).unwrap();
    let out = t.execute("big", &values()).unwrap();
    assert_eq!(out.lines().count(), 40_000);
    // Generous: a debug build does this in well under a second; quadratic work would take minutes.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
