//! helm-unittest's asserts, evaluated against what a test rendered.

use serde_json::Value;

use super::path;
use super::suite::Assert;

/// What one test rendered for the templates an assert looks at.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Every document of those templates, in order.
    pub docs: Vec<Value>,
    /// Their raw text.
    pub raw: String,
    /// The render error, when rendering failed.
    pub error: Option<String>,
}

/// Every assert kind the runner knows.
pub const KINDS: &[&str] = &[
    "equal",
    "notEqual",
    "contains",
    "notContains",
    "isNull",
    "isNotNull",
    "isEmpty",
    "isNotEmpty",
    "isNullOrEmpty",
    "exists",
    "notExists",
    "isKind",
    "isAPIVersion",
    "matchRegex",
    "notMatchRegex",
    "matchRegexRaw",
    "notMatchRegexRaw",
    "hasDocuments",
    "lengthEqual",
    "failedTemplate",
    "notFailedTemplate",
    "containsDocument",
    "isSubset",
];

/// Checks `assert`; `Err` says why it failed.
pub fn check(assert: &Assert, r: &Rendered) -> Result<(), String> {
    let outcome = check_plain(assert, r);
    match (assert.not, outcome) {
        (false, result) => result,
        (true, Ok(())) => Err(format!(
            "{} held, but `not: true` expects it not to",
            assert.kind
        )),
        (true, Err(_)) => Ok(()),
    }
}

fn arg<'a>(a: &'a Assert, name: &str) -> Result<&'a Value, String> {
    a.args
        .get(name)
        .ok_or_else(|| format!("{} needs `{name}`", a.kind))
}

fn str_arg<'a>(a: &'a Assert, name: &str) -> Result<&'a str, String> {
    arg(a, name)?
        .as_str()
        .ok_or_else(|| format!("{}: `{name}` must be a string", a.kind))
}

fn check_plain(a: &Assert, r: &Rendered) -> Result<(), String> {
    if a.kind == "failedTemplate" {
        let Some(error) = &r.error else {
            return Err("rendering succeeded, but a failure was expected".into());
        };
        let message = strip_execution_prefix(error);
        if let Some(want) = a.args.get("errorMessage").and_then(Value::as_str) {
            return if message == want || error == want {
                Ok(())
            } else {
                Err(format!("error {error:?}, expected {want:?}"))
            };
        }
        if let Some(pattern) = a.args.get("errorPattern").and_then(Value::as_str) {
            return regex(pattern)?
                .is_match(error)
                .then_some(())
                .ok_or(format!("error {error:?} does not match {pattern:?}"));
        }
        return Ok(());
    }
    if let Some(error) = &r.error {
        return Err(format!("rendering failed: {error}"));
    }
    if a.kind == "notFailedTemplate" {
        return Ok(());
    }
    match a.kind.as_str() {
        "hasDocuments" => {
            let want = arg(a, "count")?
                .as_u64()
                .ok_or("hasDocuments: count must be a number")? as usize;
            if r.docs.len() == want {
                Ok(())
            } else {
                Err(format!("{} documents, expected {want}", r.docs.len()))
            }
        }
        "matchRegexRaw" | "notMatchRegexRaw" => {
            let hit = regex(str_arg(a, "pattern")?)?.is_match(&r.raw);
            if hit == (a.kind == "matchRegexRaw") {
                Ok(())
            } else {
                Err(format!(
                    "raw output {} {:?}",
                    if hit { "matches" } else { "does not match" },
                    str_arg(a, "pattern")?
                ))
            }
        }
        "containsDocument" => {
            let found = r.docs.iter().any(|d| {
                ["kind", "apiVersion"]
                    .iter()
                    .all(|k| a.args.get(*k).is_none_or(|v| d.get(*k) == Some(v)))
                    && ["name", "namespace"].iter().all(|k| {
                        a.args
                            .get(*k)
                            .is_none_or(|v| d.pointer(&format!("/metadata/{k}")) == Some(v))
                    })
            });
            if found {
                Ok(())
            } else {
                Err("no document matches".into())
            }
        }
        _ => {
            if r.docs.is_empty() {
                return Err("the template rendered no document".into());
            }
            r.docs.iter().enumerate().try_for_each(|(i, d)| {
                check_document(a, d).map_err(|e| format!("document {i}: {e}"))
            })
        }
    }
}

/// helm-unittest compares `errorMessage` with the message after Helm's `execution error at (...): `.
fn strip_execution_prefix(error: &str) -> &str {
    match error.find("): ") {
        Some(at) if error.contains("execution error at (") => &error[at + 3..],
        _ => error,
    }
}

fn regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern).map_err(|e| format!("bad pattern {pattern:?}: {e}"))
}

fn at<'a>(a: &Assert, doc: &'a Value) -> Result<Vec<&'a Value>, String> {
    Ok(path::lookup(doc, &path::parse(str_arg(a, "path")?)?))
}

