//! The operation rsync carries out on one AppContext, recorded at `/canopy/ctx/<ctx>/rsync` before a call is
//! answered, and each cluster's completion of it at `rsync/done/<cluster>`. The record is what makes the
//! work durable: the per-cluster [`Task`](crate::task::Task)s can always be rebuilt from it.

use canopy_engine::appcontext::State;
use canopy_engine::context::{Key, KeyValue};
use canopy_schemas::name::ClusterRef;
use canopy_schemas::{ContextId, Timestamp};
use serde::{Deserialize, Serialize};

/// What the operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpKind {
    /// Apply every resource (`InstallApp`).
    Install,
    /// Delete every resource, in reverse order (`UninstallApp`).
    Uninstall,
    /// Move the clusters from `from` to this context, make before break (`UpdateApp`, `RollbackApp`).
    Update,
    /// Read the live objects back (`ReadAppContext`).
    Read,
}

impl OpKind {
    /// The context state while the operation runs, on success, and on failure (EMCO's `StateChanges`).
    /// A read leaves the context `Instantiated` even when it fails on a cluster (the failure is the
    /// context's reason): reading objects back does not make a deployment fail.
    pub const fn states(self) -> (State, State, State) {
        match self {
            Self::Install | Self::Update => (
                State::Instantiating,
                State::Instantiated,
                State::InstantiateFailed,
            ),
            Self::Read => (
                State::Instantiating,
                State::Instantiated,
                State::Instantiated,
            ),
            Self::Uninstall => (
                State::Terminating,
                State::Terminated,
                State::TerminateFailed,
            ),
        }
    }

    /// The context states the operation may start from. A repeat of the same operation while it runs, or
    /// after it succeeded, is recognised from the record and queues nothing (a read only while it runs: a
    /// read after an earlier one reads again).
    ///
    /// A read starts only on an `Instantiated` context: it must not replace an operation in flight (the
    /// supervisor would cancel that one's tasks) nor turn a failed or superseded context `Instantiated`.
    pub fn allowed_from(self, state: State) -> bool {
        use State::*;
        match self {
            Self::Install => matches!(
                state,
                Built | Instantiating | Instantiated | InstantiateFailed
            ),
            // The target of a rollback is an older context, which an update left `Updated`.
            Self::Update => !matches!(state, Terminating | Updating),
            Self::Read => matches!(state, Instantiated),
            Self::Uninstall => !matches!(state, Terminated),
        }
    }
}

/// The value at `/canopy/ctx/<ctx>/rsync`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpRecord {
    /// What is done.
    pub kind: OpKind,
    /// A random id: a task carries it, so a task of an operation that was replaced is recognised.
    pub id: u64,
    /// For an update, the context whose clusters move to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ContextId>,
    /// Every cluster the operation touches, one task each.
    pub clusters: Vec<ClusterRef>,
    /// When it was accepted.
    pub accepted: Timestamp,
}

impl OpRecord {
    /// A new operation with a fresh id.
    pub fn new(kind: OpKind, from: Option<ContextId>, clusters: Vec<ClusterRef>) -> Self {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        Self {
            kind,
            id: u64::from_le_bytes(bytes) >> 1,
            from,
            clusters,
            accepted: Timestamp::now(),
        }
    }
}

/// An [`OpRecord`] without its cluster list, decoded from the same bytes: what a task needs. A record of an
/// operation on 10,000 clusters lists them all, and each of its 10,000 tasks reads it; decoding the list
/// every time was work proportional to the square of the cluster count.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct OpHeader {
    /// What is done.
    pub kind: OpKind,
    /// The operation's id.
    pub id: u64,
    /// For an update, the context whose clusters move to this one.
    #[serde(default)]
    pub from: Option<ContextId>,
}

/// How one cluster's part ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Everything was done.
    Done,
    /// Something failed for good; the text says what.
    Failed(String),
    /// A stop cancelled the work.
    Stopped,
}

/// The value at `rsync/done/<cluster>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneRecord {
    /// The operation it belongs to.
    pub op: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// The replica that recorded it ([`Config::name`](crate::Config::name)).
    #[serde(default)]
    pub by: String,
}

/// A record could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The stored bytes are not the record.
    #[error("decoding {key}: {message}")]
    Decode {
        /// Where it was stored.
        key: Key,
        /// Why.
        message: String,
    },
}

/// Encodes a record as MessagePack with field names.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(value).expect("rsync records always encode")
}

/// Decodes a stored record.
pub fn decode<T: serde::de::DeserializeOwned>(kv: &KeyValue) -> Result<T, CodecError> {
    rmp_serde::from_slice(&kv.value).map_err(|e| CodecError::Decode {
        key: kv.key.clone(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_decodes_from_a_whole_record() {
        let clusters = (0..3).map(|i| format!("p+c{i}").parse().unwrap()).collect();
        let record = OpRecord::new(OpKind::Update, Some(ContextId::new(5)), clusters);
        let kv = KeyValue {
            key: Key::from("/canopy/ctx/6/rsync"),
            value: encode(&record),
            create_revision: Default::default(),
            mod_revision: Default::default(),
            version: 1,
        };
        let header: OpHeader = decode(&kv).unwrap();
        assert_eq!(
            header,
            OpHeader {
                kind: OpKind::Update,
                id: record.id,
                from: Some(ContextId::new(5)),
            }
        );
    }
}
