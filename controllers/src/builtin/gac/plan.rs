//! The edits a gac spec makes to the apps of an `UpdateAppContext` request, resource entry by resource entry
//! and customization by customization, as EMCO's gac makes them.

use canopy_schemas::controller::gac::{CustomizationSpec, ResourceSpec, Spec};
use canopy_schemas::controller::{
    AppResources, ClusterSelector, Edit, Op, Patch, Resource, ResourceKey, UpdateRequest, Violation,
};
use canopy_schemas::name::AppName;
use serde_json::Value;

use super::content::{self, DataKind};
use super::{scope, validate};
use crate::builtin::decode::within;
use crate::error::{Error, Result};

/// The edits `spec` makes to the apps of `request`. Resource entries of apps the request does not carry are
/// skipped. Changing a resource the app does not have (nor an earlier entry adds) is
/// [`Error::FailedPrecondition`].
pub(super) fn edits(spec: &Spec, request: &UpdateRequest) -> Result<Vec<Edit>> {
    let mut plan = Plan {
        request,
        edits: Vec::new(),
    };
    for (i, r) in spec.resources.iter().enumerate() {
        let Some(app) = r
            .spec
            .app
            .parse::<AppName>()
            .ok()
            .and_then(|a| request.app(&a))
        else {
            continue;
        };
        let prefix = format!("resources[{i}]");
        let found = match r.resource().is_new_object() {
            true => plan.add(app, r),
            false => plan.change(app, r, &prefix),
        };
        found.map_err(|e| match e {
            Failure::Spec(v) => Error::InvalidArgument(within(&prefix, v).to_string()),
            Failure::Missing(message) => Error::FailedPrecondition(message),
        })?;
    }
    Ok(plan.edits)
}

/// The edits so far.
struct Plan<'a> {
    request: &'a UpdateRequest,
    edits: Vec<Edit>,
}

/// Why a resource entry cannot be applied.
enum Failure {
    /// The spec breaks a rule (caught by `ValidateIntent` too).
    Spec(Violation),
    /// The resource to change is not there.
    Missing(String),
}

impl From<Violation> for Failure {
    fn from(v: Violation) -> Self {
        Self::Spec(v)
    }
}

impl Plan<'_> {
    fn push(&mut self, app: &AppResources, selector: ClusterSelector, op: Op) {
        self.edits.push(Edit {
            app: app.app.clone(),
            selector,
            op,
        });
    }

    /// `newObject: "true"`: adds the object on the clusters of each customization (on every cluster of the
    /// app when it has none), with the customization's data, then its patches.
    fn add(&mut self, app: &AppResources, r: &ResourceSpec) -> Result<(), Failure> {
        let base = validate::base_object(r)?;
        let gvk = &r.spec.resource_gvk;
        // The key names the namespace the object names, none when it names none: like a rendered chart's
        // resources, such an object is applied in the logical cloud's namespace, and a cluster-scoped kind
        // keeps none.
        let namespace = base
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let key = ResourceKey::new(&gvk.api_version, &gvk.kind, namespace.as_deref(), &gvk.name);
        if r.customizations.is_empty() {
            let resource = Resource { key, body: base };
            self.push(app, ClusterSelector::all(), Op::Add(resource));
            return Ok(());
        }
        let kind = DataKind::of(&gvk.kind);
        for (j, c) in r.customizations.iter().enumerate() {
            let Some(selector) = scope::selector(&c.spec, &app.clusters) else {
                continue;
            };
            let files =
                content::files(kind, c).map_err(|v| within(&format!("customizations[{j}]"), v))?;
            let mut body = base.clone();
            if let Some(kind) = kind {
                insert_data(&mut body, kind.data_patch(&files.data));
            }
            let resource = Resource {
                key: key.clone(),
                body,
            };
            self.push(app, selector.clone(), Op::Add(resource));
            self.patches(app, &selector, &key, c, files.merges);
        }
        Ok(())
    }

    /// `newObject: "false"`: patches the app's resource on the clusters of each customization with its data
    /// (as a merge patch), then its patches.
    fn change(
        &mut self,
        app: &AppResources,
        r: &ResourceSpec,
        prefix: &str,
    ) -> Result<(), Failure> {
        let target = self.target(app, r).ok_or_else(|| {
            let gvk = &r.spec.resource_gvk;
            Failure::Missing(format!(
                "{prefix} ({}) changes {} {} {} of app {}, which the app does not have",
                r.metadata.name, gvk.api_version, gvk.kind, gvk.name, app.app
            ))
        })?;
        let kind = DataKind::of(&r.spec.resource_gvk.kind);
        for (j, c) in r.customizations.iter().enumerate() {
            let Some(selector) = scope::selector(&c.spec, &app.clusters) else {
                continue;
            };
            let files =
                content::files(kind, c).map_err(|v| within(&format!("customizations[{j}]"), v))?;
            if let Some(kind) = kind.filter(|_| !files.data.is_empty()) {
                let patch = Patch::Merge(kind.data_patch(&files.data));
                let op = Op::Patch {
                    target: target.clone(),
                    patch,
                };
                self.push(app, selector.clone(), op);
            }
            self.patches(app, &selector, &target, c, files.merges);
        }
        Ok(())
    }

    /// The customization's JSON patch, or its merge patches (`patchJson` objects, then merge patch files).
    fn patches(
        &mut self,
        app: &AppResources,
        selector: &ClusterSelector,
        target: &ResourceKey,
        c: &CustomizationSpec,
        merges: Vec<Value>,
    ) {
        let patches: Vec<Patch> = match c.spec.patch_type.to_ascii_lowercase().as_str() {
            "json" if !c.spec.patch_json.is_empty() => vec![Patch::Json(c.spec.patch_json.clone())],
            "merge" => c
                .spec
                .patch_json
                .iter()
                .cloned()
                .chain(merges)
                .map(Patch::Merge)
                .collect(),
            _ => Vec::new(),
        };
        for patch in patches {
            let op = Op::Patch {
                target: target.clone(),
                patch,
            };
            self.push(app, selector.clone(), op);
        }
    }

    /// The resource of `app` that `r` changes: one of the request's, or one an earlier entry added, with
    /// `resourceGVK`'s apiVersion, kind and name; in the DIG's namespace when several namespaces have one.
    fn target(&self, app: &AppResources, r: &ResourceSpec) -> Option<ResourceKey> {
        let gvk = &r.spec.resource_gvk;
        let added = self
            .edits
            .iter()
            .filter(|e| e.app == app.app)
            .filter_map(|e| match &e.op {
                Op::Add(resource) => Some(&resource.key),
                _ => None,
            });
        let found: Vec<&ResourceKey> = app
            .resources
            .iter()
            .map(|r| &r.key)
            .chain(added)
            .filter(|k| {
                k.api_version == gvk.api_version && k.kind == gvk.kind && k.name == gvk.name
            })
            .collect();
        let ns = self.request.dig.namespace.as_str();
        found
            .iter()
            .find(|k| k.namespace.as_deref() == Some(ns))
            .or(found.first())
            .map(|k| (*k).clone())
    }
}

/// Puts the entries of `sections` (`data`, `binaryData`) into `body`, over any of the same key.
fn insert_data(body: &mut Value, sections: Value) {
    let Value::Object(sections) = sections else {
        return;
    };
    for (section, entries) in sections {
        if !body.get(&section).is_some_and(Value::is_object) {
            body[&section] = Value::Object(Default::default());
        }
        if let (Some(into), Value::Object(entries)) = (body[&section].as_object_mut(), entries) {
            into.extend(entries);
        }
    }
}
