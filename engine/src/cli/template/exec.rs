//! Runs a parsed template against YAML values, the way Go's `text/template` with `missingkey=error` does,
//! and prints values the way Go's `fmt` prints them with `%v`.

use std::cmp::Ordering;

use yaml_serde::Value;

use super::error::{Error, Result};
use super::lex::lex;
use super::parse::{Branch, Expr, Node, Root, parse};

/// Renders `text` as a Go `text/template` with `values` as its data (`.` and `$`).
///
/// A key that the values lack is an error ([`Error::MissingKey`]), not `<no value>`.
pub fn render(text: &str, values: &Value) -> Result<String> {
    let nodes = parse(lex(text)?)?;
    let mut state = State {
        vars: vec![("$".to_owned(), values.clone())],
        out: String::new(),
    };
    state.walk(&nodes, values)?;
    Ok(state.out)
}

struct State {
    /// Variables in scope, innermost last; `$` is first.
    vars: Vec<(String, Value)>,
    out: String,
}

impl State {
    fn walk(&mut self, nodes: &[Node], dot: &Value) -> Result<()> {
        for node in nodes {
            match node {
                Node::Text(text) => self.out.push_str(text),
                Node::Print { expr, line } => {
                    let value = self.eval(expr, dot, *line)?;
                    print(&mut self.out, &value, true);
                }
                Node::Bind {
                    var,
                    expr,
                    declare,
                    line,
                } => self.bind(var, self.eval(expr, dot, *line)?, *declare),
                Node::If {
                    branches,
                    otherwise,
                } => self.walk_if(branches, otherwise, dot)?,
                Node::With { branch, otherwise } => {
                    let value = self.eval(&branch.expr, dot, branch.line)?;
                    if truth(&value) {
                        self.block(&branch.body, &value)?;
                    } else {
                        self.block(otherwise, dot)?;
                    }
                }
                Node::Range {
                    key,
                    value,
                    branch,
                    otherwise,
                } => self.walk_range(key.as_deref(), value.as_deref(), branch, otherwise, dot)?,
            }
        }
        Ok(())
    }

    /// Walks `nodes` in a new variable scope.
    fn block(&mut self, nodes: &[Node], dot: &Value) -> Result<()> {
        let mark = self.vars.len();
        let result = self.walk(nodes, dot);
        self.vars.truncate(mark);
        result
    }

    fn bind(&mut self, var: &str, value: Value, declare: bool) {
        if declare {
            self.vars.push((var.to_owned(), value));
        } else if let Some(slot) = self.vars.iter_mut().rev().find(|(name, _)| name == var) {
            slot.1 = value;
        }
    }

    fn walk_if(&mut self, branches: &[Branch], otherwise: &[Node], dot: &Value) -> Result<()> {
        for branch in branches {
            if truth(&self.eval(&branch.expr, dot, branch.line)?) {
                return self.block(&branch.body, dot);
            }
        }
        self.block(otherwise, dot)
    }

