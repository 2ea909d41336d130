//! Go's `encoding/json` for template values, as Sprig's `toJson`, `toPrettyJson` and `toRawJson` write
//! it, and `json.Unmarshal` into `interface{}` for `fromJson`.

use crate::template::{Value, fmt::display};

use super::args::MAX_DEPTH;

/// How to write JSON.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    /// Escape `<`, `>` and `&` as `\u003c` and so on (Go's default, off for `toRawJson`).
    pub(crate) escape_html: bool,
    /// Indent nested values by two spaces per level (`json.MarshalIndent(v, "", "  ")`).
    pub(crate) pretty: bool,
}

/// `json.Marshal`: keys sorted, Go's float forms; NaN, infinities and functions are errors.
pub(crate) fn encode(v: &Value, style: Style) -> Result<String, String> {
    let mut out = String::new();
    write(&mut out, v, style, 0)?;
    Ok(out)
}

fn newline(out: &mut String, style: Style, depth: usize) {
    if style.pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
}

fn write(out: &mut String, v: &Value, style: Style, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "json: unsupported value: encountered a cycle via {}",
            v.type_name()
        ));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&float(*f)?),
        Value::String(s) => string(out, s, style),
        // Go's encoding/json writes a []byte as base64, and a (binary) string as its text.
        Value::Object(o) if let Some(bytes) = o.bytes() => {
            let text = if o.type_name() == "[]uint8" {
                data_encoding::BASE64.encode(bytes)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            };
            string(out, &text, style)
        }
        Value::Object(_) => match super::dates::as_time(v) {
            // time.Time marshals as RFC 3339 with nanoseconds.
            Some(t) => string(out, &t.format("2006-01-02T15:04:05.999999999Z07:00"), style),
            None => string(out, &display(v), style),
        },
        Value::Func(_) => return Err(format!("json: unsupported type: {}", v.type_name())),
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write(out, item, style, depth + 1)?;
            }
            newline(out, style, depth);
            out.push(']');
        }
        Value::Map(m) => {
            let entries = m.entries();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                string(out, k, style);
                out.push(':');
                if style.pretty {
                    out.push(' ');
                }
                write(out, item, style, depth + 1)?;
            }
            newline(out, style, depth);
            out.push('}');
        }
    }
    Ok(())
}

/// Go's float encoding: shortest digits, `%f` style unless the magnitude is below 1e-6 or at least
/// 1e21, and then with a one-digit negative exponent where Go's `e-07` would have two.
fn float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        let text = match f {
            f if f.is_nan() => "NaN",
            f if f > 0.0 => "+Inf",
            _ => "-Inf",
        };
        return Err(format!("json: unsupported value: {text}"));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        return Ok(match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        });
    }
    Ok(format!("{f}"))
}

fn string(out: &mut String, s: &str, style: Style) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' if style.escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into `interface{}`: every number is a `float64`.
pub(crate) fn decode(text: &str) -> Result<Value, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(from_json(&v))
}

fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))))
        }
        other => Value::from(other),
    }
}
