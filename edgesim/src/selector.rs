//! Label selectors (`labelSelector=`) and the `metadata.name` field selector.
//!
//! Label selector syntax as in Kubernetes: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
//! joined by commas.

use serde_json::Value;

use crate::status::{Error, Result};

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// A parsed label selector; an empty one matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Vec<Requirement>);

impl Labels {
    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses a selector string.
    pub fn parse(text: &str) -> Result<Self> {
        let mut reqs = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            reqs.push(parse_term(term)?);
        }
        Ok(Self(reqs))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::Absent(k) => get(k).is_none(),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn parse_term(term: &str) -> Result<Requirement> {
    let bad = || Error::BadRequest(format!("unable to parse requirement: {term:?}"));
    if let Some(key) = term.strip_prefix('!') {
        return Ok(Requirement::Absent(key.trim().to_string()));
    }
    if let Some((k, v)) = term.split_once("!=") {
        return Ok(Requirement::NotIn(k.trim().into(), vec![v.trim().into()]));
    }
    if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
        return Ok(Requirement::In(k.trim().into(), vec![v.trim().into()]));
    }
    let words: Vec<&str> = term.splitn(2, char::is_whitespace).collect();
    if words.len() == 1 {
        return Ok(Requirement::Exists(words[0].to_string()));
    }
    let key = words[0].to_string();
    let rest = words[1].trim();
    let (op, list) = rest
        .split_once(char::is_whitespace)
        .or_else(|| rest.split_once('(').map(|(o, _)| (o, &rest[o.len()..])))
        .ok_or_else(bad)?;
    let list = list
        .trim()
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
        .ok_or_else(bad)?;
    let values = list
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    match op.trim() {
        "in" => Ok(Requirement::In(key, values)),
        "notin" => Ok(Requirement::NotIn(key, values)),
        _ => Err(bad()),
    }
}

/// A field selector; only `metadata.name` (and `metadata.namespace`) with `=`, `==` or `!=` are supported.
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, bool, String)>);

impl Fields {
    /// Whether the selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses a field selector string.
    pub fn parse(text: &str) -> Result<Self> {
        let mut out = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, eq, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (f, true, v)
            } else {
                return Err(Error::BadRequest(format!(
                    "invalid field selector {term:?}"
                )));
            };
            if !matches!(field.trim(), "metadata.name" | "metadata.namespace") {
                return Err(Error::BadRequest(format!(
                    "field label not supported: {}",
                    field.trim()
                )));
            }
            out.push((field.trim().to_string(), eq, value.trim().to_string()));
        }
        Ok(Self(out))
    }

    /// Whether the object satisfies every term.
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(field, eq, value)| {
            let key = field.trim_start_matches("metadata.");
            let actual = obj["metadata"][key].as_str().unwrap_or("");
            (actual == value) == *eq
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "a", "labels": labels}})
    }

    #[test]
    fn every_label_operator_matches_as_kubernetes_does() {
        let o = obj(json!({"app": "web", "tier": "front"}));
        let yes = [
            "app=web",
            "app==web",
            "app!=db",
            "app in (web, db)",
            "app notin (db)",
            "tier",
            "!missing",
            "app=web,tier in (front)",
            "missing notin (x)",
        ];
        for s in yes {
            assert!(Labels::parse(s).unwrap().matches(&o), "{s}");
        }
        let no = [
            "app=db",
            "app!=web",
            "app in (db)",
            "app notin (web,db)",
            "missing",
            "!tier",
        ];
        for s in no {
            assert!(!Labels::parse(s).unwrap().matches(&o), "{s}");
        }
    }

    #[test]
    fn field_selector_on_name_matches_and_other_fields_are_rejected() {
        let o = obj(json!({}));
        assert!(Fields::parse("metadata.name=a").unwrap().matches(&o));
        assert!(!Fields::parse("metadata.name!=a").unwrap().matches(&o));
        assert!(Fields::parse("spec.nodeName=x").is_err());
    }
}
