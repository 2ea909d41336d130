//! The transactional outbox (docs/DESIGN.md §8): a transition's events are written in the same
//! context-store transaction as the transition, as one entry under `/canopy/outbox/<first event id>` that
//! holds them all in order, and the [relay](super::relay) publishes them and deletes the entry. One entry
//! per transaction, not one per event: a status write of an app with ten resources stages eleven events,
//! and one key instead of eleven is an eleventh of the store's work to write and delete them.
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
    /// The entry's value is not a list of event envelopes.
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

    /// The key of the entry whose first event is `event`: `/canopy/outbox/<event id>`.
    pub fn key(event: &Event) -> Key {
        let mut key = String::from(PREFIX);
        key.push_str(&event.id.to_string());
        Key::new(key)
    }

    /// The put that stages `event`: add it to the success branch of the transaction that makes the
    /// transition, so that both commit or neither does.
    pub fn stage(event: &Event) -> Result<Op> {
        Ok(Self::stage_all(std::slice::from_ref(event))?.expect("one event"))
    }

    /// The put that stages `events`, in order, as one entry; `None` when there are none.
    pub fn stage_all(events: &[Event]) -> Result<Option<Op>> {
        let Some(first) = events.first() else {
            return Ok(None);
        };
        let value = Event::list_to_msgpack(events).map_err(Error::Encode)?;
        Ok(Some(Op::put(Self::key(first), value)))
    }

    /// `txn` with `event` staged at the end of its success branch.
    pub fn stage_in(mut txn: Txn, event: &Event) -> Result<Txn> {
        txn.success.push(Self::stage(event)?);
        Ok(txn)
    }

    /// The events an outbox entry holds, in the order they were staged.
    pub fn decode(kv: &KeyValue) -> Result<Vec<Event>> {
        Event::list_from_msgpack(&kv.value).map_err(|source| Error::Decode {
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
        assert_eq!(range.kvs[0].key, Key::new(format!("{PREFIX}{}", e.id)));
        assert_eq!(Outbox::decode(&range.kvs[0]).unwrap(), vec![e]);
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
