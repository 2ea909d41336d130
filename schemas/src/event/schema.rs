//! The JSON Schema of the event envelope, generated from the Rust types (their `utoipa::ToSchema`
//! derives), so the schema cannot drift from what serde writes.
//!
//! The schema describes the envelope's JSON form: `serde_json` of [`Event`], which has the same named
//! fields as the MessagePack map on NATS (only the id differs in encoding: text in JSON, 16 raw bytes in
//! MessagePack). [`delivery_json_schema`] describes [`Delivery`], the JSON form outside NATS (SSE
//! `GET /v2/events`, `canopy events -o json`).
//!
//! utoipa writes OpenAPI 3.1 schema objects, which are JSON Schema draft 2020-12 with a few OpenAPI
//! keywords and references into `#/components/schemas/`. [`json_schema`] turns them into one
//! self-contained document: references point into its own `$defs`, and the OpenAPI-only keywords are
//! dropped (`discriminator`) or renamed (`example` becomes `examples`).

use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::{Delivery, Event};

/// The dialect every generated schema declares.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Where utoipa's references point.
const OPENAPI_REFS: &str = "#/components/schemas/";
/// Where the generated document's references point.
const DEFS_REFS: &str = "#/$defs/";

/// The JSON Schema (draft 2020-12, self-contained) of one event envelope as JSON.
pub fn envelope_json_schema() -> Value {
    json_schema::<Event>("urn:canopy:event", "canopy event envelope")
}

/// The JSON Schema (draft 2020-12, self-contained) of one [`Delivery`]: an event with its bus sequence
/// and subject, as SSE `GET /v2/events` and `canopy events -o json` write it.
pub fn delivery_json_schema() -> Value {
    json_schema::<Delivery>("urn:canopy:delivery", "canopy event delivery")
}

/// The self-contained JSON Schema of `T`: `T`'s schema at the root, with `$schema`, `$id` and `title`,
/// and every schema it references in `$defs`, sorted by name.
pub fn json_schema<T: ToSchema>(id: &str, title: &str) -> Value {
    let mut referenced: Vec<(String, RefOr<Schema>)> = Vec::new();
    T::schemas(&mut referenced);
    let mut defs = Map::new();
    for (name, schema) in referenced {
        defs.insert(name, to_json(&schema));
    }
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DIALECT));
    root.insert("$id".into(), json!(id));
    root.insert("title".into(), json!(title));
    match to_json(&T::schema()) {
        Value::Object(body) => root.extend(body),
        other => {
            root.insert("allOf".into(), json!([other]));
        }
    }
    if !defs.is_empty() {
        defs.sort_keys();
        root.insert("$defs".into(), Value::Object(defs));
    }
    Value::Object(root)
}

/// A utoipa schema as plain JSON Schema.
fn to_json(schema: &RefOr<Schema>) -> Value {
    // utoipa's schema types serialize to JSON infallibly (plain maps, strings and numbers).
    let mut value = serde_json::to_value(schema).expect("a utoipa schema serializes to JSON");
    rewrite(&mut value);
    value
}

/// Keywords whose value is one subschema.
const ONE: [&str; 9] = [
    "items",
    "not",
    "additionalProperties",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
];
/// Keywords whose value is a list of subschemas.
const LIST: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to subschemas.
const MAP: [&str; 3] = ["properties", "patternProperties", "dependentSchemas"];

/// Points references at `$defs` and replaces OpenAPI-only keywords, in `schema` and every subschema.
/// Data (`enum`, `const`, `default`, `examples`) and property names are left alone.
fn rewrite(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if let Some(Value::String(r)) = map.get_mut("$ref")
        && let Some(name) = r.strip_prefix(OPENAPI_REFS)
    {
        *r = format!("{DEFS_REFS}{name}");
    }
    map.remove("discriminator");
    if let Some(example) = map.remove("example") {
        map.insert("examples".into(), json!([example]));
    }
    for (keyword, value) in map.iter_mut() {
        match value {
            _ if ONE.contains(&keyword.as_str()) => rewrite(value),
            Value::Array(list) if LIST.contains(&keyword.as_str()) => {
                list.iter_mut().for_each(rewrite);
            }
            Value::Object(named) if MAP.contains(&keyword.as_str()) => {
                named.values_mut().for_each(rewrite);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
