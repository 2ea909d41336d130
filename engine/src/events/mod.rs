//! Lifecycle events leaving the engine (docs/DESIGN.md §8): the transactional outbox and the relay that
//! publishes it.
//!
//! - [`outbox`]: stages a transaction's events as one more operation of the caller's own context-store
//!   transaction: one entry under `/canopy/outbox/<first event id>` holding them in order;
//! - [`relay`]: drains the outbox and follows it, publishing every event on a [`Bus`] in commit order, then
//!   deleting the entries, in batches;
//! - [`bus`]: where events are published: [`bus::JetStreamBus`] (the stream `CANOPY_EVENTS`) and
//!   [`bus::MemoryBus`] (in process, for the embedded mode and tests);
//! - [`feed`]: reading events back from a bus for subscribers (`GET /v2/events`), from a sequence, a time,
//!   or only new ones;

pub mod bus;
pub mod feed;
pub mod outbox;
pub mod relay;

pub use bus::Bus;
pub use feed::Feed;
pub use outbox::Outbox;
