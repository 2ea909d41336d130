//! The values stored under the AppContext keys, and their MessagePack encoding.

use canopy_schemas::name::AppName;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::blob::BlobHash;
use super::model::Dependency;
use super::{Error, Result};
use crate::context::Key;

/// The value at `apps`: the app order and each app's dependencies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AppsRecord {
    /// Apps with the dependencies of each, in deployment order.
    pub apps: Vec<(AppName, Vec<Dependency>)>,
}

/// The value at `app/<app>/cl/<cluster>`: the cluster's resource list. Order is position in each list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ClusterRecord {
    /// The resources, in apply order.
    pub resources: Vec<Entry>,
    /// The hooks: event and resource, by event then run order.
    pub hooks: Vec<(String, Entry)>,
    /// The CRDs.
    pub crds: Vec<Entry>,
}

/// One resource in a cluster's list: its identity and the blob that holds its body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// The body's blob.
    pub blob: BlobHash,
}

/// The value at `status`: the context's state. Its presence marks the context complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The state.
    pub state: State,
    /// Why, for the failure states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Status {
    /// A status with no reason.
    pub const fn new(state: State) -> Self {
        Self {
            state,
            reason: None,
        }
    }

    /// A status with a reason.
    pub fn because(state: State, reason: impl Into<String>) -> Self {
        Self {
            state,
            reason: Some(reason.into()),
        }
    }

    /// The value stored at `key` (the context's `status` key).
    pub fn encode(&self, key: &Key) -> Result<Vec<u8>> {
        encode(key, self)
    }

    /// The status a `status` key holds.
    pub fn decode(kv: &crate::context::KeyValue) -> Result<Self> {
        decode(&kv.key, &kv.value)
    }
}

/// The state of an AppContext: `Built` when the engine has written it, then EMCO's AppContext states
/// (reference §6.2) as rsync works on it. The engine writes `InstantiateFailed` itself for a context whose
/// build failed, so the failure can be inspected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    /// Every key is written; nothing is deployed yet.
    Built,
    /// rsync is applying it.
    Instantiating,
    /// rsync applied it.
    Instantiated,
    /// The build, or rsync's apply, failed.
    InstantiateFailed,
    /// rsync is deleting its resources.
    Terminating,
    /// rsync deleted its resources.
    Terminated,
    /// rsync failed to delete its resources.
    TerminateFailed,
    /// rsync is moving its clusters to a newer context.
    Updating,
    /// A newer context replaced it.
    Updated,
    /// Moving to a newer context failed.
    UpdateFailed,
}

impl State {
    /// True once rsync has finished uninstalling the context, well or badly.
    pub const fn is_terminated(self) -> bool {
        matches!(self, Self::Terminated | Self::TerminateFailed)
    }

    /// The state's name, as EMCO spells it (`UpdateFailed` is spelled right, not EMCO's `UpdatedFailed`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Built => "Built",
            Self::Instantiating => "Instantiating",
            Self::Instantiated => "Instantiated",
            Self::InstantiateFailed => "InstantiateFailed",
            Self::Terminating => "Terminating",
            Self::Terminated => "Terminated",
            Self::TerminateFailed => "TerminateFailed",
            Self::Updating => "Updating",
            Self::Updated => "Updated",
            Self::UpdateFailed => "UpdateFailed",
        }
    }
}

/// Encodes `value`, stored at `key`, as MessagePack with field names.
pub(crate) fn encode<T: Serialize>(key: &Key, value: &T) -> Result<Vec<u8>> {
    rmp_serde::to_vec_named(value).map_err(|source| Error::Encode {
        key: key.clone(),
        source,
    })
}

/// Decodes the value stored at `key`.
pub(crate) fn decode<T: DeserializeOwned>(key: &Key, bytes: &[u8]) -> Result<T> {
    rmp_serde::from_slice(bytes).map_err(|source| Error::Decode {
        key: key.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appcontext::model::{Placed, Placement};

    #[test]
    fn a_placement_written_before_drop_reasons_existed_still_decodes() {
        #[derive(Serialize)]
        struct OldPlacement {
            clusters: Vec<Placed>,
        }
        let key = Key::new("/canopy/ctx/1/app/a/clusters");
        let placed = Placed {
            cluster: "p+c1".parse().unwrap(),
            group: Some("1".into()),
            score: None,
        };
        let old = encode(
            &key,
            &OldPlacement {
                clusters: vec![placed.clone()],
            },
        )
        .unwrap();
        let decoded: Placement = decode(&key, &old).unwrap();
        assert_eq!(decoded.clusters, [placed]);
        assert!(decoded.dropped.is_empty());
    }
}
