//! The resource store: where configuration objects (controllers, clusters, projects, apps, intents, ...)
//! are kept.
//!
//! - [`key`]: the kinds of object and their keys;
//! - [`ResourceStore`]: the trait, with atomic multi-record writes that enforce the parent and reference
//!   rules inside the same transaction as the write;
//! - [`embedded`]: redb in one file, the default;
//! - [`mongo`]: MongoDB (a replica set or sharded cluster, for transactions);
//! - [`conformance`]: the suite both implementations pass.
//!
//! A record holds the object's JSON body, the keys it references, the unique claims it holds, and the
//! names of its blobs (charts, kubeconfigs, profile archives), which are stored beside it in chunks.

pub mod conformance;
pub mod embedded;
pub mod key;
pub mod mongo;

mod record;

use async_trait::async_trait;
use bytes::Bytes;

pub use key::{Key, Kind};
pub use record::{Claim, Outcome, Page, PageRequest, Put, Record, Write};

/// A store operation failed. [`Error::is_retryable`] says whether the same call may succeed later.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Create of a key that exists.
    #[error("{0} already exists")]
    AlreadyExists(Key),
    /// The object does not exist.
    #[error("{0} does not exist")]
    NotFound(Key),
    /// The object's parent does not exist.
    #[error("{parent} does not exist (needed by {key})")]
    ParentMissing {
        /// The object written.
        key: Key,
        /// Its missing parent.
        parent: Key,
    },
    /// A referenced object does not exist.
    #[error("{target} does not exist (referenced by {key})")]
    ReferenceMissing {
        /// The object written.
        key: Key,
        /// The missing target.
        target: Key,
    },
    /// Delete of an object that still has children.
    #[error("{key} still has {child}; delete that first")]
    HasChildren {
        /// The object.
        key: Key,
        /// One of its children.
        child: Key,
    },
    /// Delete of an object that is still referenced.
    #[error("{key} is still referenced by {by}")]
    Referenced {
        /// The object.
        key: Key,
        /// One object that references it.
        by: Key,
    },
    /// A unique claim is held by another object.
    #[error("{claim} is already taken by {holder}")]
    ClaimTaken {
        /// The claim.
        claim: Claim,
        /// The object holding it.
        holder: Key,
    },
    /// A continue token that this listing did not produce.
    #[error("invalid continue token")]
    BadContinue,
    /// The backend failed.
    #[error("resource store backend: {message}")]
    Backend {
        /// What failed.
        message: String,
        /// True when the same call may succeed later (lost connection, timeout, write conflict).
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

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where configuration objects are kept. Every method is atomic; [`ResourceStore::write`] applies all of
/// its writes or none.
#[async_trait]
pub trait ResourceStore: Send + Sync + 'static {
    /// Applies `writes` in order, in one transaction.
    ///
    /// - `Write::Create` fails with `AlreadyExists` if the key exists;
    /// - `Write::Replace` creates or replaces (the outcome says which), keeping blobs it does not name;
    /// - both fail with `ParentMissing` or `ReferenceMissing` unless the parent and every reference exist
    ///   (earlier writes of the same call count), and with `ClaimTaken` if another object holds a claim;
    /// - `Write::Delete` fails with `NotFound`, `HasChildren` or `Referenced`, and removes the object's
    ///   blobs and claims.
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<Outcome>>;

    /// Reads one object.
    async fn get(&self, key: &Key) -> Result<Option<Record>>;

    /// Lists objects of `kind` under `parent` in key order, one page at a time. `parent` may be any
    /// ancestor, not only the kind's parent: a cluster provider lists the labels of all its clusters.
    async fn list(
        &self,
        kind: &'static Kind,
        parent: Option<&Key>,
        page: PageRequest,
    ) -> Result<Page>;

    /// Reads one blob of an object.
    async fn blob(&self, key: &Key, name: &str) -> Result<Option<Bytes>>;

    /// Up to `limit` objects that reference `key`.
    async fn referrers(&self, key: &Key, limit: usize) -> Result<Vec<Key>>;
}
