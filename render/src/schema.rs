//! `values.schema.json`: Helm checks the final values of each chart against its schema before rendering.
//!
//! The validator covers the JSON Schema keywords charts use: `type` (one or a list), `enum`, `const`,
//! `properties`, `patternProperties`, `additionalProperties`, `required`, `minimum`, `maximum`,
//! `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minLength`, `maxLength`, `pattern`, `items`,
//! `minItems`, `maxItems`, `uniqueItems`, `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`,
//! and local `$ref`s (`#/...`, including `$defs` and `definitions`). Other keywords (`format`, `default`,
//! `description`, ...) are annotations and are not checked. Since values files give every number as a float,
//! `integer` accepts any number without a fractional part, as Helm does. Violations read as Helm 3.18's
//! (`- at '/image/digest': 'x' does not match pattern '^sha256:...'`).

use serde_json::Value;

/// One way the values break the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer of the value, e.g. `/deployment/replicas`; empty for the top.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The values of a chart break its schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("values don't meet the specifications of the schema(s) in the following chart(s):\n{chart}:\n{}", list(.violations))]
pub struct Error {
    /// The chart.
    pub chart: String,
    /// Every violation found.
    pub violations: Vec<Violation>,
}

fn list(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("- at '{}': {}", v.path, v.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks `values` against `schema`; the error lists every violation.
pub fn validate(chart: &str, schema: &Value, values: &Value) -> Result<(), Error> {
    let mut violations = Vec::new();
    Checker {
        root: schema,
        depth: 0,
    }
    .check(schema, values, &mut Vec::new(), &mut violations);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Error {
            chart: chart.to_owned(),
            violations,
        })
    }
}

struct Checker<'a> {
    root: &'a Value,
    depth: usize,
}

/// Deeper `$ref` chains than this are taken to be cycles.
const MAX_DEPTH: usize = 64;

fn dotted(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    let actual = type_name(v);
    actual == t || (t == "number" && actual == "integer")
}

