//! The event outbox and its relay against a real nats-server with JetStream, on the embedded context store
//! and on a real etcd: events survive NATS being down, arrive in commit order exactly once, survive an
//! engine that dies before or after publishing, and leave the outbox empty.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use canopy_engine::context::{ContextStore, EmbeddedStore, Key, Op, Txn, etcd};
use canopy_engine::events::bus::{Bus, JetStreamBus, jetstream as js_bus};
use canopy_engine::events::{Outbox, relay};
use canopy_schemas::event::{Event, Identity, MSG_ID_HEADER};
use canopy_tests::{EtcdServer, NatsServer};
use tokio::task::JoinHandle;

const STATES: [&str; 3] = ["Approved", "Instantiating", "Instantiated"];

/// One DIG's transition into `to`, with its event staged in the same transaction.
async fn transition(store: &dyn ContextStore, to: &str) -> Event {
    let dig = Identity::Dig {
        project: "proj".parse().unwrap(),
        composite_app: "ca".parse().unwrap(),
        version: "v1".parse().unwrap(),
        dig: "dig".parse().unwrap(),
    };
    let event = Event::new(dig, to);
    let txn = Txn::new().and_then([Op::put(Key::from("/test/dig/state"), to.to_string())]);
    let response = store
        .txn(Outbox::stage_in(txn, &event).unwrap())
        .await
        .unwrap();
    assert!(response.succeeded);
    event
}

async fn bus(nats: &NatsServer) -> JetStreamBus {
    let config = js_bus::Config {
        ack_timeout: Duration::from_secs(1),
        ..js_bus::Config::default()
    };
    config.build(nats.connect().await.unwrap()).await.unwrap()
}

fn start_relay(store: &Arc<dyn ContextStore>, bus: JetStreamBus) -> JoinHandle<()> {
    let config = relay::Config {
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
    };
    tokio::spawn(
        config
            .build(store.clone(), Arc::new(bus))
            .run(std::future::pending()),
    )
}

/// Waits, with a deadline, until the outbox is empty.
async fn outbox_drained(store: &dyn ContextStore) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !store.range(&Outbox::prefix()).await.unwrap().kvs.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay did not empty the outbox"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The stream's messages as (stream sequence, message id, decoded event), checking there are exactly `n`.
async fn stream_messages(nats: &NatsServer, n: u64) -> Vec<(u64, String, Event)> {
    let js = jetstream::new(nats.connect().await.unwrap());
    let mut stream = js.get_stream(js_bus::STREAM).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, n);
    let mut out = Vec::new();
    for sequence in 1..=n {
        let message = stream.get_raw_message(sequence).await.unwrap();
        let id = message.headers.get(MSG_ID_HEADER).unwrap().to_string();
        let event = Event::from_msgpack(&message.payload).unwrap();
        assert_eq!(message.subject.as_str(), event.subject().as_str());
        out.push((message.sequence, id, event));
    }
    out
}

/// Each event, once, in order, with its id as the message id.
fn assert_published_in_order(published: &[(u64, String, Event)], expected: &[Event]) {
    assert_eq!(published.len(), expected.len());
    for (i, ((sequence, id, event), want)) in published.iter().zip(expected).enumerate() {
        assert_eq!(*sequence, i as u64 + 1);
        assert_eq!(*id, want.id.to_string());
        assert_eq!(event, want);
    }
}

async fn events_committed_while_nats_is_down_arrive_in_order_once(store: Arc<dyn ContextStore>) {
    let nats = NatsServer::start().await.unwrap();
    let relay = start_relay(&store, bus(&nats).await);
    nats.kill();
    let mut expected = Vec::new();
    for to in STATES {
        expected.push(transition(store.as_ref(), to).await);
    }
    // The relay is retrying the first event; the outbox keeps all three.
    assert_eq!(store.range(&Outbox::prefix()).await.unwrap().kvs.len(), 3);
    nats.restart().await.unwrap();
    outbox_drained(store.as_ref()).await;
    assert_published_in_order(&stream_messages(&nats, 3).await, &expected);
    relay.abort();
}

async fn an_engine_that_dies_around_the_publish_still_publishes_once(store: Arc<dyn ContextStore>) {
    let nats = NatsServer::start().await.unwrap();
    let bus = bus(&nats).await;
    // Two transitions commit with no relay running, as if the engine died right after each commit.
    let first = transition(store.as_ref(), STATES[0]).await;
    let second = transition(store.as_ref(), STATES[1]).await;
    // A relay published the first and died before deleting it: it is in the stream and in the outbox.
    let stale = bus.publish(&first).await.unwrap();
    assert!(!stale.duplicate);
    assert_eq!(store.range(&Outbox::prefix()).await.unwrap().kvs.len(), 2);

    let relay = start_relay(&store, bus.clone());
    outbox_drained(store.as_ref()).await;
    // The fresh relay re-published the first (JetStream dropped it by its Nats-Msg-Id) and the second.
    assert_published_in_order(&stream_messages(&nats, 2).await, &[first.clone(), second]);
    let again = bus.publish(&first).await.unwrap();
    assert_eq!((again.sequence, again.duplicate), (1, true));
    relay.abort();
}

