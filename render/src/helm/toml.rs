//! `toToml`, as Helm writes TOML (the BurntSushi encoder): a table's plain keys first, then its sub-tables
//! as `[a.b]` sections and lists of maps as `[[a.b]]`, each level indented two more spaces; keys sorted;
//! floats keep a decimal point (`8080.0`); nulls are left out.

use crate::template::{Map, Value};

/// `toToml`: the TOML of a map; anything else is an error, as TOML documents are tables.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let Value::Map(map) = v else {
        return Err(format!(
            "toml: top-level values must be maps, not {}",
            v.type_name()
        ));
    };
    let mut out = String::new();
    table(&mut out, &mut Vec::new(), map, 0)?;
    Ok(out)
}

fn is_table_list(v: &Value) -> bool {
    matches!(v, Value::List(items) if !items.is_empty() && items.iter().all(|i| matches!(i, Value::Map(_))))
}

fn table(out: &mut String, path: &mut Vec<String>, map: &Map, depth: usize) -> Result<(), String> {
    let entries = map.entries();
    let indent = "  ".repeat(depth);
    for (key, value) in &entries {
        if matches!(value, Value::Nil | Value::Map(_)) || is_table_list(value) {
            continue;
        }
        out.push_str(&format!("{indent}{} = {}\n", key_text(key), inline(value)?));
    }
    for (key, value) in &entries {
        path.push(key_text(key));
        match value {
            Value::Map(sub) => {
                header(out, &indent, &format!("[{}]", path.join(".")));
                table(out, path, sub, depth + 1)?;
            }
            Value::List(items) if is_table_list(value) => {
                for item in items.iter() {
                    if let Value::Map(sub) = item {
                        header(out, &indent, &format!("[[{}]]", path.join(".")));
                        table(out, path, sub, depth + 1)?;
                    }
                }
            }
            _ => {}
        }
        path.pop();
    }
    Ok(())
}

fn header(out: &mut String, indent: &str, text: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!("{indent}{text}\n"));
}

fn key_text(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        string(key)
    }
}

fn inline(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => "nan".into(),
        Value::Float(f) if f.is_infinite() => {
            if *f > 0.0 {
                "inf".into()
            } else {
                "-inf".into()
            }
        }
        Value::Float(f) => {
            let text = super::yaml::json_number(*f);
            if text.contains(['.', 'e']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        Value::String(s) => string(s),
        Value::List(items) => {
            let parts = items
                .iter()
                .filter(|i| !i.is_nil())
                .map(inline)
                .collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let parts = m
                .entries()
                .iter()
                .filter(|(_, v)| !v.is_nil())
                .map(|(k, v)| Ok(format!("{} = {}", key_text(k), inline(v)?)))
                .collect::<Result<Vec<_>, String>>()?;
            format!("{{{}}}", parts.join(", "))
        }
        Value::Nil => return Err("toml: cannot encode a nil value".into()),
        other => string(&crate::template::fmt::display(other)),
    })
}

fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tables_follow_their_plain_keys_and_indent_by_level() {
        let v = Value::from(json!({
            "name": "traefik", "port": 8080.5, "tags": ["a", "b"], "skip": null,
            "server": {"host": "0.0.0.0", "tls": {"enabled": true}},
            "entry": [{"name": "web"}, {"name": "tls"}],
            "odd key": 1
        }));
        let toml = to_toml(&v).unwrap();
        assert_eq!(
            toml,
            "name = \"traefik\"\n\"odd key\" = 1\nport = 8080.5\ntags = [\"a\", \"b\"]\n\n[[entry]]\n  name = \"web\"\n\n[[entry]]\n  name = \"tls\"\n\n[server]\n  host = \"0.0.0.0\"\n\n  [server.tls]\n    enabled = true\n"
        );
    }

    #[test]
    fn whole_floats_keep_a_decimal_point_and_scalars_are_refused_at_the_top() {
        assert_eq!(
            to_toml(&Value::map([("n", Value::Float(3.0))])).unwrap(),
            "n = 3.0\n"
        );
        assert!(to_toml(&Value::from("x")).is_err());
    }
}
