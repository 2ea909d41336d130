//! The transactional outbox (docs/DESIGN.md §8): a transition's event is written in the same context-store
//! transaction as the transition, under `/canopy/outbox/<event id>`, and the [relay](super::relay)
//! publishes it and deletes it.
//!
//! # Order
//!
//! Events are published in commit order: the relay orders entries by the revision of the transaction that
//! created them (then by key, for several events of one transaction), not by key alone. The store revision
//! is the one sequence every process agrees on, and it is exactly commit order, for all events and so for
//! the events of one DIG. The key is the event id, a UUID v7: unique without coordination, and roughly in
//! time order when listed, but ids are minted before their transaction commits (and on clocks that may
//! differ between processes), so key order alone could put a later commit first. A counter key bumped in
//! every transaction would give ordered keys too, but would make every transition in the system conflict
//! with every other one.
//!
//! This module is the only place outbox keys are built.

use canopy_schemas::event::{self, Event};

use crate::context::{Key, KeyValue, Op, Txn};

/// The prefix every outbox entry lives under.
pub const PREFIX: &str = "/canopy/outbox/";

/// An outbox entry could not be read back. Terminal: the same bytes fail the same way again.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The entry's value is not an event envelope.
    #[error("decoding the outbox entry {key}")]
    Decode {
        /// The entry's key.
        key: Key,
        /// What failed.
        #[source]
        source: event::Error,
    },
    /// The event could not be encoded.
    #[error("encoding an event for the outbox")]
    Encode(#[source] event::Error),
}

/// The outbox's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds outbox operations and reads outbox entries. It holds nothing: every call is a pure function of
/// its arguments.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outbox;

impl Outbox {
    /// The prefix the relay ranges and watches.
    pub fn prefix() -> Key {
        Key::from(PREFIX)
    }

    /// The key of `event`'s entry: `/canopy/outbox/<event id>`.
    pub fn key(event: &Event) -> Key {
        let mut key = String::from(PREFIX);
        key.push_str(&event.id.to_string());
        Key::new(key)
    }

    /// The put that stages `event`: add it to the success branch of the transaction that makes the
    /// transition, so that both commit or neither does.
    pub fn stage(event: &Event) -> Result<Op> {
        let value = event.to_msgpack().map_err(Error::Encode)?;
        Ok(Op::put(Self::key(event), value))
    }

    /// `txn` with `event` staged at the end of its success branch.
    pub fn stage_in(mut txn: Txn, event: &Event) -> Result<Txn> {
        txn.success.push(Self::stage(event)?);
        Ok(txn)
    }

    /// The event an outbox entry holds.
    pub fn decode(kv: &KeyValue) -> Result<Event> {
        Event::from_msgpack(&kv.value).map_err(|source| Error::Decode {
            key: kv.key.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{ContextStore, EmbeddedStore};
    use canopy_schemas::event::Identity;

    fn event() -> Event {
        Event::new(
            Identity::Controller {
                name: "hpa".parse().unwrap(),
            },
            "registered",
        )
    }

    #[tokio::test]
    async fn a_staged_event_commits_with_the_transition_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path().join("c.redb")).unwrap();
        let e = event();
        let txn = Txn::new().and_then([Op::put(Key::from("/canopy/state"), b"on".to_vec())]);
        let response = store.txn(Outbox::stage_in(txn, &e).unwrap()).await.unwrap();
        assert!(response.succeeded);
        let range = store.range(&Outbox::prefix()).await.unwrap();
        assert_eq!(range.kvs.len(), 1);
        assert_eq!(range.kvs[0].create_revision, response.revision);
        assert_eq!(Outbox::decode(&range.kvs[0]).unwrap(), e);
        assert_eq!(range.kvs[0].key, Key::new(format!("{PREFIX}{}", e.id)));
    }

    #[tokio::test]
    async fn a_failed_transition_stages_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path().join("c.redb")).unwrap();
        let guard = crate::context::Compare::new(
            Key::from("/canopy/state"),
            crate::context::CompareOp::Equal,
            crate::context::Target::Value(b"off".to_vec()),
        );
        let txn = Txn::new().when([guard]);
        let response = store
            .txn(Outbox::stage_in(txn, &event()).unwrap())
            .await
            .unwrap();
        assert!(!response.succeeded);
        assert!(store.range(&Outbox::prefix()).await.unwrap().kvs.is_empty());
    }
}
