//! Helm's own template functions, registered over Sprig's: `include`, `tpl`, `required`, `fail`,
//! `toYaml`, `mustToYaml`, `toToml`, `fromYaml`, `fromYamlArray`, `fromJson`, `fromJsonArray` and `lookup`.
//!
//! `lookup` answers from a [`Lookup`] the caller provides; by default it finds nothing and returns an empty
//! map, as `helm template` does.

use std::sync::Arc;

use super::yaml;
use crate::template::{CallContext, Funcs, Value};

/// What `lookup apiVersion kind namespace name` sees.
pub type Lookup = Arc<dyn Fn(&str, &str, &str, &str) -> Value + Send + Sync>;

/// Helm wraps the messages of `fail` and `required` in these, so the renderer can find them inside Go's
/// chain of `error calling` messages however deeply `include`s nest.
pub const MESSAGE_START: &str = "HELM_ERR_START";
/// The end marker; see [`MESSAGE_START`].
pub const MESSAGE_END: &str = "HELM_ERR_END";

fn wrap(message: &str) -> String {
    format!("{MESSAGE_START}{message}{MESSAGE_END}")
}

fn strings<'a>(name: &str, args: &'a [Value], n: usize) -> Result<Vec<&'a str>, String> {
    if args.len() != n {
        return Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ));
    }
    args.iter()
        .map(|a| {
            a.as_str()
                .ok_or_else(|| format!("{name}: arguments must be strings, got {}", a.type_name()))
        })
        .collect()
}

