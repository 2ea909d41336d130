//! `ValidateIntent` for gac: the spec must decode as a [`Spec`], each stored body must keep its REST rules,
//! and each file and patch must be usable. Violations name fields by their path inside the spec.

use canopy_schemas::controller::Violation;
use canopy_schemas::controller::gac::{CustomizationSpec, ResourceSpec, Spec};
use canopy_schemas::rest::Validate;
use canopy_schemas::rest::common::check_name;
use serde_json::Value;

use super::content::{self, DataKind};
use crate::builtin::decode::{self, within};

/// The spec, or every rule it breaks.
pub(super) fn check(spec: &Value) -> Result<Spec, Vec<Violation>> {
    let spec: Spec = decode::spec(spec).map_err(|v| vec![v])?;
    let mut violations: Vec<Violation> = check_name("intent", &spec.intent)
        .err()
        .into_iter()
        .collect();
    for (i, r) in spec.resources.iter().enumerate() {
        let prefix = format!("resources[{i}]");
        violations.extend(resource(r).into_iter().map(|v| within(&prefix, v)));
    }
    match violations.is_empty() {
        true => Ok(spec),
        false => Err(violations),
    }
}

/// The rules one resource entry breaks, named relative to it.
fn resource(r: &ResourceSpec) -> Vec<Violation> {
    if let Err(v) = r.resource().validate() {
        return vec![v];
    }
    let new_object = r.resource().is_new_object();
    let mut violations = Vec::new();
    if new_object {
        violations.extend(base_object(r).err());
    }
    let kind = DataKind::of(&r.spec.resource_gvk.kind);
    for (j, c) in r.customizations.iter().enumerate() {
        let prefix = format!("customizations[{j}]");
        let found = customization(kind, new_object, c);
        violations.extend(found.into_iter().map(|v| within(&prefix, v)));
    }
    violations
}

/// The object a new resource entry adds, before any customization: its uploaded file, or for a ConfigMap or
/// Secret an empty one. Its apiVersion, kind and name must be those of `resourceGVK` (and are filled in from
/// it when missing).
pub(super) fn base_object(r: &ResourceSpec) -> Result<Value, Violation> {
    let gvk = &r.spec.resource_gvk;
    let Some(file) = &r.file else {
        return match DataKind::of(&gvk.kind) {
            Some(kind) => Ok(kind.skeleton(&gvk.name)),
            None => Err(Violation::new(
                "file",
                format!("is required for a new {}", gvk.kind),
            )),
        };
    };
    let mut object = content::object("file", &content::bytes("file", file)?)?;
    let expected = [
        ("/apiVersion", &gvk.api_version, "resourceGVK.apiVersion"),
        ("/kind", &gvk.kind, "resourceGVK.kind"),
        ("/metadata/name", &gvk.name, "resourceGVK.name"),
    ];
    for (pointer, want, source) in expected {
        match object.pointer(pointer) {
            None | Some(Value::Null) => set(&mut object, pointer, want),
            Some(Value::String(have)) if have == want => {}
            Some(have) => {
                let rule = format!(
                    "the object's {} is {have} but {source} is {want:?}",
                    &pointer[1..]
                );
                return Err(Violation::new("file", rule));
            }
        }
    }
    Ok(object)
}

/// Sets the string at `pointer` (one or two levels deep) of `object`.
fn set(object: &mut Value, pointer: &str, value: &str) {
    let mut at = object;
    let parts: Vec<&str> = pointer[1..].split('/').collect();
    for part in &parts[..parts.len() - 1] {
        if !at.get(*part).is_some_and(Value::is_object) {
            at[*part] = Value::Object(Default::default());
        }
        at = &mut at[*part];
    }
    at[parts[parts.len() - 1]] = value.into();
}

/// The rules one customization breaks, named relative to it.
fn customization(
    kind: Option<DataKind>,
    new_object: bool,
    c: &CustomizationSpec,
) -> Vec<Violation> {
    if let Err(v) = c.customization().validate() {
        return vec![v];
    }
    let files = match content::files(kind, c) {
        Ok(files) => files,
        Err(v) => return vec![v],
    };
    let patch = &c.spec.patch_json;
    match c.spec.patch_type.to_ascii_lowercase().as_str() {
        "json" if patch.is_empty() => vec![Violation::new(
            "spec.patchJson",
            "is required when patchType is \"json\"",
        )],
        "json" => patch
            .iter()
            .enumerate()
            .filter_map(|(k, op)| json_op(k, op).err())
            .collect(),
        "merge" => {
            let mut found: Vec<_> = patch
                .iter()
                .enumerate()
                .filter(|(_, d)| !d.is_object())
                .map(|(k, _)| {
                    Violation::new(
                        format!("spec.patchJson[{k}]"),
                        "a merge patch must be a JSON object",
                    )
                })
                .collect();
            if patch.is_empty() && files.merges.is_empty() {
                found.push(Violation::new(
                    "spec.patchType",
                    "\"merge\" needs patchJson objects or merge patch files",
                ));
            }
            found
        }
        _ if !patch.is_empty() => vec![Violation::new(
            "spec.patchType",
            "is required when patchJson is given: \"json\" or \"merge\"",
        )],
        _ if !files.merges.is_empty() => vec![Violation::new(
            "spec.patchType",
            "must be \"merge\" for files that are merge patches",
        )],
        _ if !new_object && files.data.is_empty() => vec![Violation::new(
            "spec.patchType",
            "is required to change an existing resource: \"json\" or \"merge\"",
        )],
        _ => Vec::new(),
    }
}

/// Checks one RFC 6902 operation.
fn json_op(k: usize, op: &Value) -> Result<(), Violation> {
    let field = format!("spec.patchJson[{k}]");
    let bad = |rule: &str| Err(Violation::new(&field, rule));
    let Some(name) = op.get("op").and_then(Value::as_str) else {
        return bad("must be an object with an \"op\"");
    };
    let pointer = |key| {
        op.get(key)
            .and_then(Value::as_str)
            .is_some_and(|p| p.is_empty() || p.starts_with('/'))
    };
    if !pointer("path") {
        return bad("\"path\" must be a JSON pointer");
    }
    match name {
        "add" | "replace" | "test" if op.get("value").is_none() => bad("needs a \"value\""),
        "move" | "copy" if !pointer("from") => bad("\"from\" must be a JSON pointer"),
        "add" | "replace" | "test" | "move" | "copy" | "remove" => Ok(()),
        other => Err(Violation::new(
            format!("{field}.op"),
            format!("{other:?} is not one of add, remove, replace, move, copy, test"),
        )),
    }
}
