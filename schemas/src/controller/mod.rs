//! The controller contract as domain types (docs/DESIGN.md §6), with no IO and no generated code in sight.
//!
//! The engine and every controller written with `canopy-controllers` take and return these types; the
//! protobuf messages of [`crate::proto::controller::v1`] stay at the gRPC edge. Each type converts from its
//! message with `TryFrom` (checking names, ids and JSON, and naming the offending field in an [`Error`]) and
//! into its message with `From`.
//!
//! - [`error`]: why a message is not a valid domain value;
//! - [`dig`]: the DIG a call is about, and the controller's intent;
//! - [`cluster`]: candidate clusters with their labels and kv-pairs;
//! - [`filter`]: `FilterClusters` requests and keep/drop/score decisions;
//! - [`resource`]: rendered resources and the keys that name them;
//! - [`edit`]: the edits an action controller returns (add, patch, delete) and their cluster selectors;
//! - [`update`]: `UpdateAppContext` requests and responses;
//! - [`lifecycle`]: `TerminateAppContext`, `PostEvent` and `ValidateIntent`;
//! - [`gac`] and [`placement`]: the intent specs of the built-in controllers (`canopy controller <name>`).

pub mod cluster;
pub mod dig;
pub mod edit;
pub mod error;
pub mod filter;
pub mod gac;
pub mod lifecycle;
pub mod placement;
pub mod resource;
pub mod update;

mod convert;

pub use cluster::{Cluster, KvEntry};
pub use dig::{DigIdentity, Intent};
pub use edit::{ClusterSelector, Edit, Op, Patch};
pub use error::{Error, Problem, Result};
pub use filter::{
    AppCandidates, AppDecision, ClusterDecision, ClusterGroup, FilterRequest, FilterResponse,
    Verdict,
};
pub use lifecycle::{EventKind, EventRequest, TerminateRequest, ValidateRequest};
pub use resource::{Resource, ResourceKey};
pub use update::{AppResources, UpdateRequest, UpdateResponse};

/// A rule an intent breaks, as `ValidateIntent` reports it: the same type the REST bodies use, so the engine
/// can answer 400 with it directly.
pub use crate::rest::Violation;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
