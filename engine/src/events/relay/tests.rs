//! The relay against the embedded store and the in-process bus, with a bus that fails on demand.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use canopy_schemas::event::Identity;

use super::*;
use crate::context::{EmbeddedStore, Key, Op, Txn};
use crate::events::bus::{self, MemoryBus};

/// A bus that fails its first `failures` publishes with a retryable error, then forwards to `inner`.
struct Flaky {
    failures: AtomicUsize,
    inner: MemoryBus,
}

#[async_trait]
impl Bus for Flaky {
    async fn publish(&self, event: &Event) -> bus::Result<Ack> {
        let left = self.failures.load(Ordering::SeqCst);
        if left > 0 {
            self.failures.store(left - 1, Ordering::SeqCst);
            return Err(bus::Error::Publish {
                id: event.id.to_string(),
                subject: event.subject().into_string(),
                source: "bus down".into(),
            });
        }
        self.inner.publish(event).await
    }
}

fn event(n: usize) -> Event {
    Event::new(
        Identity::Controller {
            name: format!("c{n}").parse().unwrap(),
        },
        "registered",
    )
}

/// Commits a transition (a state key) with its event staged in the same transaction.
async fn transition(store: &dyn ContextStore, n: usize) -> Event {
    let e = event(n);
    let txn = Txn::new().and_then([Op::put(Key::from("/test/state"), n.to_string())]);
    let response = store.txn(Outbox::stage_in(txn, &e).unwrap()).await.unwrap();
    assert!(response.succeeded);
    e
}

fn fast() -> Config {
    Config {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    }
}

/// Waits until `bus` holds `n` events and the outbox is empty.
async fn caught_up(store: &dyn ContextStore, bus: &MemoryBus, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let empty = store.range(&Outbox::prefix()).await.unwrap().kvs.is_empty();
        if empty && bus.replay().len() >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "relay did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_relay_drains_then_follows_in_commit_order_and_empties_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let bus = MemoryBus::new(64);
    let mut expected = Vec::new();
    for n in 0..3 {
        expected.push(transition(store.as_ref(), n).await.id);
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(
        fast()
            .build(store.clone(), Arc::new(bus.clone()))
            .run(async {
                let _ = stopped.await;
            }),
    );
    for n in 3..6 {
        expected.push(transition(store.as_ref(), n).await.id);
    }
    caught_up(store.as_ref(), &bus, 6).await;
    let published: Vec<_> = bus.replay().into_iter().map(|m| m.event.id).collect();
    assert_eq!(published, expected);
    stop.send(()).unwrap();
    relay.await.unwrap();
}

#[tokio::test]
async fn a_failing_bus_delays_events_but_never_drops_or_reorders_them() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let memory = MemoryBus::new(64);
    let flaky = Flaky {
        failures: AtomicUsize::new(7),
        inner: memory.clone(),
    };
    let relay = tokio::spawn(
        fast()
            .build(store.clone(), Arc::new(flaky))
            .run(std::future::pending()),
    );
    let mut expected = Vec::new();
    for n in 0..4 {
        expected.push(transition(store.as_ref(), n).await.id);
    }
    caught_up(store.as_ref(), &memory, 4).await;
    let published: Vec<_> = memory.replay().into_iter().map(|m| m.event.id).collect();
    assert_eq!(published, expected);
    relay.abort();
}

#[tokio::test]
async fn an_entry_published_but_not_deleted_is_published_once() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let bus = MemoryBus::new(64);
    let e = transition(store.as_ref(), 0).await;
    // A relay that died after the publish and before the delete.
    bus.publish(&e).await.unwrap();
    let relay = tokio::spawn(
        fast()
            .build(store.clone(), Arc::new(bus.clone()))
            .run(std::future::pending()),
    );
    caught_up(store.as_ref(), &bus, 1).await;
    assert_eq!(bus.replay().len(), 1);
    relay.abort();
}

#[tokio::test]
async fn the_events_of_one_entry_go_out_in_staged_order_and_the_entry_goes_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let bus = MemoryBus::new(64);
    let mut expected = vec![transition(store.as_ref(), 0).await.id];
    // One transition staging three events in one entry, then another with one.
    let three: Vec<Event> = (1..4).map(event).collect();
    let mut txn = Txn::new().and_then([Op::put(Key::from("/test/state"), "3")]);
    txn.success
        .extend(Outbox::stage_all(&three).unwrap().into_iter());
    assert!(store.txn(txn).await.unwrap().succeeded);
    assert_eq!(store.range(&Outbox::prefix()).await.unwrap().kvs.len(), 2);
    expected.extend(three.iter().map(|e| e.id));
    expected.push(transition(store.as_ref(), 4).await.id);
    let relay = tokio::spawn(
        fast()
            .build(store.clone(), Arc::new(bus.clone()))
            .run(std::future::pending()),
    );
    caught_up(store.as_ref(), &bus, 5).await;
    let published: Vec<_> = bus.replay().into_iter().map(|m| m.event.id).collect();
    assert_eq!(published, expected);
    relay.abort();
}

#[tokio::test]
async fn an_entry_that_cannot_be_decoded_stays_and_the_others_of_its_batch_go() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let bus = MemoryBus::new(64);
    let first = transition(store.as_ref(), 0).await.id;
    let bad = Key::new(format!("{}garbage", crate::events::outbox::PREFIX));
    store.put(&bad, b"not msgpack".to_vec()).await.unwrap();
    let last = transition(store.as_ref(), 1).await.id;
    let relay = tokio::spawn(
        fast()
            .build(store.clone(), Arc::new(bus.clone()))
            .run(std::future::pending()),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = store.range(&Outbox::prefix()).await.unwrap().kvs;
        if left.len() == 1 {
            assert_eq!(left[0].key, bad);
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "relay did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let published: Vec<_> = bus.replay().into_iter().map(|m| m.event.id).collect();
    assert_eq!(published, vec![first, last]);
    relay.abort();
}
