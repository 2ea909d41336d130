//! The AppContext in the context store (docs/DESIGN.md §5): what one DIG revision deploys, written once by
//! the scheduler and read by rsync and the status API.
//!
//! - [`keys`]: the key tree, the only place AppContext keys are spelled;
//! - [`model`]: the AppContext as a domain value, composed in memory;
//! - [`blob`]: sha256 content addresses, so identical resource bodies are stored once per app;
//! - [`mod@write`]: writes a composed AppContext in transactions of at most [`MAX_OPS`] operations, `status` last;
//! - [`progress`]: the per-app, per-cluster status rsync writes at `st/<cluster>/<app>`;
//! - [`read`]: reads it back: app order and dependencies, placements, per-cluster resources with bodies;
//! - [`delete`]: removes a whole context.
//!
//! Values are MessagePack with field names (`rmp_serde::to_vec_named`): smaller than JSON and faster to
//! decode, while a field added later still decodes old values.
//!
//! **Completeness.** A context is written in several transactions, so a reader could see part of one. The
//! `status` key is written alone in the last transaction, after every other one has committed: a context
//! with a `status` key is complete, and [`read::Reader::open`] refuses one without it
//! ([`Error::Incomplete`]). A build that crashed half-way leaves keys without `status`; [`delete`] removes
//! them with one prefix delete.

pub mod blob;
pub mod keys;
pub mod model;
pub mod progress;
pub mod read;
pub mod write;

mod record;

use canopy_schemas::ContextId;

pub use blob::BlobHash;
pub use keys::ContextKeys;
pub use model::{
    App, AppContext, Dependency, Dropped, Hook, Manifest, Manifests, Meta, OpStatus, Placed,
    Placement,
};
pub use progress::{AppProgress, Connectivity, Deployed, Phase, Ready, ResourceProgress};
pub use read::{Reader, SharedBlobs, manifests_from};
pub use record::{State, Status};
pub use write::{Written, write, write_as};

pub use crate::context::MAX_OPS;
use crate::context::{self, ContextStore, Key};

/// An AppContext could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The context has no `status` key: it does not exist, or its build did not finish.
    #[error("AppContext {0} is incomplete or absent: it has no status key")]
    Incomplete(ContextId),
    /// A key the context's other keys point at is missing.
    #[error("AppContext key {0} is missing")]
    Missing(Key),
    /// A value could not be encoded.
    #[error("encoding the value of {key}")]
    Encode {
        /// The key.
        key: Key,
        /// Why.
        #[source]
        source: rmp_serde::encode::Error,
    },
    /// A stored value could not be decoded.
    #[error("decoding the value of {key}")]
    Decode {
        /// The key.
        key: Key,
        /// Why.
        #[source]
        source: rmp_serde::decode::Error,
    },
    /// One value is larger than a transaction may carry.
    #[error("the value of {key} is {size} bytes; at most {max} fit in one transaction")]
    TooLarge {
        /// The key.
        key: Key,
        /// The key and value size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The context store failed.
    #[error("context store")]
    Store(#[from] context::Error),
}

impl Error {
    /// True when the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_retryable())
    }
}

/// The AppContext module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Deletes every key of context `id`, complete or not; returns how many were deleted.
pub async fn delete<S: ContextStore + ?Sized>(store: &S, id: ContextId) -> Result<u64> {
    Ok(store.delete_prefix(&ContextKeys::new(id).prefix()).await?)
}
