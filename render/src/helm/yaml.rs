//! YAML as Helm's `toYaml` writes it and `fromYaml` reads it.
//!
//! Helm marshals through JSON and then go-yaml v2, so the output has a recognisable layout: map keys
//! sorted; two-space indentation; list items at the indentation of their key (`key:\n- a`); whole floats
//! as integers; and strings quoted only when YAML would read them as something else. A multi-line string
//! becomes a literal block (`|-`, `|`, or `|+` for its trailing newlines). `toYaml` drops the final newline.

use crate::template::{Value, fmt};

/// `toYaml`: the YAML of `value`, without the final newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Map(m) if !m.is_empty() => write_map(&mut out, value, 0),
        Value::List(l) if !l.is_empty() => write_list(&mut out, value, 0),
        scalar => {
            out.push_str(&scalar_text(scalar, 0));
            out.push('\n');
        }
    }
    // Helm trims exactly one trailing newline.
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_block(v: &Value) -> bool {
    matches!(v, Value::Map(m) if !m.is_empty()) || matches!(v, Value::List(l) if !l.is_empty())
}

fn write_map(out: &mut String, value: &Value, indent: usize) {
    let Value::Map(m) = value else { return };
    for (i, (key, v)) in m.entries().into_iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&quote_if_needed(&key));
        out.push(':');
        match &v {
            Value::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                pad(out, indent + 2);
                write_map(out, &v, indent + 2);
            }
            Value::List(inner) if !inner.is_empty() => {
                out.push('\n');
                pad(out, indent);
                write_list(out, &v, indent);
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn write_list(out: &mut String, value: &Value, indent: usize) {
    let Value::List(items) = value else { return };
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        if is_block(item) {
            match item {
                Value::Map(_) => write_map(out, item, indent + 2),
                _ => write_list(out, item, indent + 2),
            }
        } else {
            out.push_str(&scalar_text(item, indent + 2));
            out.push('\n');
        }
    }
}

/// A scalar (or an empty collection) as YAML text; `indent` is where a literal block's lines start.
fn scalar_text(v: &Value, indent: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => json_number(*f),
        Value::String(s) if s.contains('\n') && !s.contains('\r') && is_printable(s) => {
            literal_block(s, indent)
        }
        Value::String(s) => quote_if_needed(s),
        Value::List(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
        Value::Object(_) | Value::Func(_) => quote_if_needed(&fmt::display(v)),
    }
}

/// How Go's `encoding/json` writes a float64, which is what go-yaml then sees.
pub fn json_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go: exponent form with at least two exponent digits, e.g. 1e-07, 1e+21.
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        let exp: i32 = exp.parse().expect("exponent");
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

fn literal_block(s: &str, indent: usize) -> String {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let indicator = if s.starts_with(' ') { "2" } else { "" };
    let mut out = format!("|{indicator}{chomp}");
    let body = if trailing == 1 {
        &s[..s.len() - 1]
    } else {
        s.trim_end_matches('\n')
    };
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(&mut out, indent);
            out.push_str(line);
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

fn is_printable(s: &str) -> bool {
    s.chars().all(|c| c == '\n' || c == '\t' || !c.is_control())
}

/// Words YAML 1.1 reads as booleans or null, which go-yaml quotes.
const RESERVED: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "",
];

/// A string as go-yaml v2 writes it: plain when YAML reads it back as the same string; double-quoted when it
/// would read as another type (`"true"`, `"8080"`, `""`) or holds control characters; otherwise
/// single-quoted (`'{{ x }}'`, `'a: b'`), with `'` doubled.
pub fn quote_if_needed(s: &str) -> String {
    if RESERVED.contains(&s)
        || looks_numeric(s)
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
    {
        double_quoted(s)
    } else if needs_quotes(s) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        s.to_owned()
    }
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    // Every numeric form below starts, underscores aside, with a digit or a dot; most strings do not,
    // and this spares them the copies.
    match t.chars().find(|&c| c != '_') {
        Some(c) if c.is_ascii_digit() || c == '.' => {}
        _ => return false,
    }
    let lower = t.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | ".nan") {
        return true;
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit() || c == '_');
    }
    if let Some(oct) = lower.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c) || c == '_');
    }
    let digits = t.replace('_', "");
    digits.parse::<f64>().is_ok() && digits.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.')
        // Sexagesimal integers (YAML 1.1), e.g. 1:20.
        || (t.contains(':') && t.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())))
}

fn needs_quotes(s: &str) -> bool {
    if RESERVED.contains(&s) || looks_numeric(s) {
        return true;
    }
    let first = s.chars().next().expect("empty strings are reserved");
    if first.is_whitespace() || s.ends_with(char::is_whitespace) {
        return true;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first)
        || (first == '-' && (s.len() == 1 || s[1..].starts_with(' ')))
    {
        return true;
    }
    if s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains('\n')
        || s.contains('\t')
    {
        return true;
    }
    s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `fromYaml`: parses YAML as Helm does (through JSON, so every number is a float).
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let yaml: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
    Ok(Value::from(crate::values::yaml_to_json(yaml)))
}

/// Converts JSON to a template value with every number a float, as Helm's YAML and JSON readers give.
pub fn floats(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::Array(a) => Value::list(a.iter().map(floats).collect()),
        serde_json::Value::Object(o) => {
            Value::Map(o.iter().map(|(k, v)| (k.clone(), floats(v))).collect())
        }
        other => Value::from(other),
    }
}

#[cfg(test)]
mod tests;
