//! One virtual cluster's objects, its resourceVersion counter and its recent change history for watches.
//!
//! Objects are kept as serialized JSON, not as `serde_json::Value` trees: a parsed Deployment takes ten
//! times the memory of its text, and 10,000 clusters must fit in one process. Reads parse on demand.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
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
    /// The object after the change (before it, for deletes), as JSON.
    pub object: Bytes,
    /// For MODIFIED: the labels before the change, so that a watch with a label selector can tell an
    /// object entering or leaving its selection.
    pub prev_labels: Option<Value>,
}

impl Event {
    /// The object, parsed.
    pub fn object(&self) -> Value {
        parse(&self.object)
    }
}

fn parse(bytes: &[u8]) -> Value {
    // Only this module writes the bytes, from a `Value`, so they always parse.
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn encode(obj: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(obj).unwrap_or_default())
}

/// The mutable state of one cluster; always used under its cluster's lock.
#[derive(Debug, Default)]
pub struct Store {
    objects: BTreeMap<Key, Bytes>,
    /// The served kinds.
    pub kinds: Registry,
    rv: u64,
    history: VecDeque<Arc<Event>>,
    /// resourceVersion of the newest event dropped from `history`.
    floor: u64,
    /// Created by the first watch and dropped when the last one ends, so idle clusters hold no buffer.
    tx: Option<broadcast::Sender<Arc<Event>>>,
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

    /// The keys of objects whose JSON text contains `needle`: a cheap pre-filter before parsing.
    pub fn keys_containing(&self, needle: &str) -> Vec<Key> {
        let needle = needle.as_bytes();
        self.objects
            .iter()
            .filter(|(_, b)| !needle.is_empty() && b.windows(needle.len()).any(|w| w == needle))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The object stored under `key`.
    pub fn get(&self, key: &Key) -> Option<Value> {
        self.objects.get(key).map(|b| parse(b))
    }

    /// Whether an object is stored under `key`.
    pub fn contains(&self, key: &Key) -> bool {
        self.objects.contains_key(key)
    }

    /// Stores an object; returns the labels of the object it replaced, if any.
    pub fn insert(&mut self, key: Key, obj: &Value) -> Option<Value> {
        let old = self.objects.insert(key, encode(obj))?;
        Some(parse(&old)["metadata"]["labels"].take())
    }

    /// Removes an object and returns it.
    pub fn remove(&mut self, key: &Key) -> Option<Value> {
        self.objects.remove(key).map(|b| parse(&b))
    }

    /// The keys of all objects, in order.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.objects.keys()
    }

    /// The objects whose keys pass `filter`, parsed, in key order.
    pub fn scan(&self, filter: impl Fn(&Key) -> bool) -> impl Iterator<Item = (&Key, Value)> {
        self.objects
            .iter()
            .filter(move |(k, _)| filter(k))
            .map(|(k, b)| (k, parse(b)))
    }

    /// Records a change made at `rv` and tells the watchers. For ADDED and MODIFIED, `object` must be what
    /// was just stored under `key`: the event shares the stored text instead of holding a second copy (the
    /// kept history would otherwise double the memory of recently written objects).
    pub fn publish(
        &mut self,
        kind: EventType,
        key: Key,
        object: &Value,
        rv: u64,
        prev_labels: Option<Value>,
    ) {
        let stored = match kind {
            EventType::Deleted => None,
            EventType::Added | EventType::Modified => self.objects.get(&key).cloned(),
        };
        let event = Arc::new(Event {
            rv,
            kind,
            object: stored.unwrap_or_else(|| encode(object)),
            key,
            prev_labels,
        });
        if self.history.len() == HISTORY
            && let Some(old) = self.history.pop_front()
        {
            self.floor = old.rv;
        }
        self.history.push_back(event.clone());
        if let Some(tx) = &self.tx {
            if tx.receiver_count() == 0 {
                self.tx = None;
            } else {
                // Receivers may drop between the count and the send; that is fine.
                let _ = tx.send(event);
            }
        }
    }

    /// The kept events after `rv`, or `None` if some of them were already dropped.
    pub fn since(&self, rv: u64) -> Option<Vec<Arc<Event>>> {
        if rv < self.floor {
            return None;
        }
        Some(self.history.iter().filter(|e| e.rv > rv).cloned().collect())
    }

    /// How many watches are open on the cluster now.
    pub fn watchers(&self) -> usize {
        self.tx
            .as_ref()
            .map_or(0, broadcast::Sender::receiver_count)
    }

    /// A receiver of every change from now on.
    pub fn subscribe(&mut self) -> broadcast::Receiver<Arc<Event>> {
        self.tx
            .get_or_insert_with(|| broadcast::channel(CHANNEL).0)
            .subscribe()
    }
}
