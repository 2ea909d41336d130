//! The value at `st/<cluster>/<app>` (docs/DESIGN.md §5): what rsync knows about one app on one cluster.
//! rsync writes it; the status API reads it. It is the only per-cluster status there is, so a status query
//! reads these keys and never the resource bodies.

use canopy_schemas::Timestamp;
use serde::{Deserialize, Serialize};

use super::record::{decode, encode};
use super::{Manifest, Result};
use crate::context::{Key, KeyValue};

/// Whether rsync can talk to the cluster (EMCO's cluster `connectivity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Connectivity {
    /// rsync has not tried yet.
    #[default]
    Unknown,
    /// The last call reached the cluster.
    Available,
    /// The cluster did not answer; rsync retries with backoff.
    Retrying,
}

/// The last thing rsync did to a resource (EMCO's `deployedStatus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Deployed {
    /// Not applied yet.
    #[default]
    Pending,
    /// Applied (server-side apply succeeded).
    Applied,
    /// The cluster refused it for good; the message says why.
    Failed,
    /// Deleted by terminate or update.
    Deleted,
}

impl Deployed {
    /// The state's name, as EMCO spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Applied => "Applied",
            Self::Failed => "Failed",
            Self::Deleted => "Deleted",
        }
    }
}

impl Connectivity {
    /// The state's name, as EMCO spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "Unknown",
            Self::Available => "Available",
            Self::Retrying => "Retrying",
        }
    }
}

/// The resource as the cluster reports it (EMCO's `readyStatus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ready {
    /// Not (yet) ready by its kind's rule, or not observed yet.
    #[default]
    NotReady,
    /// Ready by its kind's rule.
    Ready,
    /// Absent from the cluster although rsync applied it (deleted by hand, for example).
    NotPresent,
}

impl Ready {
    /// The state's name, as EMCO spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotReady => "NotReady",
            Self::Ready => "Ready",
            Self::NotPresent => "NotPresent",
        }
    }
}

/// Where the app stands on the cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Waiting: for its turn, for a dependency, or for the cluster.
    #[default]
    Pending,
    /// Resources are being applied.
    Applying,
    /// Every resource is applied (EMCO's `Deployed` for app dependencies).
    Applied,
    /// Every resource is applied and ready.
    Ready,
    /// A resource failed for good; the app stopped on this cluster.
    Failed,
    /// Resources are being deleted.
    Deleting,
    /// Every resource is gone.
    Deleted,
    /// Stopped by `POST DIG/stop` before it finished.
    Stopped,
}

impl Phase {
    /// The phase's name, for subjects and the status API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Applying => "Applying",
            Self::Applied => "Applied",
            Self::Ready => "Ready",
            Self::Failed => "Failed",
            Self::Deleting => "Deleting",
            Self::Deleted => "Deleted",
            Self::Stopped => "Stopped",
        }
    }

    /// True when the app has reached at least `Applied` (a `Deployed` dependency is met).
    pub const fn is_applied(self) -> bool {
        matches!(self, Self::Applied | Self::Ready)
    }
}

/// One resource of the app on the cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceProgress {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// What rsync last did.
    pub deployed: Deployed,
    /// What the cluster reports.
    pub ready: Ready,
    /// Why it failed, for `Failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When it was last applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<Timestamp>,
    /// When it was first seen ready after its last apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<Timestamp>,
}

impl ResourceProgress {
    /// A pending resource.
    pub fn pending(m: &Manifest) -> Self {
        Self {
            api_version: m.api_version.clone(),
            kind: m.kind.clone(),
            name: m.name.clone(),
            namespace: m.namespace.clone(),
            ..Self::default()
        }
    }

    /// The API group, `""` for the core group.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    /// The API version without its group.
    pub fn version(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(_, v)| v)
            .unwrap_or(&self.api_version)
    }
}

/// The value at `st/<cluster>/<app>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppProgress {
    /// Where the app stands.
    pub phase: Phase,
    /// Whether the cluster answers.
    pub connectivity: Connectivity,
    /// The last error talking to the cluster or applying, while retrying or after a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The main resources, in apply order (hooks and CRDs are not listed).
    pub resources: Vec<ResourceProgress>,
    /// When this value was written.
    pub updated_at: Timestamp,
}

impl AppProgress {
    /// True when every resource is applied and ready (an app with no resources is ready).
    pub fn all_ready(&self) -> bool {
        self.resources
            .iter()
            .all(|r| r.deployed == Deployed::Applied && r.ready == Ready::Ready)
    }

    /// The encoded value for `key`.
    pub fn encode(&self, key: &Key) -> Result<Vec<u8>> {
        encode(key, self)
    }

    /// The value of a `st/...` key.
    pub fn decode(kv: &KeyValue) -> Result<Self> {
        decode(&kv.key, &kv.value)
    }
}
