//! Strategic merge patch (`application/strategic-merge-patch+json`), following k8s.io/apimachinery's
//! `strategicpatch` package: maps merge and `null` deletes a key, as in a JSON merge patch; lists whose field
//! has `patchStrategy:"merge"` merge, by their `patchMergeKey` for lists of objects and as sets for lists of
//! primitives ([`schema`] holds the table for the built-in kinds); every other list is replaced.
//!
//! Directives: `$patch: replace` (a map or a merged list is replaced by the patch), `$patch: delete` (a map
//! becomes empty; a list element naming its merge key is removed), `$deleteFromPrimitiveList/<field>`,
//! `$retainKeys` (keys of the live map not listed are cleared). `$setElementOrder/<field>` is accepted and
//! ignored: merged lists are ordered as Kubernetes orders them without it (the patched elements in patch order,
//! interleaved with the live-only elements by their live positions). Kinds without a schema (custom
//! resources) have no strategic merge: Kubernetes answers 415, and so does [`crate::ops`].

pub mod schema;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use schema::{Field, ListStrategy, Schema};

use crate::status::{Error, Result};

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM: &str = "$deleteFromPrimitiveList/";

/// Applies a strategic merge patch to `target`, an object whose top level has schema `root`.
pub fn apply(target: &mut Value, patch: &Value, root: Schema) -> Result<()> {
    let Value::Object(patch) = patch else {
        return Err(bad("a strategic merge patch must be a JSON object"));
    };
    let original = match target.take() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    *target = Value::Object(merge_map(original, patch, root)?);
    Ok(())
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadRequest(message.into())
}

