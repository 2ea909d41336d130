//! Server-side apply with a simplified field ownership.
//!
//! A manager owns the leaf paths of the objects it applied: maps are walked, lists are atomic leaves. An apply
//! merges the applied object onto the live one (maps merge, lists and scalars replace), removes the paths the
//! same manager owned before and no longer applies (unless another manager owns them too), and records the
//! owned paths in `metadata.managedFields` (`operation: Apply`, `fieldsType: FieldsV1`). A conflict is an
//! applied path owned by another Apply manager whose live value differs from the applied one: without
//! `force` it is a 409 `Conflict`, with `force` the path moves to the applier. Writes that are not applies
//! (create, replace, patch) record an `Update` entry with their manager but own no fields, so they never
//! conflict.

use serde_json::{Map, Value, json};

use crate::patch;
use crate::status::{Error, Result};

type Path = Vec<String>;

/// Metadata fields the server owns; applies never own or remove them.
const SERVER_META: [&str; 7] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
];

/// Who applies, and whether conflicts are overridden.
#[derive(Debug, Clone)]
pub struct Applier<'a> {
    /// The `fieldManager` of the request.
    pub manager: &'a str,
    /// The `force` flag of the request.
    pub force: bool,
    /// Timestamp recorded in `managedFields`.
    pub now: &'a str,
}

/// Returns the live object after `applier` applies `applied` onto `live` (`Value::Null` if absent).
pub fn apply(live: &Value, applied: &Value, applier: &Applier<'_>) -> Result<Value> {
    let mut owned = owners(live);
    let new_paths = leaf_paths(applied);
    let mut conflicts = Vec::new();
    for (manager, paths) in owned.iter_mut().filter(|(m, _)| m != applier.manager) {
        paths.retain(|p| {
            let overlapping = new_paths
                .iter()
                .find(|n| n.starts_with(p) || p.starts_with(n));
            match overlapping {
                Some(n) if pointer(live, n) != pointer(applied, n) => {
                    conflicts.push(format!("conflict with \"{manager}\": .{}", n.join(".")));
                    !applier.force
                }
                _ => true,
            }
        });
    }
    if !conflicts.is_empty() && !applier.force {
        return Err(Error::Conflict(format!(
            "Apply failed with {} conflict(s): {}",
            conflicts.len(),
            conflicts.join(", ")
        )));
    }
    let mut result = live.clone();
    let before = owned
        .iter()
        .find(|(m, _)| m == applier.manager)
        .map(|(_, p)| p.clone())
        .unwrap_or_default();
    for stale in before.iter().filter(|p| !new_paths.contains(p)) {
        let shared = owned
            .iter()
            .any(|(m, ps)| m != applier.manager && ps.iter().any(|p| p.starts_with(stale)));
        if !shared {
            remove_path(&mut result, stale);
        }
    }
    let mut body = applied.clone();
    if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_META {
            meta.remove(key);
        }
    }
    patch::merge(&mut result, &body);
    owned.retain(|(m, _)| m != applier.manager);
    owned.push((applier.manager.to_string(), new_paths));
    write_managed(&mut result, live, &owned, applier.now);
    Ok(result)
}

/// Records a non-apply write by `manager` in `managedFields` (an `Update` entry that owns no fields).
pub fn record_update(obj: &mut Value, manager: &str, now: &str) {
    let mut entries: Vec<Value> = obj["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    entries.retain(|e| !(e["manager"] == manager && e["operation"] == "Update"));
    entries.push(
        json!({"manager": manager, "operation": "Update", "apiVersion": obj["apiVersion"],
        "time": now, "fieldsType": "FieldsV1", "fieldsV1": {}}),
    );
    obj["metadata"]["managedFields"] = Value::Array(entries);
}

/// The Apply managers of an object and the paths each owns.
fn owners(live: &Value) -> Vec<(String, Vec<Path>)> {
    let entries = live["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    entries
        .iter()
        .filter(|e| e["operation"] == "Apply")
        .filter_map(|e| {
            Some((
                e["manager"].as_str()?.to_string(),
                fields_to_paths(&e["fieldsV1"]),
            ))
        })
        .collect()
}

fn write_managed(result: &mut Value, live: &Value, owned: &[(String, Vec<Path>)], now: &str) {
    let old: Vec<Value> = live["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut entries: Vec<Value> = old
        .into_iter()
        .filter(|e| e["operation"] != "Apply")
        .collect();
    for (manager, paths) in owned {
        let prior = live["metadata"]["managedFields"].as_array().and_then(|a| {
            a.iter()
                .find(|e| e["manager"] == manager.as_str() && e["operation"] == "Apply")
        });
        let time = match prior {
            Some(p) if fields_to_paths(&p["fieldsV1"]) == *paths => p["time"].clone(),
            _ => json!(now),
        };
        entries.push(
            json!({"manager": manager, "operation": "Apply", "apiVersion": result["apiVersion"],
            "time": time, "fieldsType": "FieldsV1", "fieldsV1": paths_to_fields(paths)}),
        );
    }
    result["metadata"]["managedFields"] = Value::Array(entries);
}

/// Leaf paths of an applied object, leaving out `apiVersion`, `kind` and server-owned metadata.
fn leaf_paths(obj: &Value) -> Vec<Path> {
    let mut out = Vec::new();
    if let Some(map) = obj.as_object() {
        for (k, v) in map {
            match k.as_str() {
                "apiVersion" | "kind" => {}
                "metadata" => {
                    for (mk, mv) in v.as_object().into_iter().flatten() {
                        if !SERVER_META.contains(&mk.as_str()) {
                            walk(mv, vec!["metadata".into(), mk.clone()], &mut out);
                        }
                    }
                }
                _ => walk(v, vec![k.clone()], &mut out),
            }
        }
    }
    out
}

/// Collects leaf paths; an empty map owns nothing (as `data: {}` claims no keys).
fn walk(v: &Value, path: Path, out: &mut Vec<Path>) {
    match v.as_object() {
        Some(map) => {
            for (k, child) in map {
                let mut p = path.clone();
                p.push(k.clone());
                walk(child, p, out);
            }
        }
        None => out.push(path),
    }
}

fn pointer<'a>(v: &'a Value, path: &Path) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn remove_path(v: &mut Value, path: &Path) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let target = parent.iter().try_fold(v, |v, k| v.get_mut(k));
    if let Some(Value::Object(m)) = target {
        m.remove(last);
    }
}

fn paths_to_fields(paths: &[Path]) -> Value {
    let mut root = Map::new();
    for path in paths {
        let mut node = &mut root;
        for key in path {
            let child = node.entry(format!("f:{key}")).or_insert_with(|| json!({}));
            node = child.as_object_mut().expect("fieldsV1 nodes are objects");
        }
    }
    Value::Object(root)
}

fn fields_to_paths(fields: &Value) -> Vec<Path> {
    let mut out = Vec::new();
    fn go(node: &Value, path: Path, out: &mut Vec<Path>) {
        match node.as_object() {
            Some(map) if !map.is_empty() => {
                for (k, child) in map {
                    let mut p = path.clone();
                    p.push(k.strip_prefix("f:").unwrap_or(k).to_string());
                    go(child, p, out);
                }
            }
            _ if !path.is_empty() => out.push(path),
            _ => {}
        }
    }
    go(fields, Vec::new(), &mut out);
    out
}

#[cfg(test)]
mod tests;
