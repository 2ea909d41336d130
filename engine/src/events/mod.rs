//! Lifecycle events leaving the engine (docs/DESIGN.md §8): the transactional outbox and the relay that
//! publishes it.
//!
//! - [`outbox`]: stages an event as one more operation of the caller's own context-store transaction, under
//!   `/canopy/outbox/<event id>`;
//! - [`relay`]: drains the outbox and follows it, publishing each event on a [`Bus`] in commit order, then
//!   deleting it;
//! - [`bus`]: where events are published: [`bus::JetStreamBus`] (the stream `CANOPY_EVENTS`) and
//!   [`bus::MemoryBus`] (in process, for the embedded mode and tests).

pub mod bus;
pub mod outbox;
pub mod relay;

pub use bus::Bus;
pub use outbox::Outbox;