fn embedded() -> (tempfile::TempDir, Arc<dyn ContextStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
    (dir, Arc::new(store))
}

async fn on_etcd() -> (EtcdServer, Arc<dyn ContextStore>) {
    let server = EtcdServer::start().await.unwrap();
    let store = etcd::Config::new([server.endpoint()])
        .connect()
        .await
        .unwrap();
    (server, Arc::new(store))
}

#[tokio::test]
async fn embedded_events_committed_while_nats_is_down_arrive_in_order_exactly_once() {
    let (_dir, store) = embedded();
    events_committed_while_nats_is_down_arrive_in_order_once(store).await;
}

#[tokio::test]
async fn etcd_events_committed_while_nats_is_down_arrive_in_order_exactly_once() {
    let (_etcd, store) = on_etcd().await;
    events_committed_while_nats_is_down_arrive_in_order_once(store).await;
}

#[tokio::test]
async fn embedded_an_engine_that_dies_before_or_after_publishing_publishes_each_event_once() {
    let (_dir, store) = embedded();
    an_engine_that_dies_around_the_publish_still_publishes_once(store).await;
}

#[tokio::test]
async fn etcd_an_engine_that_dies_before_or_after_publishing_publishes_each_event_once() {
    let (_etcd, store) = on_etcd().await;
    an_engine_that_dies_around_the_publish_still_publishes_once(store).await;
}

/// More events at once than async-nats lets wait for their acknowledgement (5,000): `publish_all` keeps
/// a window of them outstanding instead of sending all before it waits, which never finished.
#[tokio::test]
async fn a_batch_larger_than_the_clients_in_flight_limit_is_published_whole_and_in_order() {
    let nats = NatsServer::start().await.unwrap();
    let bus = bus(&nats).await;
    let events: Vec<Event> = (0..6_000)
        .map(|i| {
            Event::new(
                Identity::Cluster {
                    cluster: format!("sim+edge-{i}").parse().unwrap(),
                },
                "reachable",
            )
        })
        .collect();
    let acks = tokio::time::timeout(Duration::from_secs(60), bus.publish_all(&events))
        .await
        .expect("publish_all finishes")
        .unwrap();
    assert_eq!(acks.len(), events.len());
    for (i, ack) in acks.iter().enumerate() {
        assert_eq!((ack.sequence, ack.duplicate), (i as u64 + 1, false));
    }
}

/// A backlog larger than one gRPC message (4 MiB), committed while NATS is down, is published whole once
/// NATS is back. The relay's drain read the outbox in one answer, which etcd's client refused past 4 MiB,
/// so the relay retried that read forever and no event arrived.
#[tokio::test]
async fn etcd_a_backlog_larger_than_one_grpc_message_arrives_whole_once_nats_is_back() {
    const ENTRIES: usize = 50;
    const PER_ENTRY: usize = 100;
    let (_etcd, store) = on_etcd().await;
    let nats = NatsServer::start().await.unwrap();
    let relay = start_relay(&store, bus(&nats).await);
    nats.kill();
    let mut expected = Vec::new();
    for entry in 0..ENTRIES {
        let events: Vec<Event> = (0..PER_ENTRY)
            .map(|i| {
                let cluster = format!("sim+edge-{}", entry * PER_ENTRY + i);
                let mut event = Event::new(
                    Identity::Cluster {
                        cluster: cluster.parse().unwrap(),
                    },
                    "unreachable",
                );
                event.message = format!("{cluster}: {}", "no route to host; ".repeat(60));
                event
            })
            .collect();
        let staged = Outbox::stage_all(&events).unwrap().unwrap();
        assert!(
            store
                .txn(Txn::new().and_then([staged]))
                .await
                .unwrap()
                .succeeded
        );
        expected.extend(events);
    }
    let backlog: usize = store
        .range(&Outbox::prefix())
        .await
        .unwrap()
        .kvs
        .iter()
        .map(|kv| kv.value.len())
        .sum();
    assert!(backlog > 4 << 20, "the backlog is {backlog} bytes");

    nats.restart().await.unwrap();
    outbox_drained(store.as_ref()).await;
    let published = stream_messages(&nats, (ENTRIES * PER_ENTRY) as u64).await;
    assert_published_in_order(&published, &expected);
    relay.abort();
}
