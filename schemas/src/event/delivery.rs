//! One event as a subscriber receives it: its position in the bus, the subject it was published on, and the
//! envelope. This is the JSON form of an event outside NATS: the `data` of each Server-Sent Event of
//! `GET /v2/events`, and each line of `canopy events -o json`. On NATS the same three things are the
//! message's stream sequence, its subject and its MessagePack payload.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Event;

/// One delivered event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// The event's position in the bus: the JetStream stream sequence, or the in-process bus's sequence.
    /// It starts at 1 and only grows; `--from-seq` and SSE's `Last-Event-ID` name it.
    pub sequence: u64,
    /// The NATS subject the event was published on ([`Event::subject`]).
    pub subject: String,
    /// The envelope.
    pub event: Event,
}

impl Delivery {
    /// The delivery of `event` at `sequence`, on the event's own subject.
    pub fn new(sequence: u64, event: Event) -> Self {
        Self {
            sequence,
            subject: event.subject().into_string(),
            event,
        }
    }
}
