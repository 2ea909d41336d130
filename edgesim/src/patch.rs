//! Patch formats: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge is in [`crate::smp`].

use serde_json::{Map, Value};

use crate::status::{Error, Result};

/// Applies an RFC 7386 merge patch: objects merge, `null` deletes, everything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("made an object above");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// Applies an RFC 6902 JSON patch; a failing `test` or a missing path is a 422 error.
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<()> {
    let ops = ops
        .as_array()
        .ok_or_else(|| Error::BadRequest("a JSON patch must be an array of operations".into()))?;
    for op in ops {
        let path = op["path"]
            .as_str()
            .ok_or_else(|| Error::BadRequest("JSON patch op without path".into()))?;
        match op["op"].as_str().unwrap_or("") {
            "add" => add(target, path, op["value"].clone())?,
            "remove" => {
                remove(target, path)?;
            }
            "replace" => {
                remove(target, path)?;
                add(target, path, op["value"].clone())?;
            }
            "move" | "copy" => {
                let from = op["from"]
                    .as_str()
                    .ok_or_else(|| Error::BadRequest("JSON patch op without from".into()))?;
                let value = if op["op"] == "move" {
                    remove(target, from)?
                } else {
                    target.pointer(from).cloned().ok_or_else(|| missing(from))?
                };
                add(target, path, value)?;
            }
            "test" => {
                if target.pointer(path) != Some(&op["value"]) {
                    return Err(Error::Invalid(format!("JSON patch test failed at {path}")));
                }
            }
            other => {
                return Err(Error::BadRequest(format!(
                    "unknown JSON patch op {other:?}"
                )));
            }
        }
    }
    Ok(())
}

fn missing(path: &str) -> Error {
    Error::Invalid(format!("JSON patch: no value at {path}"))
}

fn split(path: &str) -> Result<(&str, String)> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| Error::BadRequest(format!("bad JSON pointer {path:?}")))?;
    Ok((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn add(target: &mut Value, path: &str, value: Value) -> Result<()> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, key) = split(path)?;
    match target.pointer_mut(parent).ok_or_else(|| missing(parent))? {
        Value::Object(m) => {
            m.insert(key, value);
        }
        Value::Array(a) if key == "-" => a.push(value),
        Value::Array(a) => {
            let i: usize = key.parse().map_err(|_| missing(path))?;
            if i > a.len() {
                return Err(missing(path));
            }
            a.insert(i, value);
        }
        _ => return Err(missing(path)),
    }
    Ok(())
}

fn remove(target: &mut Value, path: &str) -> Result<Value> {
    let (parent, key) = split(path)?;
    match target.pointer_mut(parent).ok_or_else(|| missing(parent))? {
        Value::Object(m) => m.remove(&key).ok_or_else(|| missing(path)),
        Value::Array(a) => {
            let i: usize = key.parse().map_err(|_| missing(path))?;
            (i < a.len())
                .then(|| a.remove(i))
                .ok_or_else(|| missing(path))
        }
        _ => Err(missing(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_merges_objects_deletes_nulls_and_replaces_lists() {
        let mut t = json!({"a": {"b": 1, "c": 2}, "l": [1, 2]});
        merge(&mut t, &json!({"a": {"b": null, "d": 3}, "l": [3]}));
        assert_eq!(t, json!({"a": {"c": 2, "d": 3}, "l": [3]}));
    }

    #[test]
    fn json_patch_supports_every_operation_and_fails_on_a_bad_test() {
        let mut t = json!({"a": 1, "l": [1, 2]});
        let ops = json!([{"op": "add", "path": "/b", "value": 2}, {"op": "remove", "path": "/a"},
            {"op": "replace", "path": "/l/0", "value": 9}, {"op": "add", "path": "/l/-", "value": 3},
            {"op": "copy", "from": "/b", "path": "/c"}, {"op": "move", "from": "/c", "path": "/d"},
            {"op": "test", "path": "/d", "value": 2}]);
        json_patch(&mut t, &ops).unwrap();
        assert_eq!(t, json!({"b": 2, "d": 2, "l": [9, 2, 3]}));
        assert!(json_patch(&mut t, &json!([{"op": "test", "path": "/b", "value": 5}])).is_err());
        assert!(json_patch(&mut t, &json!([{"op": "remove", "path": "/zzz"}])).is_err());
    }
}
