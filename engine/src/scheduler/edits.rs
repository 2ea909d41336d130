//! An action controller's edits applied to an AppContext being built, and the resources an action
//! controller is shown.
//!
//! [`apply`] works on a copy and replaces the context only when every edit applied: all or none. Per
//! selected cluster of the app:
//! - add appends the resource to the cluster's resource order; a key the cluster already has is an error;
//! - patch applies an RFC 6902 JSON patch or an RFC 7386 merge patch to the body (YAML is parsed, patched
//!   and written back as YAML); a patch may not change the resource's apiVersion, kind, name or namespace;
//! - delete removes the resource.
//!
//! A patch or delete of a resource the cluster does not have (not rendered, nor added by an earlier edit
//! of the same response) is an error. Edits touch the resources only, not hooks or CRDs.

use canopy_schemas::controller::{AppResources, Cluster, Edit, Op, Patch, Resource, ResourceKey};
use canopy_schemas::name::{AppName, ClusterRef, ControllerName};
use serde_json::Value;

use crate::appcontext::{AppContext, Manifest};

/// An edit could not be applied, or the context's resources could not be shown. Every variant is
/// terminal: the same edits fail the same way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An edit names an app the context does not have.
    #[error(
        "action controller {controller}: edit {edit} names app {app}, which the AppContext does not have"
    )]
    UnknownApp {
        /// The controller.
        controller: ControllerName,
        /// The edit's index in the response.
        edit: usize,
        /// The app.
        app: AppName,
    },
    /// One edit failed on one cluster.
    #[error("{0}")]
    Edit(Box<Failure>),
    /// A stored resource body is not YAML.
    #[error("app {app}, cluster {cluster}, resource {key}: the body is not valid YAML: {message}")]
    Body {
        /// The app.
        app: AppName,
        /// The cluster.
        cluster: ClusterRef,
        /// The resource.
        key: Box<ResourceKey>,
        /// The parser's message.
        message: String,
    },
    /// An app is placed on a cluster the catalog does not have.
    #[error("app {app} is placed on cluster {cluster}, which the cluster catalog does not have")]
    UnknownCluster {
        /// The app.
        app: AppName,
        /// The cluster.
        cluster: ClusterRef,
    },
}

/// One edit that failed on one cluster: who, where, what, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("action controller {controller}: app {app}, cluster {cluster}, resource {key}: {problem}")]
pub struct Failure {
    /// The controller.
    pub controller: ControllerName,
    /// The app.
    pub app: AppName,
    /// The cluster.
    pub cluster: ClusterRef,
    /// The resource.
    pub key: ResourceKey,
    /// What went wrong.
    pub problem: Problem,
}

/// Why one edit failed on one cluster.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Add of a resource the cluster already has.
    #[error("add: the cluster already has this resource")]
    AlreadyExists,
    /// Add of a body whose own apiVersion, kind, name or namespace differ from its key.
    #[error("add: the body is {0}, not the resource its key names")]
    KeyMismatch(String),
    /// Patch or delete of a resource the cluster does not have.
    #[error(
        "the cluster has no such resource (it was neither rendered nor added by an earlier edit)"
    )]
    NoSuchResource,
    /// The patch does not apply.
    #[error("patch: {0}")]
    Patch(String),
    /// The stored body of the patched resource is not YAML.
    #[error("the stored body is not valid YAML: {0}")]
    Body(String),
    /// The patch changed what the resource is.
    #[error("patch: it changes the resource's identity to {0}")]
    Identity(String),
}

