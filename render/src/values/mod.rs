//! Helm's values: loading, layering and `--set` overrides.
//!
//! Helm layers values in this order, each over the last: the chart's `values.yaml`, then each values file
//! the user gives (for canopy: the app profile's values file), then `--set` overrides (for canopy: the DIG's
//! `overrideValues`). [`coalesce`] merges one layer over another the way Helm does: maps merge key by key,
//! anything else replaces, and a `null` deletes the key beneath it.
//!
//! Helm reads YAML through JSON, so every number in a values file is a float64 (`1000000` prints as
//! `1e+06` unless a template converts it); [`from_yaml`] keeps that. `--set` values are typed by
//! [`set::apply`] as Helm types them: `true`/`false`, `null`, and integers become int64, everything else a
//! string.

pub mod scope;
pub mod set;

use serde_json::{Map, Number, Value};

/// A values document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The YAML does not parse.
    #[error("{what}: invalid YAML: {message}")]
    Yaml {
        /// Which document.
        what: String,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// The top level is not a map.
    #[error("{what}: values must be a map at the top level, not {found}")]
    NotAMap {
        /// Which document.
        what: String,
        /// What it is.
        found: &'static str,
    },
}

/// Reads a values file as Helm does: an empty file is an empty map, and every number is a float.
pub fn from_yaml(text: &str, what: &str) -> Result<Value, Error> {
    let yaml: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| Error::Yaml {
        what: what.to_owned(),
        message: e.to_string(),
    })?;
    let value = yaml_to_json(yaml);
    match value {
        Value::Null => Ok(Value::Object(Map::new())),
        Value::Object(_) => Ok(value),
        other => Err(Error::NotAMap {
            what: what.to_owned(),
            found: kind(&other),
        }),
    }
}

/// YAML to JSON as Helm converts it: numbers become floats, non-string keys their text.
pub fn yaml_to_json(yaml: yaml_serde::Value) -> Value {
    use yaml_serde::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (key_string(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// YAML map keys that are not strings (`1: x`, `true: y`) become their text, as JSON forces.
fn key_string(key: yaml_serde::Value) -> String {
    use yaml_serde::Value as Y;
    match key {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => "null".to_owned(),
        other => yaml_serde::to_string(&other)
            .map(|s| s.trim_end().to_owned())
            .unwrap_or_default(),
    }
}

/// A JSON value's kind, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// Merges `top` over `base` as Helm does: maps merge key by key, a `null` in `top` deletes the key, and
/// any other value in `top` replaces the one in `base`.
pub fn coalesce(base: &mut Value, top: Value) {
    match (base, top) {
        (Value::Object(base), Value::Object(top)) => {
            for (key, value) in top {
                match value {
                    Value::Null => {
                        base.remove(&key);
                    }
                    Value::Object(_) if base.get(&key).is_some_and(Value::is_object) => {
                        coalesce(base.get_mut(&key).expect("checked above"), value);
                    }
                    value => {
                        base.insert(key, without_nulls(value));
                    }
                }
            }
        }
        (base, top) => *base = without_nulls(top),
    }
}

/// A new map from an upper layer carries no `null` keys: there is nothing beneath for them to delete.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests;
