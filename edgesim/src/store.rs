//! One virtual cluster's objects, its resourceVersion counter and its recent change history for watches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use crate::kind::Registry;

/// How many past events each cluster keeps so that a watch can resume from a recent resourceVersion.
const HISTORY: usize = 64;
/// Capacity of the live event channel; a watcher that falls further behind is closed and re-lists.
const CHANNEL: usize = 256;

/// Identity of a stored object. The version is not part of it: one object is served at every version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// API group, empty for core.
    pub group: String,
    /// Plural resource name.
    pub plural: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Object name.
    pub name: String,
}

/// The type of a watch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// The object was created.
    Added,
    /// The object changed.
    Modified,
    /// The object was deleted.
    Deleted,
}

impl EventType {
    /// The wire name used in watch streams.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change to one object.
#[derive(Debug, Clone)]
pub struct Event {
    /// The resourceVersion the change produced.
    pub rv: u64,
    /// What happened.
    pub kind: EventType,
    /// Which object.
    pub key: Key,
    /// The object after the change (before it, for deletes).
    pub object: Value,
}

/// The mutable state of one cluster; always used under its cluster's lock.
#[derive(Debug)]
pub struct Store {
    /// Objects by key.
    pub objects: BTreeMap<Key, Value>,
    /// The served kinds.
    pub kinds: Registry,
    rv: u64,
    history: VecDeque<Arc<Event>>,
    /// resourceVersion of the newest event dropped from `history`.
    floor: u64,
    tx: broadcast::Sender<Arc<Event>>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            objects: BTreeMap::new(),
            kinds: Registry::default(),
            rv: 0,
            history: VecDeque::new(),
            floor: 0,
            tx: broadcast::channel(CHANNEL).0,
        }
    }
}

impl Store {
    /// The current resourceVersion of the cluster.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// Takes the next resourceVersion.
    pub fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// Records a change made at `rv` and tells the watchers.
    pub fn publish(&mut self, kind: EventType, key: Key, object: Value, rv: u64) {
        let event = Arc::new(Event {
            rv,
            kind,
            key,
            object,
        });
        if self.history.len() == HISTORY
            && let Some(old) = self.history.pop_front()
        {
            self.floor = old.rv;
        }
        self.history.push_back(event.clone());
        // No receivers is normal: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// The kept events after `rv`, or `None` if some of them were already dropped.
    pub fn since(&self, rv: u64) -> Option<Vec<Arc<Event>>> {
        if rv < self.floor {
            return None;
        }
        Some(self.history.iter().filter(|e| e.rv > rv).cloned().collect())
    }

    /// A receiver of every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }
}
