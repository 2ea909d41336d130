//! The event bus: where the relay publishes events. A publish returns once the bus has stored the event;
//! publishing an event whose id the bus has already stored is acknowledged as a duplicate and stores
//! nothing, which is what makes a re-publish after a crash harmless.
//!
//! - [`JetStreamBus`] ([`jetstream`]): NATS JetStream, deduplicating by `Nats-Msg-Id`;
//! - [`MemoryBus`] ([`memory`]): an in-process bus with a bounded replay buffer.

pub mod jetstream;
pub mod memory;

use std::sync::Arc;

use async_trait::async_trait;
use canopy_schemas::event::Event;

use super::feed::Feed;

pub use jetstream::JetStreamBus;
pub use memory::MemoryBus;

/// A publish failed. [`Error::is_retryable`] says whether the same publish may succeed later.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The event could not be encoded; publishing it again fails the same way.
    #[error("encoding the event")]
    Encode(#[source] canopy_schemas::event::Error),
    /// Sending the event or waiting for its acknowledgement failed (NATS down, a timeout).
    #[error("publishing event {id} on {subject}")]
    Publish {
        /// The event.
        id: String,
        /// Its subject.
        subject: String,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The NATS server does not run JetStream, so there is no stream to publish to.
    #[error(
        "the NATS server has no JetStream, which canopy needs to keep events in the stream {stream}; \
         start nats-server with -js (--jetstream), or set `jetstream {{}}` in its configuration file"
    )]
    NoJetStream {
        /// The stream that was to be made.
        stream: String,
    },
    /// Creating or updating the stream failed.
    #[error("ensuring the JetStream stream {stream}")]
    Stream {
        /// The stream's name.
        stream: String,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// True when the same call may succeed later: a failed publish or stream request is worth retrying, a
    /// failed encoding or a server without JetStream is not.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Publish { .. } | Self::Stream { .. })
    }
}

/// The bus's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the bus said about one publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    /// The event's position in the bus (the JetStream stream sequence), starting at 1.
    pub sequence: u64,
    /// True when the bus already had this event id and stored nothing.
    pub duplicate: bool,
}

/// Where events are published.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Publishes `event` on its subject and waits until the bus has stored it (or recognised it as a
    /// duplicate).
    async fn publish(&self, event: &Event) -> Result<Ack>;

    /// Publishes `events` in order and waits until the bus has stored each. A failure may leave a prefix
    /// stored; publishing the same events again stores each once. The default publishes one at a time; a
    /// bus that can, sends them all before it waits for the first acknowledgement.
    async fn publish_all(&self, events: &[Event]) -> Result<Vec<Ack>> {
        let mut acks = Vec::with_capacity(events.len());
        for e in events {
            acks.push(self.publish(e).await?);
        }
        Ok(acks)
    }

    /// Where subscribers read this bus's events back (`GET /v2/events`), if they can. The default is none:
    /// a bus that only publishes (a test double) has nothing to read back.
    fn feed(&self) -> Option<Arc<dyn Feed>> {
        None
    }
}
