//! The generic action controller (gac): EMCO's gac, over a spec the engine assembles from what users stored
//! under EMCO's gac REST routes ([`canopy_schemas::controller::gac::Spec`]).
//!
//! For each resource entry whose app the request carries, in order:
//! - `newObject: "true"`: the uploaded object is added to the clusters each customization picks (every
//!   cluster of the app when the entry has no customization); a ConfigMap or Secret gets its data from the
//!   customization's files, and the customization's patches follow as patch edits;
//! - `newObject: "false"`: the app's resource named by `resourceGVK` is patched on the clusters each
//!   customization picks: with its ConfigMap or Secret data files as a merge patch, its JSON patch
//!   (`patchType: "json"`), or its merge patches (`patchType: "merge"`: `patchJson` objects, then files).
//!
//! A spec that breaks a rule is [`crate::Error::InvalidArgument`] naming the field (the same violations
//! `ValidateIntent` reports); changing a resource the app does not have is
//! [`crate::Error::FailedPrecondition`] naming the entry and the resource, since the spec is well formed and
//! the rendered app is what lacks it.
//!
//! - `content`: files, objects and ConfigMap or Secret data;
//! - `scope`: the clusters a customization picks;
//! - `validate`: the rules of `ValidateIntent`;
//! - `plan`: the edits.

mod content;
mod plan;
mod scope;
mod validate;

use canopy_schemas::controller::{UpdateRequest, UpdateResponse, ValidateRequest, Violation};

use crate::action::ActionController;
use crate::error::{Error, Result};

/// The generic action controller. Serve it with `serve_builtin("gac", ..)` or [`crate::serve_action`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Controller;

#[async_trait::async_trait]
impl ActionController for Controller {
    async fn update_app_context(&self, request: UpdateRequest) -> Result<UpdateResponse> {
        let spec = validate::check(&request.intent.spec).map_err(|violations| {
            let all: Vec<String> = violations.iter().map(ToString::to_string).collect();
            Error::InvalidArgument(all.join("; "))
        })?;
        let edits = plan::edits(&spec, &request)?;
        tracing::debug!(intent = %request.intent.name, edits = edits.len(), "gac planned its edits");
        Ok(UpdateResponse { edits })
    }

    async fn validate_intent(&self, request: ValidateRequest) -> Result<Vec<Violation>> {
        Ok(validate::check(&request.intent.spec)
            .err()
            .unwrap_or_default())
    }
}
