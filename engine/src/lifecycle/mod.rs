//! The DIG lifecycle (docs/DESIGN.md §4): approve, instantiate, update, rollback, terminate, stop and delete,
//! checked against one transition table, recorded in the context store together with their events, and
//! carried out by durable sagas that a restarted engine resumes.
//!
//! - [`table`]: which operation may run in which state, and where it leads;
//! - [`target`]: what a lifecycle runs for: a DIG or a logical cloud, with its key and events;
//! - [`record`]: the DIG's runtime state (`/canopy/dig/...`): state, action history, revisions, work in
//!   flight, idempotent answers;
//! - [`service`]: accepts an operation: checks it, commits the transition and its events in one
//!   compare-and-swap transaction, and starts or stops the saga;
//! - [`saga`]: the tasks that build, hand off and terminate AppContexts, step by recorded step.

pub mod record;
pub mod saga;
pub mod service;
pub mod table;
pub mod target;

use canopy_schemas::{ContextId, Revision};

pub use record::{DigRecord, Work, WorkKind};
pub use service::{Accepted, Lifecycle, Request};
pub use table::{Operation, Refused};
pub use target::{CloudId, DigId, Target};

use crate::context::{self, Key};

/// A lifecycle operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The current state forbids the operation (409).
    #[error(transparent)]
    Refused(#[from] Refused),
    /// A rollback names a revision the DIG never had (404).
    #[error("{target} has no revision {revision}; it has {known}")]
    NoRevision {
        /// The DIG or logical cloud.
        target: String,
        /// The revision asked for.
        revision: Revision,
        /// The revisions it has, for the message.
        known: String,
    },
    /// The DIG's logical cloud is not instantiated (409).
    #[error("logical cloud {logical_cloud} of {target} is {state}; instantiate it first")]
    LogicalCloud {
        /// The DIG or logical cloud.
        target: String,
        /// The logical cloud.
        logical_cloud: String,
        /// Its state.
        state: String,
    },
    /// Deleting a terminated DIG whose AppContext rsync has not finished uninstalling (409).
    #[error(
        "{target} is terminated, but rsync has not finished uninstalling AppContext {context}: it is {state}"
    )]
    StillTerminating {
        /// The DIG or logical cloud.
        target: String,
        /// The context.
        context: ContextId,
        /// Its state.
        state: String,
    },
    /// An `Idempotency-Key` was used before for another operation (422).
    #[error("Idempotency-Key {key:?} was used for {first} and cannot be reused for {now}")]
    KeyReused {
        /// The key.
        key: String,
        /// The operation it was first used for.
        first: Operation,
        /// The operation now.
        now: Operation,
    },
    /// A stored value could not be encoded.
    #[error("encoding {key}")]
    Encode {
        /// The key.
        key: Key,
        /// Why.
        #[source]
        source: rmp_serde::encode::Error,
    },
    /// A stored value could not be decoded.
    #[error("decoding {key}")]
    Decode {
        /// The key.
        key: Key,
        /// Why.
        #[source]
        source: rmp_serde::decode::Error,
    },
    /// An event could not be staged.
    #[error("staging the event")]
    Outbox(#[from] crate::events::outbox::Error),
    /// A stored value is not what it should be.
    #[error("corrupt runtime state: {0}")]
    Corrupt(String),
    /// Logical clouds of level 1 (standard, privileged) cannot be instantiated yet (501).
    #[error(
        "{0} has level 1 (a standard or privileged logical cloud with its own user, certificates and roles); canopy only instantiates level 0 (admin) logical clouds so far"
    )]
    LevelUnsupported(String),
    /// Reading or writing an AppContext failed.
    #[error("AppContext")]
    AppContext(#[from] crate::appcontext::Error),
    /// The context store failed.
    #[error("context store")]
    Context(#[from] context::Error),
    /// The resource store failed.
    #[error("resource store")]
    Store(#[from] crate::store::Error),
}

impl Error {
    /// True when the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Context(e) => e.is_retryable(),
            Self::AppContext(e) => e.is_retryable(),
            Self::Store(e) => e.is_retryable(),
            _ => false,
        }
    }
}

/// The lifecycle's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