/// Merges a patch map into a live map at `schema`.
fn merge_map(
    mut original: Map<String, Value>,
    patch: &Map<String, Value>,
    schema: Schema,
) -> Result<Map<String, Value>> {
    match patch.get(DIRECTIVE) {
        None => {}
        Some(Value::String(d)) if d == "replace" => {
            let mut replaced = patch.clone();
            replaced.remove(DIRECTIVE);
            return Ok(replaced);
        }
        Some(Value::String(d)) if d == "delete" => return Ok(Map::new()),
        Some(other) => return Err(bad(format!("invalid $patch directive {other} in a map"))),
    }
    if let Some(keep) = patch.get(RETAIN_KEYS) {
        let keep: Vec<&str> = keep
            .as_array()
            .ok_or_else(|| bad("$retainKeys must be a list of strings"))?
            .iter()
            .map(|k| {
                k.as_str()
                    .ok_or_else(|| bad("$retainKeys must be a list of strings"))
            })
            .collect::<Result<_>>()?;
        if let Some(k) = patch
            .keys()
            .find(|k| !k.starts_with('$') && !keep.contains(&k.as_str()))
        {
            return Err(Error::Invalid(format!(
                "the patch has field {k:?}, which is not in its $retainKeys list {keep:?}"
            )));
        }
        original.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (k, v) in patch {
        let Some(field) = k.strip_prefix(DELETE_FROM) else {
            continue;
        };
        let gone = v
            .as_array()
            .ok_or_else(|| bad(format!("{k} must be a list")))?;
        if let Some(Value::Array(list)) = original.get_mut(field) {
            list.retain(|x| !gone.contains(x));
        }
    }
    for (k, v) in patch {
        // `$setElementOrder/...` and the directives handled above.
        if k.starts_with('$') {
            continue;
        }
        if v.is_null() {
            original.remove(k);
            continue;
        }
        let slot = original.entry(k.clone()).or_insert(Value::Null);
        *slot = merge_value(slot.take(), v, schema::field(schema, k))?;
    }
    Ok(original)
}

/// Merges one field's patch value into its live value (`Null` when absent).
fn merge_value(original: Value, patch: &Value, field: Field) -> Result<Value> {
    match (original, patch) {
        (Value::Object(o), Value::Object(p)) => Ok(Value::Object(merge_map(o, p, field.schema)?)),
        // Absent or of another type: the patch value, without its directives and nulls.
        (_, Value::Object(p)) => Ok(Value::Object(merge_map(Map::new(), p, field.schema)?)),
        (_, Value::Array(p)) if field.list == ListStrategy::Replace => Ok(Value::Array(p.clone())),
        (Value::Array(o), Value::Array(p)) => merge_list(o, p, field),
        (_, Value::Array(p)) => merge_list(Vec::new(), p, field),
        (_, p) => Ok(p.clone()),
    }
}

/// Merges a list with a merge strategy.
fn merge_list(original: Vec<Value>, patch: &[Value], field: Field) -> Result<Value> {
    match field.list {
        ListStrategy::Replace => Ok(Value::Array(patch.to_vec())),
        ListStrategy::Set => {
            if patch
                .iter()
                .chain(&original)
                .any(|v| v.is_object() || v.is_array())
            {
                return Err(bad("a list merged as a set must hold only primitives"));
            }
            let server_order = original.clone();
            let mut merged: Vec<Value> = Vec::new();
            for v in original.into_iter().chain(patch.iter().cloned()) {
                if !merged.contains(&v) {
                    merged.push(v);
                }
            }
            let patch_ids: Vec<&Value> = patch.iter().collect();
            let server_ids: Vec<&Value> = server_order.iter().collect();
            Ok(Value::Array(order(merged, &patch_ids, &server_ids, |v| {
                Some(v)
            })))
        }
        ListStrategy::Key(key) => merge_keyed(original, patch, key, field.schema),
    }
}

/// Merges a list of objects by the merge key `key`, honouring `$patch` elements.
fn merge_keyed(
    mut original: Vec<Value>,
    patch: &[Value],
    key: &str,
    schema: Schema,
) -> Result<Value> {
    let mut plain = Vec::new();
    let mut replace = false;
    for elem in patch {
        let Value::Object(m) = elem else {
            return Err(bad(format!("a list merged by {key:?} must hold objects")));
        };
        match m.get(DIRECTIVE) {
            None => plain.push(m),
            Some(Value::String(d)) if d == "delete" => {
                let id = m.get(key).ok_or_else(|| {
                    bad(format!("$patch: delete element without merge key {key:?}"))
                })?;
                original.retain(|o| o.get(key) != Some(id));
            }
            Some(Value::String(d)) if d == "replace" => replace = true,
            Some(other) => return Err(bad(format!("invalid $patch directive {other} in a list"))),
        }
    }
    if replace {
        original.clear();
    }
    let server_ids: Vec<Value> = original
        .iter()
        .filter_map(|o| o.get(key).cloned())
        .collect();
    for m in &plain {
        let id = m
            .get(key)
            .ok_or_else(|| bad(format!("a list element lacks its merge key {key:?}")))?;
        match original.iter_mut().find(|o| o.get(key) == Some(id)) {
            Some(live) => {
                let live_map = match live.take() {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                *live = Value::Object(merge_map(live_map, m, schema)?);
            }
            None => original.push(Value::Object(merge_map(Map::new(), m, schema)?)),
        }
    }
    let patch_ids: Vec<&Value> = plain.iter().filter_map(|m| m.get(key)).collect();
    let server_ids: Vec<&Value> = server_ids.iter().collect();
    Ok(Value::Array(order(
        original,
        &patch_ids,
        &server_ids,
        |v| v.get(key),
    )))
}

/// Orders a merged list as Kubernetes does: the elements the patch names, in patch order, with the live-only
/// elements inserted before the first patched element that comes after them in the live list.
fn order(
    merged: Vec<Value>,
    patch_ids: &[&Value],
    server_ids: &[&Value],
    id: impl Fn(&Value) -> Option<&Value>,
) -> Vec<Value> {
    let position = |ids: &[&Value], v: &Value| id(v).and_then(|i| ids.iter().position(|x| *x == i));
    let (mut patched, server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|v| position(patch_ids, v).is_some());
    patched.sort_by_key(|v| position(patch_ids, v));
    let mut out = Vec::with_capacity(patched.len() + server_only.len());
    let mut left = server_only.into_iter().peekable();
    let mut right = patched.into_iter().peekable();
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => {
                matches!((position(server_ids, l), position(server_ids, r)), (Some(i), Some(j)) if i < j)
            }
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}
