//! The outbox relay: publishes every outbox entry on the [`Bus`], waits for the bus's acknowledgement, then
//! deletes the entry.
//!
//! It first drains the entries already there (a range, ordered by the revision that created each entry,
//! which is commit order; see [`outbox`](super::outbox)), then follows new ones with a watch from the
//! range's revision + 1, which delivers them in revision order. Entries go one at a time, so order is kept.
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
use crate::context::{self, ContextStore, EventKind, KeyValue, Revision};

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
        for kv in &range.kvs {
            self.forward(kv).await?;
        }
        Ok(range.revision)
    }

    /// Publishes and deletes each entry created from revision `from` on, as the watch delivers it.
    async fn follow(&self, from: Revision) -> context::Result<()> {
        let mut watch = self.store.watch(&Outbox::prefix(), Some(from)).await?;
        while let Some(change) = watch.next().await {
            let change = change?;
            if change.kind == EventKind::Put {
                self.forward(&change.kv).await?;
            }
        }
        Ok(())
    }

    /// Publishes one entry, retrying until the bus acknowledges it, then deletes it.
    async fn forward(&self, kv: &KeyValue) -> context::Result<()> {
        let event = match Outbox::decode(kv) {
            Ok(event) => event,
            Err(e) => {
                error!(error = %e, key = %kv.key, "outbox entry cannot be published; left in place");
                return Ok(());
            }
        };
        if let Some(ack) = self.publish(&event).await {
            debug!(id = %event.id, sequence = ack.sequence, duplicate = ack.duplicate, "event published");
            self.store.delete(&kv.key).await?;
        }
        Ok(())
    }

    /// Publishes `event`, retrying retryable failures forever; `None` after a terminal one.
    async fn publish(&self, event: &Event) -> Option<Ack> {
        let mut backoff = Backoff::new(&self.config);
        loop {
            match self.bus.publish(event).await {
                Ok(ack) => return Some(ack),
                Err(e) if e.is_retryable() => {
                    warn!(error = %e, id = %event.id, "publishing an event failed; retrying");
                    backoff.wait().await;
                }
                Err(e) => {
                    error!(error = %e, id = %event.id, "event cannot be published; left in the outbox");
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
