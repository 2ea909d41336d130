//! The outbox relay: publishes every outbox entry on the [`Bus`], waits for the bus's acknowledgement, then
//! deletes the entry.
//!
//! It first drains the entries already there (a range, ordered by the revision that created each entry,
//! which is commit order; see [`outbox`](super::outbox)), then follows new ones with a watch from the
//! range's revision + 1, which delivers them in revision order. Entries go in batches (up to [`BATCH`]
//! entries: those present, or those the watch has delivered already): every event of the batch is sent in
//! order, the acknowledgements awaited, and the batch's entries deleted in one transaction. A batch is
//! published whole before the next starts, so order is kept.
//!
//! Nothing is dropped or reordered: a failed publish is retried with capped exponential backoff, forever,
//! before the relay moves on. A store error (or a watch that ends) sends the relay back to draining, after a
//! backoff. An entry published but not yet deleted when the relay stops or the process dies is published
//! again by the next relay; the bus recognises its id and stores it once (JetStream: `Nats-Msg-Id`, within
//! the stream's duplicate window).
//!
//! An entry that can never be published (it does not decode, or the bus refuses it as terminal) is logged
//! and left in the outbox for an operator, and the relay goes on with the next one.
//!
//! One relay should run per context store; two would publish the same events, harmlessly thanks to the
//! deduplication, but in an order that interleaves.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use canopy_schemas::event::Event;
use tracing::{debug, error, warn};

use super::bus::{Ack, Bus};
use super::outbox::Outbox;
use crate::context::{self, ContextStore, EventKind, KeyValue, MAX_OPS, Op, Revision, Txn};

/// The most outbox entries published together and deleted in one transaction.
pub const BATCH: usize = MAX_OPS;

/// How the relay backs off.
#[derive(Clone, Debug)]
pub struct Config {
    /// The first delay after a failure.
    pub initial_backoff: Duration,
    /// The longest delay between two attempts.
    pub max_backoff: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// A relay from `store`'s outbox to `bus`.
    pub fn build(self, store: Arc<dyn ContextStore>, bus: Arc<dyn Bus>) -> Relay {
        Relay {
            config: self,
            store,
            bus,
        }
    }
}

/// The relay service; [`Relay::run`] is its loop.
pub struct Relay {
    config: Config,
    store: Arc<dyn ContextStore>,
    bus: Arc<dyn Bus>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A delay that doubles after each failure, up to a cap.
struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    fn new(config: &Config) -> Self {
        Self {
            next: config.initial_backoff,
            max: config.max_backoff,
        }
    }

    async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(self.max);
    }
}

impl Relay {
    /// Relays until `shutdown` completes. Stopping between a publish and its delete is safe: the entry is
    /// published again by the next relay and deduplicated by the bus.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::select! {
            biased;
            () = shutdown => debug!("outbox relay stopped"),
            () = self.relay() => {}
        }
    }

    /// Drains, then follows, and starts over after a store error or the end of the watch.
    async fn relay(&self) {
        let mut backoff = Backoff::new(&self.config);
        loop {
            let ended = match self.drain().await {
                Ok(revision) => {
                    // A drain that got through means the store is healthy: start the backoff afresh.
                    backoff = Backoff::new(&self.config);
                    self.follow(revision.next()).await
                }
                Err(e) => Err(e),
            };
            match ended {
                Ok(()) => debug!("outbox watch ended; draining again"),
                Err(e) => warn!(error = %e, "outbox relay: context store; draining again"),
            }
            backoff.wait().await;
        }
    }

    /// Publishes and deletes every entry present now, in commit order; returns the revision read at.
    async fn drain(&self) -> context::Result<Revision> {
        let mut range = self.store.range(&Outbox::prefix()).await?;
        range
            .kvs
            .sort_by(|a, b| (a.create_revision, &a.key).cmp(&(b.create_revision, &b.key)));
        for batch in range.kvs.chunks(BATCH) {
            self.forward(batch).await?;
        }
        Ok(range.revision)
    }

    /// Publishes and deletes each entry created from revision `from` on, as the watch delivers it: the
    /// entries delivered already go together.
    async fn follow(&self, from: Revision) -> context::Result<()> {
        let mut watch = self.store.watch(&Outbox::prefix(), Some(from)).await?;
        let mut batch = Vec::new();
        while let Some(change) = watch.next().await {
            let mut next = Some(change);
            while let Some(change) = next {
                let change = change?;
                if change.kind == EventKind::Put {
                    batch.push(change.kv);
                }
                next = if batch.len() < BATCH {
                    watch.try_next()
                } else {
                    None
                };
            }
            self.forward(&batch).await?;
            batch.clear();
        }
        Ok(())
    }

    /// Publishes the events of `entries` in order, retrying until the bus acknowledges them, then deletes
    /// the entries in one transaction.
    async fn forward(&self, entries: &[KeyValue]) -> context::Result<()> {
        let mut events = Vec::new();
        let mut done = Vec::with_capacity(entries.len());
        for kv in entries {
            match Outbox::decode(kv) {
                Ok(e) => {
                    events.extend(e);
                    done.push(Op::Delete(kv.key.clone()));
                }
                Err(e) => {
                    error!(error = %e, key = %kv.key, "outbox entry cannot be published; left in place");
                }
            }
        }
        if events.is_empty() {
            return Ok(());
        }
        if self.publish(&events).await.is_some() {
            self.store.txn(Txn::new().and_then(done)).await?;
            return Ok(());
        }
        // An event of the batch can never be published: go entry by entry, so that only the entries
        // holding such an event stay in the outbox.
        for kv in entries {
            let Ok(events) = Outbox::decode(kv) else {
                continue;
            };
            if entries.len() > 1 && self.publish(&events).await.is_some() {
                self.store.delete(&kv.key).await?;
            } else {
                error!(key = %kv.key, "outbox entry cannot be published; left in place");
            }
        }
        Ok(())
    }

    /// Publishes `events`, retrying retryable failures forever; `None` after a terminal one.
    async fn publish(&self, events: &[Event]) -> Option<Vec<Ack>> {
        let mut backoff = Backoff::new(&self.config);
        loop {
            match self.bus.publish_all(events).await {
                Ok(acks) => {
                    for (event, ack) in events.iter().zip(&acks) {
                        debug!(id = %event.id, sequence = ack.sequence, duplicate = ack.duplicate, "event published");
                    }
                    return Some(acks);
                }
                Err(e) if e.is_retryable() => {
                    warn!(error = %e, "publishing events failed; retrying");
                    backoff.wait().await;
                }
                Err(e) => {
                    error!(error = %e, "events cannot be published; left in the outbox");
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