fn check_document(a: &Assert, doc: &Value) -> Result<(), String> {
    let found = || at(a, doc);
    let path = || {
        a.args
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match a.kind.as_str() {
        "equal" | "notEqual" => {
            let want = arg(a, "value")?;
            let got = found()?;
            if got.is_empty() {
                return if a.kind == "notEqual" {
                    Ok(())
                } else {
                    Err(format!("{} not found", path()))
                };
            }
            let all_equal = got.iter().all(|v| same(v, want));
            if all_equal == (a.kind == "equal") {
                Ok(())
            } else {
                Err(format!(
                    "{} is {}, expected {}{want}",
                    path(),
                    show(&got),
                    if a.kind == "equal" { "" } else { "not " }
                ))
            }
        }
        "contains" | "notContains" => {
            let content = arg(a, "content")?;
            let any = a.args.get("any").and_then(Value::as_bool).unwrap_or(false);
            let got = found()?;
            let list = got
                .first()
                .and_then(|v| v.as_array())
                .ok_or_else(|| format!("{} is not a list: {}", path(), show(&got)))?;
            let hits = list
                .iter()
                .filter(|e| {
                    if any {
                        subset(content, e)
                    } else {
                        same(e, content)
                    }
                })
                .count();
            let ok = match (a.kind.as_str(), a.args.get("count").and_then(Value::as_u64)) {
                ("contains", Some(n)) => hits as u64 == n,
                ("contains", None) => hits > 0,
                _ => hits == 0,
            };
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{} = {} and {content}: {hits} matches",
                    path(),
                    show(&got)
                ))
            }
        }
        "isNull" | "isNotNull" => {
            let null = found()?.iter().all(|v| v.is_null());
            if null == (a.kind == "isNull") {
                Ok(())
            } else {
                Err(format!("{} is {}", path(), show(&found()?)))
            }
        }
        "isEmpty" | "isNullOrEmpty" | "isNotEmpty" => {
            let empty = found()?.iter().all(|v| is_empty(v));
            if empty == (a.kind != "isNotEmpty") {
                Ok(())
            } else {
                Err(format!("{} is {}", path(), show(&found()?)))
            }
        }
        "exists" | "notExists" => {
            let exists = !found()?.is_empty();
            if exists == (a.kind == "exists") {
                Ok(())
            } else {
                Err(format!(
                    "{} {}",
                    path(),
                    if exists { "exists" } else { "does not exist" }
                ))
            }
        }
        "isKind" | "isAPIVersion" => {
            let field = if a.kind == "isKind" {
                "kind"
            } else {
                "apiVersion"
            };
            let want = arg(a, "of")?;
            if doc.get(field) == Some(want) {
                Ok(())
            } else {
                Err(format!("{field} is {:?}, expected {want}", doc.get(field)))
            }
        }
        "matchRegex" | "notMatchRegex" => {
            let re = regex(str_arg(a, "pattern")?)?;
            let got = found()?;
            let text = got
                .first()
                .and_then(|v| v.as_str())
                .ok_or_else(|| format!("{} is not a string: {}", path(), show(&got)))?;
            if re.is_match(text) == (a.kind == "matchRegex") {
                Ok(())
            } else {
                Err(format!(
                    "{} = {text:?} and pattern {:?}",
                    path(),
                    re.as_str()
                ))
            }
        }
        "lengthEqual" => {
            let want = arg(a, "count")?
                .as_u64()
                .ok_or("lengthEqual: count must be a number")? as usize;
            let got = found()?;
            let len = got
                .first()
                .map(|v| {
                    v.as_array()
                        .map_or(v.as_object().map_or(0, |m| m.len()), Vec::len)
                })
                .unwrap_or(0);
            if len == want {
                Ok(())
            } else {
                Err(format!("{} has {len} items, expected {want}", path()))
            }
        }
        "isSubset" => {
            let content = arg(a, "content")?;
            let got = found()?;
            if got.first().is_some_and(|v| subset(content, v)) {
                Ok(())
            } else {
                Err(format!(
                    "{} = {} does not include {content}",
                    path(),
                    show(&got)
                ))
            }
        }
        other => Err(format!("unknown assert kind {other:?}")),
    }
}

fn show(values: &[&Value]) -> String {
    match values {
        [] => "absent".into(),
        [one] => one.to_string(),
        many => format!("{many:?}"),
    }
}

/// Equality where numbers compare by value (`8000` and `8000.0` are equal, as in YAML).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// True when every key of `part` is in `whole` with a value that `part`'s value is a subset of.
pub fn subset(part: &Value, whole: &Value) -> bool {
    match (part, whole) {
        (Value::Object(p), Value::Object(w)) => p
            .iter()
            .all(|(k, v)| w.get(k).is_some_and(|wv| subset(v, wv))),
        _ => same(part, whole),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}
