//! Helm's `--set` syntax (its `strvals` parser), which EMCO uses for a DIG's `overrideValues`.
//!
//! - `name=value` pairs, separated by `,`;
//! - nested keys with `.`: `image.tag=2.0`;
//! - list elements with `[i]`, nested further with `.` or `[j]`: `ports[0].name=http`;
//! - a list value in braces: `args={a,b,c}`;
//! - `\` makes the next character literal: `nodeSelector.kubernetes\.io/os=linux`;
//! - typing: `true`/`false` (any case) are booleans, `null` is null (which deletes the key when layered),
//!   integers without a leading zero are int64, and everything else is a string. [`apply_strings`] keeps
//!   every value a string, as `--set-string` does.

use serde_json::{Map, Value};

/// Helm refuses list indexes above this.
pub const MAX_INDEX: usize = 65_536;

/// A `--set` expression is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--set {expr:?}: {message}")]
pub struct Error {
    /// The whole expression.
    pub expr: String,
    /// What is wrong.
    pub message: String,
}

/// Applies `expr` (such as `a.b=1,c[0]=x`) to `values`, typing values as Helm's `--set` does.
pub fn apply(values: &mut Value, expr: &str) -> Result<(), Error> {
    run(values, expr, false)
}

/// Applies `expr` keeping every value a string, as Helm's `--set-string` does.
pub fn apply_strings(values: &mut Value, expr: &str) -> Result<(), Error> {
    run(values, expr, true)
}

fn run(values: &mut Value, expr: &str, strings: bool) -> Result<(), Error> {
    if !values.is_object() {
        *values = Value::Object(Map::new());
    }
    let Value::Object(map) = values else {
        unreachable!("made a map above")
    };
    let mut parser = Parser {
        chars: expr.chars().collect(),
        at: 0,
        strings,
    };
    parser.top(map).map_err(|message| Error {
        expr: expr.to_owned(),
        message,
    })
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    strings: bool,
}

type Result<T, E = String> = std::result::Result<T, E>;

impl Parser {
    fn top(&mut self, map: &mut Map<String, Value>) -> Result<()> {
        while self.at < self.chars.len() {
            self.key(map)?;
        }
        Ok(())
    }

    /// Reads up to (and consumes) the first unescaped stop character; `None` at the end.
    fn until(&mut self, stops: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        while let Some(&c) = self.chars.get(self.at) {
            self.at += 1;
            if c == '\\' {
                if let Some(&next) = self.chars.get(self.at) {
                    out.push(next);
                    self.at += 1;
                }
                continue;
            }
            if stops.contains(&c) {
                return (out, Some(c));
            }
            out.push(c);
        }
        (out, None)
    }

    fn key(&mut self, map: &mut Map<String, Value>) -> Result<()> {
        let (key, stop) = self.until(&['=', '[', ',', '.']);
        match stop {
            None if key.is_empty() => Ok(()),
            None => Err(format!("key {key:?} has no value")),
            Some(',') => Err(format!("key {key:?} has no value (cannot end with ,)")),
            Some(_) if key.is_empty() => Err("a key is empty".to_owned()),
            Some('=') => {
                let value = self.value()?;
                map.insert(key, value);
                Ok(())
            }
            Some('.') => {
                let mut inner = match map.remove(&key) {
                    Some(Value::Object(m)) => m,
                    _ => Map::new(),
                };
                let result = self.key(&mut inner);
                map.insert(key, Value::Object(inner));
                result
            }
            Some('[') => {
                let index = self.index()?;
                let list = match map.remove(&key) {
                    Some(Value::Array(l)) => l,
                    _ => Vec::new(),
                };
                let list = self.list_item(list, index)?;
                map.insert(key, Value::Array(list));
                Ok(())
            }
            Some(other) => unreachable!("not a stop character: {other}"),
        }
    }

    fn index(&mut self) -> Result<usize> {
        let (text, stop) = self.until(&[']']);
        if stop.is_none() {
            return Err(format!("list index {text:?} is missing its ']'"));
        }
        let index: usize = text
            .trim()
            .parse()
            .map_err(|_| format!("list index {text:?} is not a whole number"))?;
        if index > MAX_INDEX {
            return Err(format!(
                "list index {index} is above Helm's limit of {MAX_INDEX}"
            ));
        }
        Ok(index)
    }