impl<'a> Checker<'a> {
    fn check(
        &mut self,
        schema: &Value,
        value: &Value,
        path: &mut Vec<String>,
        out: &mut Vec<Violation>,
    ) {
        let Value::Object(s) = schema else {
            if schema == &Value::Bool(false) {
                out.push(Violation {
                    path: dotted(path),
                    message: "no value is allowed here".into(),
                });
            }
            return;
        };
        let mut fail = |message: String| {
            out.push(Violation {
                path: dotted(path),
                message,
            })
        };
        if let Some(Value::String(r)) = s.get("$ref") {
            match self.resolve(r) {
                Some(target) if self.depth < MAX_DEPTH => {
                    self.depth += 1;
                    self.check(target, value, path, out);
                    self.depth -= 1;
                }
                Some(_) => fail(format!("$ref {r} nests too deeply")),
                None => fail(format!("$ref {r} cannot be resolved")),
            }
            return;
        }
        let mut fail = |message: String| {
            out.push(Violation {
                path: dotted(path),
                message,
            })
        };
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
                fail(format!(
                    "got {}, want {}",
                    type_name(value),
                    types.join(" or ")
                ));
                return;
            }
        }
        if let Some(Value::Array(options)) = s.get("enum")
            && !options.contains(value)
        {
            let choices: Vec<String> = options.iter().map(shown).collect();
            fail(format!("value must be one of {}", choices.join(", ")));
        }
        if let Some(c) = s.get("const")
            && c != value
        {
            fail(format!("value must be {}", shown(c)));
        }
        match value {
            Value::Number(n) => self.number(s, n.as_f64().unwrap_or(0.0), &mut fail),
            Value::String(text) => Self::string(s, text, &mut fail),
            _ => {}
        }
        if let Value::Array(items) = value {
            self.array(s, items, path, out);
        }
        if let Value::Object(map) = value {
            self.object(s, map, path, out);
        }
        self.combinators(s, value, path, out);
    }

    fn number(&self, s: &serde_json::Map<String, Value>, n: f64, fail: &mut impl FnMut(String)) {
        let bound = |k: &str| s.get(k).and_then(Value::as_f64);
        if let Some(min) = bound("minimum").filter(|m| n < *m) {
            fail(format!("must be >= {min} but found {n}"));
        }
        if let Some(max) = bound("maximum").filter(|m| n > *m) {
            fail(format!("must be <= {max} but found {n}"));
        }
        if let Some(min) = bound("exclusiveMinimum").filter(|m| n <= *m) {
            fail(format!("must be > {min} but found {n}"));
        }
        if let Some(max) = bound("exclusiveMaximum").filter(|m| n >= *m) {
            fail(format!("must be < {max} but found {n}"));
        }
        if let Some(m) = bound("multipleOf").filter(|m| *m > 0.0 && (n / m).fract() != 0.0) {
            fail(format!("{n} not multipleOf {m}"));
        }
    }

    fn string(s: &serde_json::Map<String, Value>, text: &str, fail: &mut impl FnMut(String)) {
        let len = text.chars().count() as u64;
        if let Some(min) = s
            .get("minLength")
            .and_then(Value::as_u64)
            .filter(|m| len < *m)
        {
            fail(format!("length must be >= {min}, but got {len}"));
        }
        if let Some(max) = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .filter(|m| len > *m)
        {
            fail(format!("length must be <= {max}, but got {len}"));
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            match crate::regex_cache::compile(p) {
                Ok(re) if !re.is_match(text) => {
                    fail(format!("'{text}' does not match pattern '{p}'"))
                }
                Err(e) => fail(format!("the schema's pattern '{p}' is invalid: {e}")),
                Ok(_) => {}
            }
        }
    }

    fn array(
        &mut self,
        s: &serde_json::Map<String, Value>,
        items: &[Value],
        path: &mut Vec<String>,
        out: &mut Vec<Violation>,
    ) {
        let len = items.len() as u64;
        let here = dotted(path);
        if let Some(min) = s
            .get("minItems")
            .and_then(Value::as_u64)
            .filter(|m| len < *m)
        {
            out.push(Violation {
                path: here.clone(),
                message: format!("minItems: got {len}, want {min}"),
            });
        }
        if let Some(max) = s
            .get("maxItems")
            .and_then(Value::as_u64)
            .filter(|m| len > *m)
        {
            out.push(Violation {
                path: here.clone(),
                message: format!("maxItems: got {len}, want {max}"),
            });
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true))
            && items
                .iter()
                .enumerate()
                .any(|(i, a)| items[..i].contains(a))
        {
            out.push(Violation {
                path: here,
                message: "items must be unique".into(),
            });
        }
        if let Some(item_schema) = s.get("items").filter(|i| i.is_object() || i.is_boolean()) {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                self.check(item_schema, item, path, out);
                path.pop();
            }
        }
    }

    fn object(
        &mut self,
        s: &serde_json::Map<String, Value>,
        map: &serde_json::Map<String, Value>,
        path: &mut Vec<String>,
        out: &mut Vec<Violation>,
    ) {
        if let Some(Value::Array(required)) = s.get("required") {
            for key in required
                .iter()
                .filter_map(Value::as_str)
                .filter(|k| !map.contains_key(*k))
            {
                out.push(Violation {
                    path: dotted(path),
                    message: format!("missing property '{key}'"),
                });
            }
        }
        let count = map.len() as u64;
        if let Some(min) = s
            .get("minProperties")
            .and_then(Value::as_u64)
            .filter(|m| count < *m)
        {
            out.push(Violation {
                path: dotted(path),
                message: format!("minProperties: got {count}, want {min}"),
            });
        }
        if let Some(max) = s
            .get("maxProperties")
            .and_then(Value::as_u64)
            .filter(|m| count > *m)
        {
            out.push(Violation {
                path: dotted(path),
                message: format!("maxProperties: got {count}, want {max}"),
            });
        }
        let properties = s.get("properties").and_then(Value::as_object);
        let patterns: Vec<(regex::Regex, &Value)> = s
            .get("patternProperties")
            .and_then(Value::as_object)
            .map(|p| {
                p.iter()
                    .filter_map(|(k, v)| crate::regex_cache::compile(k).ok().map(|re| (re, v)))
                    .collect()
            })
            .unwrap_or_default();
        for (key, value) in map {
            path.push(key.clone());
            let mut matched = false;
            if let Some(prop) = properties.and_then(|p| p.get(key)) {
                matched = true;
                self.check(prop, value, path, out);
            }
            for (re, prop) in &patterns {
                if re.is_match(key) {
                    matched = true;
                    self.check(prop, value, path, out);
                }
            }
            if !matched {
                match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        path.pop();
                        out.push(Violation {
                            path: dotted(path),
                            message: format!("additional properties '{key}' not allowed"),
                        });
                        continue;
                    }
                    Some(extra @ Value::Object(_)) => self.check(extra, value, path, out),
                    _ => {}
                }
            }
            path.pop();
        }
    }

    fn combinators(
        &mut self,
        s: &serde_json::Map<String, Value>,
        value: &Value,
        path: &mut Vec<String>,
        out: &mut Vec<Violation>,
    ) {
        if let Some(Value::Array(all)) = s.get("allOf") {
            for sub in all {
                self.check(sub, value, path, out);
            }
        }
        let passing = |checker: &mut Self, subs: &[Value], path: &mut Vec<String>| {
            subs.iter()
                .filter(|sub| {
                    let mut scratch = Vec::new();
                    checker.check(sub, value, path, &mut scratch);
                    scratch.is_empty()
                })
                .count()
        };
        if let Some(Value::Array(any)) = s.get("anyOf")
            && passing(self, any, path) == 0
        {
            out.push(Violation {
                path: dotted(path),
                message: "anyOf failed".into(),
            });
        }
        if let Some(Value::Array(one)) = s.get("oneOf") {
            let n = passing(self, one, path);
            if n != 1 {
                out.push(Violation {
                    path: dotted(path),
                    message: format!("oneOf failed: {n} subschemas matched, want 1"),
                });
            }
        }
        if let Some(not) = s.get("not")
            && passing(self, std::slice::from_ref(not), path) == 1
        {
            out.push(Violation {
                path: dotted(path),
                message: "not failed".into(),
            });
        }
    }

    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        // serde_json unescapes `~0` and `~1` in each token itself.
        self.root.pointer(pointer)
    }
}

#[cfg(test)]
mod tests;
