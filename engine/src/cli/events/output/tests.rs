use canopy_schemas::ContextId;
use canopy_schemas::name::{AppName, ControllerName};

use super::*;

/// 2026-01-02T15:04:05.678Z
const T: i64 = 1_767_366_245_678_901_234;

fn at(event: Event) -> Event {
    Event {
        time: Timestamp::from_unix_nanos(T),
        ..event
    }
}

fn dig_event() -> Delivery {
    let dig: canopy_schemas::event::filter::DigRef = "p/ca/v1/dig".parse().unwrap();
    let event = Event::new(
        Identity::Dig {
            project: dig.project,
            composite_app: dig.composite_app,
            version: dig.version,
            dig: dig.dig,
        },
        "Instantiated",
    )
    .from_state("Instantiating")
    .with_context(ContextId::new(7));
    Delivery::new(3, at(event))
}

fn resource_event() -> Delivery {
    let event = Event::new(
        Identity::Resource {
            ctx: ContextId::new(7),
            cluster: "edge+c1".parse().unwrap(),
            app: AppName::new("web").unwrap(),
            resource_kind: "Deployment".into(),
            name: "web".into(),
        },
        "Failed",
    )
    .with_message("admission webhook denied it");
    Delivery::new(12, at(event))
}

fn controller_event() -> Delivery {
    let event = Event::new(
        Identity::Controller {
            name: ControllerName::new("rsync").unwrap(),
        },
        "registered",
    );
    Delivery::new(1, at(event))
}

fn print(format: Format, streaming: bool, events: &[Delivery]) -> String {
    let mut out = Vec::new();
    let mut printer = Printer::new(&mut out, format, streaming);
    for e in events {
        printer.deliver(e.clone()).unwrap();
    }
    printer.finish().unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn rows_name_the_kind_the_names_and_the_transition() {
    assert_eq!(
        row(&dig_event()),
        [
            "3",
            "2026-01-02T15:04:05.678Z",
            "dig",
            "p/ca/v1/dig",
            "Instantiating → Instantiated",
            ""
        ]
    );
    assert_eq!(
        row(&resource_event())[2..],
        [
            "resource",
            "ctx 7 edge/c1 web Deployment/web",
            "→ Failed",
            "admission webhook denied it"
        ]
    );
    assert_eq!(row(&controller_event())[3], "rsync");
}

#[test]
fn a_table_aligns_its_columns_over_every_row() {
    let text = print(
        Format::Table,
        false,
        &[controller_event(), dig_event(), resource_event()],
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("SEQ  TIME"), "{text}");
    let column = |line: &str, word: &str| line.find(word).unwrap();
    let what = column(lines[0], "WHAT");
    assert_eq!(column(lines[1], "rsync"), what, "{text}");
    assert_eq!(column(lines[2], "p/ca/v1/dig"), what, "{text}");
    assert_eq!(column(lines[3], "ctx 7"), what, "{text}");
    let message = column(lines[0], "MESSAGE");
    assert_eq!(
        column(lines[3], "admission webhook denied it"),
        message,
        "{text}"
    );
    assert!(lines[2].ends_with("Instantiating → Instantiated"), "{text}");
}

#[test]
fn no_events_print_no_table() {
    assert_eq!(print(Format::Table, false, &[]), "");
}

#[test]
fn json_is_one_delivery_per_line() {
    let events = [dig_event(), resource_event()];
    let text = print(Format::Json, false, &events);
    let back: Vec<Delivery> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(back, events);
}

#[test]
fn yaml_is_one_document_per_event() {
    let events = [dig_event(), resource_event()];
    let text = print(Format::Yaml, true, &events);
    assert_eq!(text.matches("---\n").count(), 2, "{text}");
    let back: Vec<Delivery> = text
        .split("---\n")
        .filter(|d| !d.is_empty())
        .map(|d| yaml_serde::from_str(d).unwrap())
        .collect();
    assert_eq!(back, events);
}

#[test]
fn a_tail_keeps_the_last_n() {
    let mut tail = Tail::new(2);
    for e in [controller_event(), dig_event(), resource_event()] {
        tail.deliver(e).unwrap();
    }
    let kept: Vec<u64> = tail.events.iter().map(|d| d.sequence).collect();
    assert_eq!(kept, [3, 12]);
}