    fn list_item(&mut self, mut list: Vec<Value>, index: usize) -> Result<Vec<Value>> {
        if list.len() <= index {
            list.resize(index + 1, Value::Null);
        }
        let (rest, stop) = self.until(&['[', '.', '=']);
        if !rest.is_empty() {
            return Err(format!("unexpected {rest:?} after a list index"));
        }
        match stop {
            None => Err("a list index must be followed by '=', '.' or '['".to_owned()),
            Some('=') => {
                list[index] = self.value()?;
                Ok(list)
            }
            Some('.') => {
                let mut inner = match std::mem::take(&mut list[index]) {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                let result = self.key(&mut inner);
                list[index] = Value::Object(inner);
                result.map(|()| list)
            }
            Some('[') => {
                let nested = self.index()?;
                let inner = match std::mem::take(&mut list[index]) {
                    Value::Array(l) => l,
                    _ => Vec::new(),
                };
                list[index] = Value::Array(self.list_item(inner, nested)?);
                Ok(list)
            }
            Some(other) => unreachable!("not a stop character: {other}"),
        }
    }

    /// A value after `=`: `{a,b}` for a list, else up to the next `,`.
    fn value(&mut self) -> Result<Value> {
        if self.chars.get(self.at) == Some(&'{') {
            self.at += 1;
            let (inner, stop) = self.until(&['}']);
            if stop.is_none() {
                return Err("a list value is missing its '}'".to_owned());
            }
            match self.until(&[',']) {
                (rest, _) if !rest.is_empty() => {
                    return Err(format!("unexpected {rest:?} after a list value"));
                }
                _ => {}
            }
            if inner.is_empty() {
                return Ok(Value::Array(Vec::new()));
            }
            return Ok(Value::Array(
                inner.split(',').map(|v| self.typed(v)).collect(),
            ));
        }
        let (text, _) = self.until(&[',']);
        Ok(self.typed(&text))
    }

    fn typed(&self, text: &str) -> Value {
        if self.strings {
            return Value::String(text.to_owned());
        }
        if text.eq_ignore_ascii_case("true") {
            return Value::Bool(true);
        }
        if text.eq_ignore_ascii_case("false") {
            return Value::Bool(false);
        }
        if text.eq_ignore_ascii_case("null") {
            return Value::Null;
        }
        if text == "0" {
            return Value::from(0i64);
        }
        if !text.starts_with('0')
            && let Ok(n) = text.parse::<i64>()
        {
            return Value::from(n);
        }
        Value::String(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn set(expr: &str) -> Value {
        let mut v = json!({});
        apply(&mut v, expr).unwrap();
        v
    }

    #[test]
    fn values_are_typed_as_helm_types_them() {
        assert_eq!(
            set("a=true,b=FALSE,c=null,d=42,e=007,f=1.5,g=0,h=,i=-3"),
            json!({"a": true, "b": false, "c": null, "d": 42, "e": "007", "f": "1.5", "g": 0, "h": "", "i": -3})
        );
        let mut v = json!({});
        apply_strings(&mut v, "a=true,b=42").unwrap();
        assert_eq!(v, json!({"a": "true", "b": "42"}));
    }

    #[test]
    fn dots_nest_and_backslash_escapes() {
        assert_eq!(
            set("service.type=NodePort"),
            json!({"service": {"type": "NodePort"}})
        );
        assert_eq!(
            set(r"nodeSelector.kubernetes\.io/os=linux"),
            json!({"nodeSelector": {"kubernetes.io/os": "linux"}})
        );
        assert_eq!(set(r"msg=a\,b"), json!({"msg": "a,b"}));
    }

    #[test]
    fn list_indexes_and_list_values() {
        assert_eq!(
            set("ports[1].name=http"),
            json!({"ports": [null, {"name": "http"}]})
        );
        assert_eq!(set("m[0][1]=x"), json!({"m": [[null, "x"]]}));
        assert_eq!(set("args={a,2,true}"), json!({"args": ["a", 2, true]}));
        assert_eq!(set("args={}"), json!({"args": []}));
        assert_eq!(set("a[0]=x,a[1]=y"), json!({"a": ["x", "y"]}));
    }

    #[test]
    fn setting_over_existing_values_keeps_siblings() {
        let mut v =
            json!({"image": {"repo": "nginx", "tag": "1"}, "ports": [{"name": "a", "port": 80}]});
        apply(&mut v, "image.tag=2,ports[0].port=8080").unwrap();
        assert_eq!(
            v,
            json!({"image": {"repo": "nginx", "tag": 2}, "ports": [{"name": "a", "port": 8080}]})
        );
    }

    #[test]
    fn malformed_expressions_say_what_is_wrong() {
        let mut v = json!({});
        for (bad, says) in [
            ("a", "has no value"),
            ("a,b=1", "cannot end with ,"),
            ("a[x]=1", "not a whole number"),
            ("a[70000]=1", "limit"),
            ("a[0", "missing its ']'"),
            ("a={b,c", "missing its '}'"),
            ("=1", "empty"),
            ("a[0]", "must be followed"),
        ] {
            let err = apply(&mut v, bad).unwrap_err();
            assert!(err.message.contains(says), "{bad:?}: {err}");
        }
    }
}
