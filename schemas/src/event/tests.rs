use super::*;
use proptest::prelude::*;
use serde::Deserialize;

fn cluster() -> ClusterRef {
    "prov+edge-7".parse().unwrap()
}

fn one_of_each_kind() -> Vec<Event> {
    let ctx = ContextId::new(7_071_465_946_356_373_376);
    let app: AppName = "collectd".parse().unwrap();
    vec![
        Event::new(
            Identity::Dig {
                project: "proj".parse().unwrap(),
                composite_app: "ca".parse().unwrap(),
                version: "v1".parse().unwrap(),
                dig: "dig".parse().unwrap(),
            },
            "Instantiating",
        )
        .from_state("Approved")
        .with_revision(Revision::FIRST)
        .with_context(ctx),
        Event::new(
            Identity::App {
                ctx,
                cluster: cluster(),
                app: app.clone(),
            },
            "Applied",
        )
        .with_message("3/3"),
        Event::new(
            Identity::Resource {
                ctx,
                cluster: cluster(),
                app,
                resource_kind: "DaemonSet".into(),
                name: "collectd".into(),
            },
            "Ready",
        )
        .from_state("Applied"),
        Event::new(Identity::Cluster { cluster: cluster() }, "unreachable")
            .with_message("connection refused"),
        Event::new(
            Identity::Controller {
                name: "rsync".parse().unwrap(),
            },
            "registered",
        ),
    ]
}

#[test]
fn every_kind_round_trips_through_msgpack() {
    for event in one_of_each_kind() {
        let bytes = event.to_msgpack().unwrap();
        assert_eq!(Event::from_msgpack(&bytes).unwrap(), event);
    }
}

#[test]
fn app_and_resource_events_carry_their_context() {
    let events = one_of_each_kind();
    assert_eq!(
        events[1].context,
        Some(ContextId::new(7_071_465_946_356_373_376))
    );
    assert_eq!(events[2].context, events[1].context);
    assert_eq!(events[3].context, None);
}

#[test]
fn the_subject_is_derived_from_the_envelope() {
    let subjects: Vec<String> = one_of_each_kind()
        .iter()
        .map(|e| e.subject().into_string())
        .collect();
    assert_eq!(
        subjects,
        [
            "canopy.dig.proj.ca.v1.dig.Instantiating",
            "canopy.ctx.7071465946356373376.prov+edge-7.collectd.Applied",
            "canopy.res.7071465946356373376.prov+edge-7.collectd.DaemonSet.collectd.Ready",
            "canopy.cluster.prov.edge-7.unreachable",
            "canopy.controller.rsync.registered",
        ]
    );
}

/// What a reader built before most fields existed would decode.
#[derive(Deserialize)]
struct OlderReader {
    id: EventId,
    to: String,
}

/// What a writer built after a field was added would send.
#[derive(serde::Serialize)]
struct NewerWriter<'a> {
    #[serde(flatten)]
    event: &'a Event,
    added_later: u32,
}

#[test]
fn fields_are_named_so_readers_and_writers_can_evolve() {
    let event = one_of_each_kind().remove(0);
    let bytes = event.to_msgpack().unwrap();
    let older: OlderReader = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!((older.id, older.to.as_str()), (event.id, "Instantiating"));

    let newer = rmp_serde::to_vec_named(&NewerWriter {
        event: &event,
        added_later: 5,
    })
    .unwrap();
    assert_eq!(Event::from_msgpack(&newer).unwrap(), event);
}

#[test]
fn garbage_is_a_decode_error_not_a_panic() {
    for bytes in [&b""[..], b"\x93\x01\x02", b"\xc1", &[0xff; 16]] {
        assert!(matches!(Event::from_msgpack(bytes), Err(Error::Decode(_))));
    }
}

proptest! {
    #[test]
    fn arbitrary_resource_events_round_trip(kind in ".*", name in ".*", message in ".*", ctx in any::<u64>(), rev in 1u64..) {
        let event = Event::new(
            Identity::Resource { ctx: ContextId::new(ctx), cluster: cluster(), app: "a".parse().unwrap(), resource_kind: kind, name },
            "Applied",
        )
        .with_revision(Revision::new(rev).unwrap())
        .with_message(message);
        let bytes = event.to_msgpack().unwrap();
        prop_assert_eq!(Event::from_msgpack(&bytes).unwrap(), event);
    }
}
