use std::collections::{BTreeMap, BTreeSet};

use serde::de::IgnoredAny;

use super::*;
use crate::event::Identity;
use crate::ids::{ContextId, Revision};
use crate::name::{AppName, ClusterRef};
use crate::state::DigState;

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::meta::validate(schema).expect("a valid draft 2020-12 schema");
    jsonschema::validator_for(schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The kind an identity serializes as; exhaustive, so a new kind fails to compile here until
/// [`one_of_every_kind`] has it.
fn kind(identity: &Identity) -> &'static str {
    match identity {
        Identity::Dig { .. } => "dig",
        Identity::App { .. } => "app",
        Identity::Resource { .. } => "resource",
        Identity::Cluster { .. } => "cluster",
        Identity::Controller { .. } => "controller",
        Identity::LogicalCloud { .. } => "logical_cloud",
    }
}

/// Events as the engine and rsync stage them: every kind, every DIG state, with and without the
/// optional fields, and names that need escaping in the subject.
fn one_of_every_kind() -> Vec<Event> {
    let ctx = ContextId::new(7_071_465_946_356_373_376);
    let cluster: ClusterRef = "edge.eu+c-0001".parse().unwrap();
    let app: AppName = "collectd".parse().unwrap();
    let dig = Identity::Dig {
        project: "proj".parse().unwrap(),
        composite_app: "ca".parse().unwrap(),
        version: "v1.0".parse().unwrap(),
        dig: "dig_1".parse().unwrap(),
    };
    let mut events: Vec<Event> = DigState::ALL
        .iter()
        .map(|to| {
            Event::new(dig.clone(), to.as_str())
                .from_state("Approved")
                .with_revision(Revision::FIRST.next())
                .with_context(ctx)
        })
        .collect();
    events.extend([
        Event::new(dig, "Approved").from_state("Created"),
        Event::new(
            Identity::App {
                ctx,
                cluster: cluster.clone(),
                app: app.clone(),
            },
            "Applied",
        )
        .from_state("Pending"),
        Event::new(
            Identity::App {
                ctx,
                cluster: cluster.clone(),
                app: app.clone(),
            },
            "Failed",
        )
        .with_message("admission webhook denied the request"),
        Event::new(
            Identity::Resource {
                ctx,
                cluster: cluster.clone(),
                app,
                resource_kind: "ClusterRole".into(),
                name: "system:metrics reader".into(),
            },
            "drift-corrected",
        )
        .with_message("re-created"),
        Event::new(Identity::Cluster { cluster }, "unreachable").with_message("connection refused"),
        Event::new(
            Identity::Controller {
                name: "rsync".parse().unwrap(),
            },
            "registered",
        ),
        Event::new(
            Identity::LogicalCloud {
                project: "proj".parse().unwrap(),
                logical_cloud: "lc1".parse().unwrap(),
            },
            "Instantiating",
        )
        .from_state("Created"),
    ]);
    events
}

#[test]
fn the_schema_is_self_contained_draft_2020_12() {
    let schema = envelope_json_schema();
    assert_eq!(schema["$schema"], DIALECT);
    let text = schema.to_string();
    assert!(!text.contains("components"), "a reference left outside");
    assert!(!text.contains("discriminator"), "an OpenAPI keyword left");
    validator(&schema);
    validator(&delivery_json_schema());
}

#[test]
fn real_events_of_every_kind_validate() {
    let validator = validator(&envelope_json_schema());
    let events = one_of_every_kind();
    let kinds: std::collections::BTreeSet<&str> = events.iter().map(|e| kind(&e.subject)).collect();
    assert_eq!(kinds.len(), 6, "every kind is covered: {kinds:?}");
    for event in &events {
        let json = serde_json::to_value(event).unwrap();
        assert_eq!(json["subject"]["kind"], kind(&event.subject));
        assert_eq!(errors(&validator, &json), Vec::<String>::new(), "{json}");
    }
}

#[test]
fn broken_envelopes_do_not_validate() {
    let validator = validator(&envelope_json_schema());
    let good = serde_json::to_value(one_of_every_kind().remove(3)).unwrap();
    assert!(validator.is_valid(&good));
    type Breaks = fn(&mut Value);
    let broken: [(&str, Breaks); 9] = [
        ("missing to", |e| {
            drop(e.as_object_mut().unwrap().remove("to"))
        }),
        ("wrong kind", |e| e["subject"]["kind"] = json!("deployment")),
        ("kind of another shape", |e| {
            e["subject"]["kind"] = json!("app")
        }),
        ("missing kind", |e| {
            drop(e["subject"].as_object_mut().unwrap().remove("kind"))
        }),
        ("id not a UUID", |e| e["id"] = json!("42")),
        ("time as text", |e| {
            e["time"] = json!("2025-01-01T00:00:00Z")
        }),
        ("revision 0", |e| e["revision"] = json!(0)),
        ("name breaking EMCO's rule", |e| {
            e["subject"]["project"] = json!("-proj")
        }),
        ("context negative", |e| e["context"] = json!(-1)),
    ];
    for (what, breaks) in broken {
        let mut event = good.clone();
        breaks(&mut event);
        assert!(!validator.is_valid(&event), "{what} validated: {event}");
    }
}

#[test]
fn deliveries_validate_and_carry_a_valid_event() {
    let validator = validator(&delivery_json_schema());
    for (i, event) in one_of_every_kind().into_iter().enumerate() {
        let json = serde_json::to_value(Delivery::new(i as u64 + 1, event)).unwrap();
        assert_eq!(errors(&validator, &json), Vec::<String>::new(), "{json}");
        let mut broken = json.clone();
        broken["event"]["subject"]["kind"] = json!("nope");
        assert!(!validator.is_valid(&broken));
    }
}

#[test]
fn the_json_fields_are_the_msgpack_map_fields() {
    let schema = envelope_json_schema();
    // Sets, not lists: serde_json keeps insertion order when another crate of the build turns on its
    // `preserve_order` feature, and sorted order otherwise.
    let properties: BTreeSet<&String> = schema["properties"].as_object().unwrap().keys().collect();
    for event in one_of_every_kind() {
        let json = serde_json::to_value(&event).unwrap();
        let json_keys: BTreeSet<&String> = json.as_object().unwrap().keys().collect();
        let msgpack: BTreeMap<String, IgnoredAny> =
            rmp_serde::from_slice(&event.to_msgpack().unwrap()).unwrap();
        let msgpack_keys: BTreeSet<&String> = msgpack.keys().collect();
        assert_eq!(json_keys, msgpack_keys);
        assert_eq!(json_keys, properties);
    }
}

#[test]
fn the_id_is_text_in_json_and_sixteen_bytes_in_msgpack() {
    let event = one_of_every_kind().remove(0);
    let text = event.id.to_string();
    assert_eq!(serde_json::to_value(&event).unwrap()["id"], json!(text));
    let mut bin = vec![0xc4, 16];
    bin.extend_from_slice(event.id.as_uuid().as_bytes());
    let payload = event.to_msgpack().unwrap();
    assert!(payload.windows(bin.len()).any(|w| w == bin.as_slice()));
}

#[test]
fn names_carry_the_name_rule() {
    let schema = envelope_json_schema();
    for name in ["ProjectName", "AppName", "ClusterName", "ControllerName"] {
        assert_eq!(
            schema["$defs"][name]["pattern"],
            crate::name::PATTERN,
            "{name}"
        );
        assert_eq!(schema["$defs"][name]["maxLength"], crate::name::MAX_LEN);
    }
}
