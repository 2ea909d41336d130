//! create, replace and patch (server-side apply, merge, strategic merge, JSON patch).

use std::sync::Arc;

use serde_json::Value;

use super::WriteOptions;
use super::commit::Write;
use crate::cluster::{Cluster, Target};
use crate::ssa::{self, Applier};
use crate::status::{Error, Result};
use crate::{clock, patch, smp};

/// The patch formats, by their content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/apply-patch+yaml`: server-side apply.
    Apply,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/json-patch+json`.
    Json,
}

impl PatchKind {
    /// The patch kind for a `Content-Type`, or a 415.
    pub fn from_content_type(content_type: &str) -> Result<Self> {
        match content_type.split(';').next().unwrap_or("").trim() {
            "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(Self::Apply),
            "application/merge-patch+json" => Ok(Self::Merge),
            "application/strategic-merge-patch+json" => Ok(Self::Strategic),
            "application/json-patch+json" => Ok(Self::Json),
            other => Err(Error::UnsupportedMediaType(format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other:?})"
            ))),
        }
    }

    /// The 415 Kubernetes answers a strategic merge patch on a custom resource with: such kinds have no
    /// patch merge keys, so only the other formats are accepted.
    fn unsupported_for_custom_resources() -> Error {
        Error::UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml".into(),
        )
    }
}

impl Cluster {
    /// Creates an object; the name comes from the body (or `generateName`).
    pub fn create(
        self: &Arc<Self>,
        target: &Target,
        mut body: Value,
        opts: &WriteOptions<'_>,
    ) -> Result<Value> {
        let manager = opts.manager;
        let name = match body["metadata"]["name"].as_str() {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => match body["metadata"]["generateName"].as_str() {
                Some(prefix) => format!(
                    "{prefix}{}",
                    &uuid::Uuid::new_v4().simple().to_string()[..5]
                ),
                None => {
                    return Err(Error::Invalid(
                        "metadata.name: Required value: name or generateName is required".into(),
                    ));
                }
            },
        };
        body["metadata"]["name"] = Value::String(name.clone());
        let mut st = self.store();
        if st.contains(&target.key(&name)) {
            return Err(Error::AlreadyExists(format!(
                "{} \"{name}\" already exists",
                target.kind.plural
            )));
        }
        if let Some(meta) = body["metadata"].as_object_mut() {
            meta.remove("resourceVersion");
        }
        if !manager.is_empty() {
            ssa::record_update(&mut body, manager, &clock::now());
        }
        self.commit(
            &mut st,
            target,
            &name,
            body,
            Write {
                verb: "create",
                manager,
                status: false,
                dry_run: opts.dry_run,
            },
        )
    }

    /// Replaces an object (PUT); a stale `resourceVersion` in the body is a 409.
    pub fn replace(
        self: &Arc<Self>,
        target: &Target,
        mut body: Value,
        opts: &WriteOptions<'_>,
        status: bool,
    ) -> Result<Value> {
        let manager = opts.manager;
        let name = target.required_name()?.to_string();
        let mut st = self.store();
        let Some(old) = st.get(&target.key(&name)) else {
            return Err(target.not_found(&name));
        };
        body["metadata"]["managedFields"] = old["metadata"]["managedFields"].clone();
        if !manager.is_empty() {
            ssa::record_update(&mut body, manager, &clock::now());
        }
        let verb = if status { "status" } else { "replace" };
        self.commit(
            &mut st,
            target,
            &name,
            body,
            Write {
                verb,
                manager,
                status,
                dry_run: opts.dry_run,
            },
        )
    }

    /// Patches an object. Apply creates a missing object; the other kinds need it to exist.
    pub fn patch(
        self: &Arc<Self>,
        target: &Target,
        kind: PatchKind,
        body: &Value,
        opts: &WriteOptions<'_>,
        status: bool,
    ) -> Result<Value> {
        let (manager, force) = (opts.manager, opts.force);
        let name = target.required_name()?.to_string();
        let mut st = self.store();
        let live = st.get(&target.key(&name));
        let now = clock::now();
        let (verb, mut result) = match (kind, live) {
            (PatchKind::Apply, live) => {
                if manager.is_empty() {
                    return Err(Error::BadRequest(
                        "fieldManager is required for apply requests".into(),
                    ));
                }
                if !body.is_object() {
                    return Err(Error::BadRequest("an apply patch must be an object".into()));
                }
                let wanted_rv = body["metadata"]["resourceVersion"]
                    .as_str()
                    .filter(|rv| !rv.is_empty());
                let live_rv = live
                    .as_ref()
                    .and_then(|l| l["metadata"]["resourceVersion"].as_str());
                if wanted_rv.is_some() && wanted_rv != live_rv {
                    return Err(Error::Conflict(format!(
                        "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                        target.kind.plural
                    )));
                }
                let applier = Applier {
                    manager,
                    force,
                    now: &now,
                };
                (
                    "apply",
                    ssa::apply(live.as_ref().unwrap_or(&Value::Null), body, &applier)?,
                )
            }
            (_, None) => return Err(target.not_found(&name)),
            (PatchKind::Merge, Some(mut live)) => {
                patch::merge(&mut live, body);
                ("patch", live)
            }
            (PatchKind::Strategic, Some(mut live)) => {
                let root = smp::schema::root(&target.kind.group, &target.kind.kind)
                    .ok_or_else(PatchKind::unsupported_for_custom_resources)?;
                smp::apply(&mut live, body, root)?;
                ("patch", live)
            }
            (PatchKind::Json, Some(mut live)) => {
                patch::json_patch(&mut live, body)?;
                ("patch", live)
            }
        };
        if kind != PatchKind::Apply && !manager.is_empty() {
            ssa::record_update(&mut result, manager, &now);
        }
        let verb = if status { "status" } else { verb };
        self.commit(
            &mut st,
            target,
            &name,
            result,
            Write {
                verb,
                manager,
                status,
                dry_run: opts.dry_run,
            },
        )
    }
}
