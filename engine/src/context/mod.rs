//! The context store: a key-value store with revisions, where AppContexts, lifecycle state and rsync's
//! progress are kept (docs/DESIGN.md §2 and §5).
//!
//! - [`ContextStore`]: the trait, with get, put, delete, prefix range, compare-and-swap transactions
//!   ([`Txn`]), watch from a revision ([`Watch`]) and compaction;
//! - [`txn`]: transactions: compares, operations and their responses;
//! - [`watch`]: watch events and the stream that carries them;
//! - [`etcd`]: etcd through `etcd-client`, with bounded retries on lost connections;
//! - [`embedded`]: redb, in the same file as the embedded resource store, with etcd's revision model;
//! - [`retry`]: backoff for retryable errors, bounded in total time;
//! - [`conformance`]: the suite both implementations pass.
//!
//! Revisions follow etcd: one store-wide counter that each writing transaction increments by one; every key
//! carries the revision that created it, the revision that last modified it, and its version (puts since
//! creation).

pub mod conformance;
pub mod embedded;
pub mod etcd;
pub mod txn;
pub mod watch;

pub mod retry;

mod codec;

use std::fmt;

use async_trait::async_trait;

pub use embedded::EmbeddedStore;
pub use etcd::EtcdStore;
pub use txn::{Compare, CompareOp, MAX_OPS, Op, OpResponse, Target, Txn, TxnResponse};
pub use watch::{Event, EventKind, Watch};

/// A key in the context store: raw bytes, usually UTF-8 paths such as `/canopy/ctx/1/meta`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(Vec<u8>);

impl Key {
    /// A key from its bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// True when this key starts with `prefix`.
    pub fn starts_with(&self, prefix: &Key) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({self})")
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(&self.0))
    }
}

/// A store revision. The empty store is at revision 1; 0 means "none" (a key that does not exist has
/// create revision 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Revision(pub i64);

impl Revision {
    /// The revision after this one.
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A key with its value and revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// The key.
    pub key: Key,
    /// The value (empty in a delete event).
    pub value: Vec<u8>,
    /// The revision of the transaction that created the key.
    pub create_revision: Revision,
    /// The revision of the transaction that last changed the key.
    pub mod_revision: Revision,
    /// Puts since the key was created, starting at 1 (0 in a delete event).
    pub version: i64,
}

/// The result of a get or a prefix range, with the store revision it was read at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// The keys found, in key order.
    pub kvs: Vec<KeyValue>,
    /// The store revision when read.
    pub revision: Revision,
}

/// A context store operation failed. [`Error::is_retryable`] says whether the same call may succeed later.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A transaction with more compares or operations in one branch than the store accepts.
    #[error("transaction has {count} {what}; at most {MAX_OPS} are allowed")]
    TooManyOps {
        /// "compares", "success operations" or "failure operations".
        what: &'static str,
        /// How many there were.
        count: usize,
    },
    /// A transaction branch that writes a key twice (two puts, or a put inside a delete), which etcd refuses.
    #[error("transaction writes {0} more than once in one branch")]
    DuplicateKey(Key),
    /// A watch or compaction at a revision that has been compacted away.
    #[error("revision {requested} has been compacted (history starts at {compacted})")]
    Compacted {
        /// The revision asked for.
        requested: Revision,
        /// The store's compaction revision (0 when the backend does not say).
        compacted: Revision,
    },
    /// A compaction at a revision the store has not reached.
    #[error("revision {0} is a future revision")]
    FutureRevision(Revision),
    /// A watcher fell too far behind the live events and was cancelled; watch again from the next revision
    /// it needs.
    #[error("watcher fell behind by {0} batches and was cancelled")]
    WatchLagged(u64),
    /// The backend failed.
    #[error("context store backend: {message}")]
    Backend {
        /// What failed.
        message: String,
        /// True when the same call may succeed later (lost connection, unavailable server).
        retryable: bool,
    },
}

impl Error {
    /// True when retrying the same call may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Backend {
                retryable: true,
                ..
            }
        )
    }
}

/// The context store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A key-value store with revisions, compare-and-swap transactions, prefix range and watch.
///
/// Implementations provide [`ContextStore::txn`], [`ContextStore::watch`] and [`ContextStore::compact`];
/// the single-key calls are transactions of one operation.
#[async_trait]
pub trait ContextStore: Send + Sync + 'static {
    /// Runs `txn` atomically: if every compare holds, its success operations, else its failure
    /// operations. A transaction that changes something increments the store revision by one.
    async fn txn(&self, txn: Txn) -> Result<TxnResponse>;

    /// Streams the changes to keys under `prefix`: first those since `from` (inclusive) from history,
    /// then live ones, in revision order. `None` starts with the next change. A `from` older than the
    /// compaction revision gives [`Error::Compacted`], from this call or as the stream's first item.
    /// Dropping the [`Watch`] cancels it.
    async fn watch(&self, prefix: &Key, from: Option<Revision>) -> Result<Watch>;

    /// Discards history before `revision`: a later watch from an earlier revision fails with
    /// [`Error::Compacted`].
    async fn compact(&self, revision: Revision) -> Result<()>;

    /// Reads one key.
    async fn get(&self, key: &Key) -> Result<Option<KeyValue>> {
        let mut range = single(self, Op::Get(key.clone())).await?.into_range();
        Ok(range.kvs.pop())
    }

    /// Reads several keys at one revision, in one round trip; one answer per key, in order.
    async fn get_all(&self, keys: &[Key]) -> Result<Vec<Option<KeyValue>>> {
        let response = self
            .txn(Txn::new().and_then(keys.iter().cloned().map(Op::Get).collect::<Vec<_>>()))
            .await?;
        Ok(response
            .responses
            .into_iter()
            .map(|r| r.into_range().kvs.pop())
            .collect())
    }

    /// Reads every key under `prefix`, in key order, with the revision read at.
    async fn range(&self, prefix: &Key) -> Result<Range> {
        Ok(single(self, Op::Range(prefix.clone())).await?.into_range())
    }

    /// How many keys are under `prefix`. The default reads them; a store that can count without sending
    /// the keys (etcd) does.
    async fn count(&self, prefix: &Key) -> Result<usize> {
        Ok(self.range(prefix).await?.kvs.len())
    }

    /// Writes one key; returns the revision of the write.
    async fn put(&self, key: &Key, value: Vec<u8>) -> Result<Revision> {
        let response = self
            .txn(Txn::new().and_then([Op::put(key.clone(), value)]))
            .await?;
        Ok(response.revision)
    }

    /// Deletes one key; returns how many keys were deleted (0 or 1).
    async fn delete(&self, key: &Key) -> Result<u64> {
        Ok(single(self, Op::Delete(key.clone())).await?.deleted())
    }

    /// Deletes every key under `prefix`; returns how many were deleted.
    async fn delete_prefix(&self, prefix: &Key) -> Result<u64> {
        let response = single(self, Op::DeletePrefix(prefix.clone())).await?;
        Ok(response.deleted())
    }

    /// The current store revision.
    async fn revision(&self) -> Result<Revision> {
        Ok(self.txn(Txn::new()).await?.revision)
    }
}

/// Runs one unconditional operation on `store` and returns its response.
async fn single<S: ContextStore + ?Sized>(store: &S, op: Op) -> Result<OpResponse> {
    let mut response = store.txn(Txn::new().and_then([op])).await?;
    response.responses.pop().ok_or_else(|| Error::Backend {
        message: "transaction returned no response".into(),
        retryable: false,
    })
}
