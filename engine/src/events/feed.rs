//! Reading events back from a bus: what `GET /v2/events` serves. A [`Feed`] opens a [`Subscription`] at a
//! [`Start`] (only new events, a sequence, or a time), narrowed to some subject patterns, and gives every
//! stored event from there on in sequence order as a [`Delivery`], then (when following) every event
//! published after, as it is stored.
//!
//! - [`memory`]: the feed of [`MemoryBus`](super::bus::MemoryBus): its replay buffer, then its broadcast
//!   channel; a subscriber that falls behind the channel gets [`Error::Lagged`], never a silent gap;
//! - [`jetstream`]: the feed of [`JetStreamBus`](super::bus::JetStreamBus): an ordered consumer on the
//!   stream `CANOPY_EVENTS` with the subjects as filter and the start as deliver policy.
//!
//! A feed never waits for its reader's reader: how fast a subscriber reads is the caller's business (the
//! API cuts off a client whose buffer is full).

pub mod jetstream;
pub mod memory;

use async_trait::async_trait;
use canopy_schemas::Timestamp;
use canopy_schemas::event::Delivery;
use canopy_schemas::event::filter::SubjectPattern;
use futures::stream::BoxStream;

/// Where a subscription starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After the last event stored when the subscription opens: only new events.
    New,
    /// At this sequence (1 is the first event ever stored). Events the bus no longer keeps are skipped:
    /// the subscription starts at the oldest one it keeps.
    Sequence(u64),
    /// At the first event stored at or after this time.
    Time(Timestamp),
}

/// What to open.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where to start.
    pub start: Start,
    /// Only events whose subject matches one of these (none: every event). The feed narrows with them; the
    /// caller's own filter may narrow further.
    pub subjects: Vec<SubjectPattern>,
    /// True to go on with events published after the subscription opens. False to end once every event
    /// stored when it opened (up to [`Subscription::last`]) has been given.
    pub follow: bool,
}

/// An open subscription.
pub struct Subscription {
    /// The sequence of the last event stored when the subscription opened (0: none yet).
    pub last: u64,
    /// The deliveries, in sequence order. An `Err` item ends the subscription; a subscriber resumes at
    /// the sequence after the last delivery it got.
    pub deliveries: BoxStream<'static, Result<Delivery>>,
}

/// Opening or reading a subscription failed. Every variant is worth retrying: open again from the last
/// sequence delivered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The subscription could not be opened (the stream or its consumer could not be reached or made).
    #[error("opening a subscription on {stream}")]
    Open {
        /// The stream.
        stream: &'static str,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The subscriber fell so far behind the in-process bus's live channel that events it had not read
    /// were overwritten.
    #[error("the subscriber fell {missed} events behind the in-process bus after sequence {after}")]
    Lagged {
        /// The last sequence the subscription saw before the gap.
        after: u64,
        /// How many events it missed.
        missed: u64,
    },
    /// Reading the next event failed.
    #[error("reading {stream} after sequence {after}")]
    Read {
        /// The stream.
        stream: &'static str,
        /// The last sequence delivered.
        after: u64,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The feed's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A bus that subscribers can read events back from.
#[async_trait]
pub trait Feed: Send + Sync + 'static {
    /// Opens a subscription.
    async fn open(&self, request: Request) -> Result<Subscription>;
}

/// True when `subject` matches one of `patterns`, or `patterns` is empty.
fn wanted(patterns: &[SubjectPattern], subject: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| p.matches(subject))
}
