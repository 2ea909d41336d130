//! Rendered Kubernetes resources ([`Resource`]) and the keys that name them ([`ResourceKey`]).

use std::fmt;

use serde_json::Value;

use super::convert::{json, required};
use super::error::{Error, Result};
use crate::proto::controller::v1 as pb;

/// Identifies one resource of an app: apiVersion, kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    /// apiVersion, e.g. `apps/v1`.
    pub api_version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// metadata.name.
    pub name: String,
    /// metadata.namespace; `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
}

impl ResourceKey {
    /// A namespaced or cluster-scoped key.
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: Option<&str>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            api_version: api_version.into(),
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(str::to_owned),
        }
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} ", self.api_version, self.kind)?;
        match &self.namespace {
            Some(ns) => write!(f, "{ns}/{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

fn namespace(ns: String) -> Option<String> {
    (!ns.is_empty()).then_some(ns)
}

impl From<pb::ResourceKey> for ResourceKey {
    fn from(m: pb::ResourceKey) -> Self {
        Self {
            api_version: m.api_version,
            kind: m.kind,
            name: m.name,
            namespace: namespace(m.namespace),
        }
    }
}

impl From<ResourceKey> for pb::ResourceKey {
    fn from(k: ResourceKey) -> Self {
        Self {
            api_version: k.api_version,
            kind: k.kind,
            name: k.name,
            namespace: k.namespace.unwrap_or_default(),
        }
    }
}

/// Converts a required `ResourceKey` field.
pub(crate) fn key(field: &str, value: Option<pb::ResourceKey>) -> Result<ResourceKey> {
    required(field, value).map(Into::into)
}

/// A rendered Kubernetes resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Which resource.
    pub key: ResourceKey,
    /// The whole object.
    pub body: Value,
}

impl TryFrom<pb::Resource> for Resource {
    type Error = Error;
    fn try_from(m: pb::Resource) -> Result<Self> {
        Ok(Self {
            body: json("body_json", &m.body_json)?,
            key: ResourceKey {
                api_version: m.api_version,
                kind: m.kind,
                name: m.name,
                namespace: namespace(m.namespace),
            },
        })
    }
}

impl From<Resource> for pb::Resource {
    fn from(r: Resource) -> Self {
        let key = pb::ResourceKey::from(r.key);
        Self {
            api_version: key.api_version,
            kind: key.kind,
            name: key.name,
            namespace: key.namespace,
            body_json: r.body.to_string(),
        }
    }
}
