//! The edits an action controller returns: add, patch or delete a resource of an app, on every cluster of the
//! app or on the clusters a [`ClusterSelector`] picks.

use serde_json::Value;

use super::cluster::{Cluster, Label};
use super::convert::{json, list, message, name};
use super::error::{Error, Problem, Result};
use super::resource::{Resource, ResourceKey, key};
use crate::name::{AppName, ClusterLabel, ClusterRef};
use crate::proto::controller::v1 as pb;

/// One change to the AppContext.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The app whose resources change.
    pub app: AppName,
    /// The clusters the edit applies to.
    pub selector: ClusterSelector,
    /// What to do.
    pub op: Op,
}

/// Which clusters an edit applies to: the named clusters plus those carrying any of the labels. An empty
/// selector means every cluster of the app.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClusterSelector {
    /// These clusters.
    pub clusters: Vec<ClusterRef>,
    /// Clusters carrying any of these labels.
    pub labels: Vec<ClusterLabel>,
}

impl ClusterSelector {
    /// Every cluster of the app.
    pub fn all() -> Self {
        Self::default()
    }

    /// Whether the selector picks every cluster.
    pub fn is_all(&self) -> bool {
        self.clusters.is_empty() && self.labels.is_empty()
    }

    /// Whether the selector picks `cluster`.
    pub fn matches(&self, cluster: &Cluster) -> bool {
        self.is_all()
            || self.clusters.contains(&cluster.cluster)
            || self.labels.iter().any(|l| cluster.has_label(l))
    }
}

/// What an edit does.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Add a resource, appended to the resource order.
    Add(Resource),
    /// Patch an existing resource.
    Patch {
        /// The resource to patch.
        target: ResourceKey,
        /// The patch.
        patch: Patch,
    },
    /// Delete a resource.
    Delete(ResourceKey),
}

impl Op {
    /// The resource the edit is about.
    pub fn key(&self) -> &ResourceKey {
        match self {
            Self::Add(r) => &r.key,
            Self::Patch { target, .. } | Self::Delete(target) => target,
        }
    }
}

/// A patch document.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    /// RFC 6902 JSON patch: an array of operations.
    Json(Vec<Value>),
    /// RFC 7386 JSON merge patch.
    Merge(Value),
}

impl TryFrom<pb::Edit> for Edit {
    type Error = Error;
    fn try_from(m: pb::Edit) -> Result<Self> {
        let selector = match m.selector {
            Some(s) => ClusterSelector::try_from(s).map_err(|e| e.within("selector"))?,
            None => ClusterSelector::all(),
        };
        let op = match m.op {
            None => return Err(Error::new("op", Problem::Missing)),
            Some(pb::edit::Op::Add(a)) => Op::Add(message("add.resource", a.resource)?),
            Some(pb::edit::Op::Delete(d)) => Op::Delete(key("delete.target", d.target)?),
            Some(pb::edit::Op::Patch(p)) => {
                Op::try_from(p).map_err(|e: Error| e.within("patch"))?
            }
        };
        Ok(Self {
            app: name("app", m.app)?,
            selector,
            op,
        })
    }
}

impl TryFrom<pb::PatchResource> for Op {
    type Error = Error;
    fn try_from(p: pb::PatchResource) -> Result<Self> {
        let target = key("target", p.target)?;
        let doc = json("patch_json", &p.patch_json)?;
        let patch = match pb::PatchType::try_from(p.r#type) {
            Ok(pb::PatchType::Json) => match doc {
                Value::Array(ops) => Patch::Json(ops),
                _ => return Err(Error::new("patch_json", Problem::NotAPatch)),
            },
            Ok(pb::PatchType::Merge) => Patch::Merge(doc),
            Ok(pb::PatchType::Unspecified) | Err(_) => {
                return Err(Error::new("type", Problem::Enum(p.r#type)));
            }
        };
        Ok(Self::Patch { target, patch })
    }
}

impl From<Edit> for pb::Edit {
    fn from(e: Edit) -> Self {
        let op = match e.op {
            Op::Add(r) => pb::edit::Op::Add(pb::AddResource {
                resource: Some(r.into()),
            }),
            Op::Delete(k) => pb::edit::Op::Delete(pb::DeleteResource {
                target: Some(k.into()),
            }),
            Op::Patch { target, patch } => {
                let (kind, doc) = match patch {
                    Patch::Json(ops) => (pb::PatchType::Json, Value::Array(ops)),
                    Patch::Merge(doc) => (pb::PatchType::Merge, doc),
                };
                pb::edit::Op::Patch(pb::PatchResource {
                    target: Some(target.into()),
                    r#type: kind.into(),
                    patch_json: doc.to_string(),
                })
            }
        };
        Self {
            app: e.app.to_string(),
            selector: (!e.selector.is_all()).then(|| e.selector.into()),
            op: Some(op),
        }
    }
}

impl TryFrom<pb::ClusterSelector> for ClusterSelector {
    type Error = Error;
    fn try_from(m: pb::ClusterSelector) -> Result<Self> {
        let labels: Vec<Label> = list("labels", m.labels)?;
        Ok(Self {
            clusters: list("clusters", m.clusters)?,
            labels: labels.into_iter().map(|l| l.0).collect(),
        })
    }
}

impl From<ClusterSelector> for pb::ClusterSelector {
    fn from(s: ClusterSelector) -> Self {
        Self {
            clusters: s.clusters.into_iter().map(Into::into).collect(),
            labels: s.labels.iter().map(ToString::to_string).collect(),
        }
    }
}
