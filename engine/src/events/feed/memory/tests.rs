//! The in-process feed: starts, subject narrowing, `follow`, and a lagging subscriber.

use canopy_schemas::Timestamp;
use canopy_schemas::event::{Event, Identity};
use futures::StreamExt;

use super::*;
use crate::events::bus::Bus;

fn controller(name: &str) -> Event {
    Event::new(
        Identity::Controller {
            name: name.parse().unwrap(),
        },
        "registered",
    )
}

async fn publish(bus: &MemoryBus, names: &[&str]) {
    for name in names {
        bus.publish(&controller(name)).await.unwrap();
    }
}

fn request(start: Start, follow: bool) -> Request {
    Request {
        start,
        subjects: Vec::new(),
        follow,
    }
}

async fn sequences(sub: Subscription) -> Vec<u64> {
    sub.deliveries
        .map(|d| d.unwrap().sequence)
        .collect::<Vec<_>>()
        .await
}

#[tokio::test]
async fn without_follow_a_subscription_ends_after_the_stored_events_from_its_start() {
    let bus = MemoryBus::new(16);
    publish(&bus, &["a", "b", "c", "d"]).await;
    let sub = bus.open(request(Start::Sequence(2), false)).await.unwrap();
    assert_eq!(sub.last, 4);
    assert_eq!(sequences(sub).await, [2, 3, 4]);
    let sub = bus.open(request(Start::New, false)).await.unwrap();
    assert_eq!(sequences(sub).await, Vec::<u64>::new());
}

#[tokio::test]
async fn a_new_subscription_gets_only_events_published_after_it_opened() {
    let bus = MemoryBus::new(16);
    publish(&bus, &["a", "b"]).await;
    let mut sub = bus.open(request(Start::New, true)).await.unwrap();
    publish(&bus, &["c"]).await;
    let first = sub.deliveries.next().await.unwrap().unwrap();
    assert_eq!(first.sequence, 3);
    assert_eq!(first.subject, "canopy.controller.c.registered");
}

#[tokio::test]
async fn a_start_beyond_the_last_event_waits_for_that_sequence() {
    let bus = MemoryBus::new(16);
    publish(&bus, &["a"]).await;
    let mut sub = bus.open(request(Start::Sequence(3), true)).await.unwrap();
    publish(&bus, &["b", "c"]).await;
    assert_eq!(sub.deliveries.next().await.unwrap().unwrap().sequence, 3);
}

#[tokio::test]
async fn a_start_time_skips_events_stored_before_it() {
    let bus = MemoryBus::new(16);
    publish(&bus, &["a", "b"]).await;
    let mark = Timestamp::now();
    publish(&bus, &["c"]).await;
    let sub = bus.open(request(Start::Time(mark), false)).await.unwrap();
    assert_eq!(sequences(sub).await, [3]);
}

#[tokio::test]
async fn subjects_narrow_stored_and_live_events() {
    let bus = MemoryBus::new(16);
    publish(&bus, &["a", "b"]).await;
    let mut sub = bus
        .open(Request {
            start: Start::Sequence(1),
            subjects: vec!["canopy.controller.b.*".parse().unwrap()],
            follow: true,
        })
        .await
        .unwrap();
    publish(&bus, &["c", "b"]).await;
    let got: Vec<u64> = (&mut sub.deliveries)
        .take(2)
        .map(|d| d.unwrap().sequence)
        .collect()
        .await;
    assert_eq!(got, [2, 4]);
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_the_live_channel_gets_an_error_not_a_gap() {
    let bus = MemoryBus::new(2);
    let mut sub = bus.open(request(Start::New, true)).await.unwrap();
    publish(&bus, &["a", "b", "c", "d", "e"]).await;
    match sub.deliveries.next().await.unwrap() {
        Err(Error::Lagged { after: 0, missed }) => assert_eq!(missed, 3),
        other => panic!("expected Lagged, got {other:?}"),
    }
    assert!(sub.deliveries.next().await.is_none(), "the error ends it");
}