    fn walk_range(
        &mut self,
        key: Option<&str>,
        value: Option<&str>,
        branch: &Branch,
        otherwise: &[Node],
        dot: &Value,
    ) -> Result<()> {
        let collection = self.eval(&branch.expr, dot, branch.line)?;
        let elements: Vec<(Value, Value)> = match untag(&collection) {
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Number((i as u64).into()), v.clone()))
                .collect(),
            Value::Mapping(map) => {
                let mut entries: Vec<_> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                entries.sort_by(|a, b| key_order(&a.0, &b.0));
                entries
            }
            Value::Null => Vec::new(),
            other => {
                return Err(Error::exec(
                    branch.line,
                    format!("range can't iterate over {} ({})", branch.expr, kind(other)),
                ));
            }
        };
        if elements.is_empty() {
            return self.block(otherwise, dot);
        }
        for (k, v) in elements {
            let mark = self.vars.len();
            if let Some(name) = key {
                self.vars.push((name.to_owned(), k));
            }
            if let Some(name) = value {
                self.vars.push((name.to_owned(), v.clone()));
            }
            let result = self.walk(&branch.body, &v);
            self.vars.truncate(mark);
            result?;
        }
        Ok(())
    }

    /// The value of `expr`, with `dot` as `.`.
    fn eval(&self, expr: &Expr, dot: &Value, line: usize) -> Result<Value> {
        let (root, path) = match expr {
            Expr::Literal(value) => return Ok(value.clone()),
            Expr::Field { root, path } => (root, path),
        };
        let mut current = match root {
            Root::Dot => dot,
            Root::Var(name) => self
                .vars
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v)
                .ok_or_else(|| Error::exec(line, format!("undefined variable \"{name}\"")))?,
        };
        for (i, key) in path.iter().enumerate() {
            let owner = || {
                let prefix = Expr::Field {
                    root: root.clone(),
                    path: path[..i].to_vec(),
                };
                prefix.to_string()
            };
            current = match untag(current) {
                Value::Mapping(map) => map.get(key.as_str()).ok_or_else(|| Error::MissingKey {
                    line,
                    key: key.clone(),
                    path: expr.to_string(),
                })?,
                Value::Null => {
                    return Err(Error::exec(
                        line,
                        format!(
                            "cannot read field \"{key}\" of {}: it is empty (null)",
                            owner()
                        ),
                    ));
                }
                other => {
                    return Err(Error::exec(
                        line,
                        format!(
                            "cannot read field \"{key}\" of {}: it is {}",
                            owner(),
                            kind(other)
                        ),
                    ));
                }
            };
        }
        Ok(current.clone())
    }
}

fn untag(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untag(&tagged.value),
        other => other,
    }
}

/// What sort of YAML value `value` is, for error messages ("a list", "a map", ...).
pub(crate) fn kind(value: &Value) -> &'static str {
    match untag(value) {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Go's truth: false, 0, null and empty strings, lists and maps are false.
fn truth(value: &Value) -> bool {
    match untag(value) {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Sequence(items) => !items.is_empty(),
        Value::Mapping(map) => !map.is_empty(),
        Value::Tagged(_) => true,
    }
}

/// Go's order of map keys: numbers by value, everything else by its printed form.
fn key_order(a: &Value, b: &Value) -> Ordering {
    match (untag(a), untag(b)) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        _ => printed(a).cmp(&printed(b)),
    }
}

fn printed(value: &Value) -> String {
    let mut out = String::new();
    print(&mut out, value, false);
    out
}

/// Appends `value` as Go's `%v` prints it. A null prints as `<no value>` at the top (`top`) and `<nil>`
/// inside a list or map, as in Go.
fn print(out: &mut String, value: &Value, top: bool) {
    match untag(value) {
        Value::Null if top => out.push_str("<no value>"),
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&go_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(s),
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print(out, item, false);
            }
            out.push(']');
        }
        Value::Mapping(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| key_order(a.0, b.0));
            out.push_str("map[");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print(out, k, false);
                out.push(':');
                print(out, v, false);
            }
            out.push(']');
        }
        Value::Tagged(tagged) => print(out, &tagged.value, top),
    }
}

/// A float as Go's `%v` prints it: the shortest form, with an exponent below 1e-4 and from 1e21 on.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let abs = f.abs();
    if abs == 0.0 || (1e-4..1e21).contains(&abs) {
        return f.to_string();
    }
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.25), "0.25");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1.5e-5), "1.5e-05");
        assert_eq!(go_float(f64::INFINITY), "+Inf");
    }

    #[test]
    fn lists_and_maps_print_like_go() {
        let value: Value = yaml_serde::from_str("{b: [1, x, null], a: true}").unwrap();
        assert_eq!(printed(&value), "map[a:true b:[1 x <nil>]]");
    }

    #[test]
    fn truth_follows_go() {
        for (yaml, expected) in [
            ("null", false),
            ("false", false),
            ("0", false),
            ("0.0", false),
            ("''", false),
            ("[]", false),
            ("{}", false),
            ("1", true),
            ("x", true),
            ("[0]", true),
            ("{a: 1}", true),
        ] {
            let value: Value = yaml_serde::from_str(yaml).unwrap();
            assert_eq!(truth(&value), expected, "{yaml}");
        }
    }
}