impl Error {
    /// Always false: the same edits on the same context fail the same way.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The module's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Applies `controller`'s `edits` to `ctx` in order, all or none. `catalog` supplies the labels that
/// label selectors match.
pub fn apply(
    ctx: &mut AppContext,
    controller: &ControllerName,
    edits: &[Edit],
    catalog: &[Cluster],
) -> Result<()> {
    let mut next = ctx.clone();
    for (i, edit) in edits.iter().enumerate() {
        let Some(app) = next.apps.iter_mut().find(|a| a.name == edit.app) else {
            return Err(Error::UnknownApp {
                controller: controller.clone(),
                edit: i,
                app: edit.app.clone(),
            });
        };
        for (cluster, manifests) in &mut app.clusters {
            let labelled = catalog.iter().find(|c| &c.cluster == cluster);
            let bare = Cluster::new(cluster.clone());
            if !edit.selector.matches(labelled.unwrap_or(&bare)) {
                continue;
            }
            on_cluster(&mut manifests.resources, &edit.op).map_err(|problem| {
                Error::Edit(Box::new(Failure {
                    controller: controller.clone(),
                    app: edit.app.clone(),
                    cluster: cluster.clone(),
                    key: edit.op.key().clone(),
                    problem,
                }))
            })?;
        }
    }
    *ctx = next;
    Ok(())
}

/// Applies `op` to one cluster's resources.
fn on_cluster(resources: &mut Vec<Manifest>, op: &Op) -> Result<(), Problem> {
    let at = resources.iter().position(|m| &key_of(m) == op.key());
    match (op, at) {
        (Op::Add(_), Some(_)) => Err(Problem::AlreadyExists),
        (Op::Add(resource), None) => {
            resources.push(manifest(resource)?);
            Ok(())
        }
        (Op::Patch { .. } | Op::Delete(_), None) => Err(Problem::NoSuchResource),
        (Op::Delete(_), Some(at)) => {
            resources.remove(at);
            Ok(())
        }
        (Op::Patch { target, patch }, Some(at)) => {
            let body = &mut resources[at].body;
            let mut doc = decode(body).map_err(Problem::Body)?;
            patched(&mut doc, patch).map_err(Problem::Patch)?;
            match identity(&doc) {
                Some(k) if &k == target => {}
                other => return Err(Problem::Identity(describe(other))),
            }
            *body = encode(&doc);
            Ok(())
        }
    }
}

/// What an action controller is shown of each app of `ctx`: the resources of the app's first cluster,
/// in order, with JSON bodies, and every cluster of the app with its labels and kv-pairs from `catalog`.
pub fn app_resources(ctx: &AppContext, catalog: &[Cluster]) -> Result<Vec<AppResources>> {
    ctx.apps
        .iter()
        .map(|app| {
            let clusters = (app.clusters.keys())
                .map(|r| {
                    catalog
                        .iter()
                        .find(|c| &c.cluster == r)
                        .cloned()
                        .ok_or_else(|| Error::UnknownCluster {
                            app: app.name.clone(),
                            cluster: r.clone(),
                        })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut resources = Vec::new();
            if let Some((cluster, manifests)) = app.clusters.iter().next() {
                for m in &manifests.resources {
                    let key = key_of(m);
                    let body = decode(&m.body).map_err(|message| Error::Body {
                        app: app.name.clone(),
                        cluster: cluster.clone(),
                        key: Box::new(key.clone()),
                        message,
                    })?;
                    resources.push(Resource { key, body });
                }
            }
            Ok(AppResources {
                app: app.name.clone(),
                resources,
                clusters,
            })
        })
        .collect()
}

/// The key that names `m`.
pub fn key_of(m: &Manifest) -> ResourceKey {
    ResourceKey::new(&m.api_version, &m.kind, m.namespace.as_deref(), &m.name)
}

/// The manifest of an added resource, its body written as YAML.
fn manifest(resource: &Resource) -> Result<Manifest, Problem> {
    match identity(&resource.body) {
        Some(k) if k == resource.key => {}
        other => return Err(Problem::KeyMismatch(describe(other))),
    }
    let key = &resource.key;
    Ok(Manifest {
        api_version: key.api_version.clone(),
        kind: key.kind.clone(),
        name: key.name.clone(),
        namespace: key.namespace.clone(),
        body: encode(&resource.body),
    })
}

/// The key a body names itself by: apiVersion, kind, metadata.name and metadata.namespace.
fn identity(body: &Value) -> Option<ResourceKey> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    Some(ResourceKey {
        api_version: text(body.get("apiVersion"))?,
        kind: text(body.get("kind"))?,
        name: text(body.pointer("/metadata/name"))?,
        namespace: text(body.pointer("/metadata/namespace")),
    })
}

fn describe(key: Option<ResourceKey>) -> String {
    key.map_or_else(
        || "missing apiVersion, kind or metadata.name".to_owned(),
        |k| k.to_string(),
    )
}

fn patched(doc: &mut Value, patch: &Patch) -> Result<(), String> {
    match patch {
        Patch::Merge(merge) => {
            json_patch::merge(doc, merge);
            Ok(())
        }
        Patch::Json(ops) => {
            let ops: json_patch::Patch = serde_json::from_value(Value::Array(ops.clone()))
                .map_err(|e| format!("not an RFC 6902 patch: {e}"))?;
            json_patch::patch(doc, &ops).map_err(|e| e.to_string())
        }
    }
}

fn decode(body: &[u8]) -> Result<Value, String> {
    yaml_serde::from_slice(body).map_err(|e| e.to_string())
}

fn encode(doc: &Value) -> Vec<u8> {
    yaml_serde::to_string(doc)
        .expect("a JSON value always serializes as YAML")
        .into_bytes()
}

#[cfg(test)]
mod tests;
