//! What the store keeps and the writes it takes.

use std::fmt;

use bytes::Bytes;
use serde_json::Value;

use super::key::Key;

/// A unique claim: at most one object holds a given claim at a time. Used for rules such as "one app
/// profile per app per composite profile".
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Claim(String);

impl Claim {
    /// A claim on `what` within `scope`, e.g. `Claim::new(&composite_profile, "profile-for-app", "web")`.
    pub fn new(scope: &Key, rule: &str, what: &str) -> Self {
        Self(format!("{}#{rule}={what}", scope.storage_key()))
    }

    /// The claim as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a stored claim back.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once('#') {
            Some((scope, rule)) => write!(f, "{rule} in {scope}"),
            None => f.write_str(&self.0),
        }
    }
}

/// One stored object.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its key.
    pub key: Key,
    /// Its JSON body, as the API returns it.
    pub data: Value,
    /// The keys it references.
    pub refs: Vec<Key>,
    /// The claims it holds.
    pub claims: Vec<Claim>,
    /// The names of its blobs, sorted.
    pub blobs: Vec<String>,
}

/// The content of a create or replace.
#[derive(Debug, Clone)]
pub struct Put {
    /// The key written.
    pub key: Key,
    /// The JSON body.
    pub data: Value,
    /// Keys it references; each must exist.
    pub refs: Vec<Key>,
    /// Claims it takes; none may be held by another object.
    pub claims: Vec<Claim>,
    /// Blobs written with it, by name. On replace, blobs not named here are kept.
    pub blobs: Vec<(String, Bytes)>,
}

impl Put {
    /// A put of `data` at `key` with no references, claims or blobs.
    pub fn new(key: Key, data: Value) -> Self {
        Self {
            key,
            data,
            refs: Vec::new(),
            claims: Vec::new(),
            blobs: Vec::new(),
        }
    }

    /// Adds references.
    pub fn refs(mut self, refs: impl IntoIterator<Item = Key>) -> Self {
        self.refs.extend(refs);
        self
    }

    /// Adds claims.
    pub fn claims(mut self, claims: impl IntoIterator<Item = Claim>) -> Self {
        self.claims.extend(claims);
        self
    }

    /// Adds a blob.
    pub fn blob(mut self, name: impl Into<String>, bytes: Bytes) -> Self {
        self.blobs.push((name.into(), bytes));
        self
    }
}

/// One write of a transaction.
#[derive(Debug, Clone)]
pub enum Write {
    /// Create; fails if the key exists.
    Create(Put),
    /// Create or replace.
    Replace(Put),
    /// Delete; fails if absent, if it has children, or if it is referenced.
    Delete(Key),
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new object.
    Created,
    /// An existing object replaced.
    Updated,
    /// An object removed.
    Deleted,
}

/// Which page of a listing to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Start after this token (from [`Page::next`]).
    pub after: Option<String>,
    /// At most this many items; `None` for all.
    pub limit: Option<usize>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The items, in key order.
    pub items: Vec<Record>,
    /// The token for the next page, when there may be more.
    pub next: Option<String>,
}