/// Registers Helm's functions into `funcs`, replacing any of the same name.
pub fn register(funcs: &mut Funcs, lookup: Option<Lookup>) {
    funcs.insert(
        "include",
        |ctx: &mut CallContext<'_>, args: &[Value]| match args {
            [Value::String(name), data] => ctx.include(name, data).map(Value::String),
            [Value::String(name)] => ctx.include(name, &Value::Nil).map(Value::String),
            _ => Err("include needs a template name and a value".into()),
        },
    );
    funcs.insert(
        "tpl",
        |ctx: &mut CallContext<'_>, args: &[Value]| match args {
            [Value::String(text), data] => ctx.tpl(text, data).map(Value::String),
            _ => Err("tpl needs a template string and a value".into()),
        },
    );
    funcs.insert(
        "required",
        |_: &mut CallContext<'_>, args: &[Value]| match args {
            [message, value] => match value {
                Value::Nil => Err(message.as_str().unwrap_or_default().to_owned()),
                Value::String(s) if s.is_empty() => {
                    Err(message.as_str().unwrap_or_default().to_owned())
                }
                other => Ok(other.clone()),
            },
            _ => Err(format!(
                "wrong number of args for required: want 2 got {}",
                args.len()
            )),
        },
    );
    funcs.insert("fail", |_: &mut CallContext<'_>, args: &[Value]| {
        Err(wrap(strings("fail", args, 1)?[0]))
    });
    funcs.insert(
        "toYaml",
        |_: &mut CallContext<'_>, args: &[Value]| match args {
            [v] => Ok(Value::String(if v.is_nil() {
                "null".into()
            } else {
                yaml::to_yaml(v)
            })),
            _ => Err("toYaml takes one argument".into()),
        },
    );
    funcs.insert(
        "toToml",
        |_: &mut CallContext<'_>, args: &[Value]| match args {
            // Helm returns the encoder's error message as the text rather than failing.
            [v] => Ok(Value::String(super::toml::to_toml(v).unwrap_or_else(|e| e))),
            _ => Err("toToml takes one argument".into()),
        },
    );
    funcs.insert(
        "mustToYaml",
        |_: &mut CallContext<'_>, args: &[Value]| match args {
            [v] => Ok(Value::String(yaml::to_yaml(v))),
            _ => Err("mustToYaml takes one argument".into()),
        },
    );
    // Helm answers a bad document with a map (or list) holding the error rather than failing.
    funcs.insert("fromYaml", |_: &mut CallContext<'_>, args: &[Value]| {
        let text = strings("fromYaml", args, 1)?[0];
        Ok(match yaml::from_yaml(text) {
            Ok(v @ Value::Map(_)) => v,
            Ok(Value::Nil) => Value::map(Vec::<(String, Value)>::new()),
            Ok(other) => Value::map([(
                "Error",
                Value::String(format!(
                    "error unmarshaling JSON: cannot unmarshal {} into map",
                    other.type_name()
                )),
            )]),
            Err(e) => Value::map([("Error", Value::String(e))]),
        })
    });
    funcs.insert(
        "fromYamlArray",
        |_: &mut CallContext<'_>, args: &[Value]| {
            let text = strings("fromYamlArray", args, 1)?[0];
            Ok(match yaml::from_yaml(text) {
                Ok(v @ Value::List(_)) => v,
                Ok(Value::Nil) => Value::list(Vec::new()),
                Ok(other) => Value::list(vec![Value::String(format!(
                    "error unmarshaling JSON: cannot unmarshal {} into array",
                    other.type_name()
                ))]),
                Err(e) => Value::list(vec![Value::String(e)]),
            })
        },
    );
    funcs.insert("fromJson", |_: &mut CallContext<'_>, args: &[Value]| {
        let text = strings("fromJson", args, 1)?[0];
        Ok(match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v @ serde_json::Value::Object(_)) => yaml::floats(&v),
            Ok(_) => Value::map([(
                "Error",
                Value::String("json: cannot unmarshal into map".into()),
            )]),
            Err(e) => Value::map([("Error", Value::String(e.to_string()))]),
        })
    });
    funcs.insert(
        "fromJsonArray",
        |_: &mut CallContext<'_>, args: &[Value]| {
            let text = strings("fromJsonArray", args, 1)?[0];
            Ok(match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v @ serde_json::Value::Array(_)) => yaml::floats(&v),
                Ok(_) => Value::list(vec![Value::String(
                    "json: cannot unmarshal into array".into(),
                )]),
                Err(e) => Value::list(vec![Value::String(e.to_string())]),
            })
        },
    );
    funcs.insert("lookup", move |_: &mut CallContext<'_>, args: &[Value]| {
        let a = strings("lookup", args, 4)?;
        Ok(match &lookup {
            Some(find) => find(a[0], a[1], a[2], a[3]),
            None => Value::map(Vec::<(String, Value)>::new()),
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn run(text: &str) -> Result<String, String> {
        let mut funcs = Funcs::new();
        register(&mut funcs, None);
        let t = Template::new("c/templates/t.yaml")
            .funcs(&funcs)
            .parse(text)
            .map_err(|e| e.to_string())?;
        t.execute(
            "c/templates/t.yaml",
            &Value::map([("name", Value::from("web")), ("n", Value::Float(3.0))]),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn include_and_tpl_run_templates_of_the_set() {
        assert_eq!(
            run(r#"{{ define "x" }}[{{ .name }}]{{ end }}{{ include "x" . }}"#).unwrap(),
            "[web]"
        );
        assert_eq!(
            run(r#"{{ tpl "{{ .name }}-{{ .n }}" . }}"#).unwrap(),
            "web-3"
        );
    }

    #[test]
    fn required_and_fail_stop_rendering_with_the_message() {
        assert_eq!(run(r#"{{ required "need name" .name }}"#).unwrap(), "web");
        let err = run(r#"{{ required "missing x" .x }}"#).unwrap_err();
        assert!(err.contains("missing x"), "{err}");
        let err = run(r#"{{ fail "boom" }}"#).unwrap_err();
        assert!(
            err.contains("error calling fail: HELM_ERR_STARTboomHELM_ERR_END"),
            "{err}"
        );
    }

    #[test]
    fn yaml_and_json_round_trips_and_errors_as_helm_gives_them() {
        assert_eq!(
            run(r#"{{ (fromYaml "a: 1\nb: [x]").b }}{{ toYaml (fromYaml "z: 2\na: {b: c}") }}"#)
                .unwrap(),
            "[x]a:\n  b: c\nz: 2"
        );
        assert!(
            run(r#"{{ (fromYaml "a: [1").Error }}"#)
                .unwrap()
                .contains("did not find expected")
        );
        assert_eq!(
            run(r#"{{ index (fromYamlArray "- 1\n- two") 1 }}"#).unwrap(),
            "two"
        );
        assert_eq!(run(r#"{{ (fromJson "{\"a\": 2}").a }}"#).unwrap(), "2");
        assert_eq!(
            run(r#"{{ lookup "v1" "Secret" "ns" "s" }}"#).unwrap(),
            "map[]"
        );
    }
}
