//! Candidate clusters as a placement or action controller sees them: a [`ClusterRef`] with its labels and
//! kv-pairs.

use serde_json::Value;

use super::convert::{json, list, message, name};
use super::error::{Error, Result};
use crate::name::{ClusterLabel, ClusterRef, Name};
use crate::proto::controller::v1 as pb;

/// A cluster with everything a placement decision may look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Which cluster.
    pub cluster: ClusterRef,
    /// Its labels.
    pub labels: Vec<ClusterLabel>,
    /// Its kv-pairs, flattened to one entry per key.
    pub kv: Vec<KvEntry>,
}

impl Cluster {
    /// A cluster with no labels and no kv-pairs.
    pub fn new(cluster: ClusterRef) -> Self {
        Self {
            cluster,
            labels: Vec::new(),
            kv: Vec::new(),
        }
    }

    /// Whether the cluster carries `label`.
    pub fn has_label(&self, label: &ClusterLabel) -> bool {
        self.labels.contains(label)
    }
}

/// One key of one kv-pair object of a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct KvEntry {
    /// The kv-pair object that holds the key.
    pub kv_pair: Name,
    /// The key.
    pub key: String,
    /// The value (EMCO kv values may be any JSON value).
    pub value: Value,
}

impl TryFrom<pb::ClusterRef> for ClusterRef {
    type Error = Error;
    fn try_from(m: pb::ClusterRef) -> Result<Self> {
        Ok(Self::new(
            name("provider", m.provider)?,
            name("cluster", m.cluster)?,
        ))
    }
}

impl From<ClusterRef> for pb::ClusterRef {
    fn from(c: ClusterRef) -> Self {
        Self {
            provider: c.provider.to_string(),
            cluster: c.cluster.to_string(),
        }
    }
}

impl TryFrom<pb::KvEntry> for KvEntry {
    type Error = Error;
    fn try_from(m: pb::KvEntry) -> Result<Self> {
        Ok(Self {
            kv_pair: name("kv_pair", m.kv_pair)?,
            key: m.key,
            value: json("value_json", &m.value_json)?,
        })
    }
}

impl From<KvEntry> for pb::KvEntry {
    fn from(e: KvEntry) -> Self {
        Self {
            kv_pair: e.kv_pair.into_string(),
            key: e.key,
            value_json: e.value.to_string(),
        }
    }
}

/// A label, checked like a name.
pub(crate) struct Label(pub(crate) ClusterLabel);

impl TryFrom<String> for Label {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        name("", s).map(Self)
    }
}

impl TryFrom<pb::Cluster> for Cluster {
    type Error = Error;
    fn try_from(m: pb::Cluster) -> Result<Self> {
        let labels: Vec<Label> = list("labels", m.labels)?;
        Ok(Self {
            cluster: message("ref", m.r#ref)?,
            labels: labels.into_iter().map(|l| l.0).collect(),
            kv: list("kv", m.kv)?,
        })
    }
}

impl From<Cluster> for pb::Cluster {
    fn from(c: Cluster) -> Self {
        Self {
            r#ref: Some(c.cluster.into()),
            labels: c.labels.iter().map(ToString::to_string).collect(),
            kv: c.kv.into_iter().map(Into::into).collect(),
        }
    }
}
