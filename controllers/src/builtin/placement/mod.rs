//! The built-in scoring placement controller, over the spec of
//! [`canopy_schemas::controller::placement::Spec`].
//!
//! For each app of the request, each candidate cluster (once, whatever groups hold it) is dropped when it
//! breaks a label rule or a capacity bound, with a reason naming the rule (`label region NotIn [eu]: cluster
//! has region=eu`, `capacity cpu >= 4: cluster has 2`); the others are kept with a score, and the spread
//! rule then drops or rescores them. A spec that breaks a rule is [`crate::Error::InvalidArgument`] naming
//! the field (the same violations `ValidateIntent` reports).
//!
//! Labels are EMCO's plain strings: a label `k=v` gives key `k` the value `v`, and a label `k` gives it an
//! empty value. A key no label gives is read from a kv entry of that key holding a string, number or boolean.
//!
//! - `attrs`: what rules read from a cluster;
//! - `rules`: label rules and capacity bounds, and their reasons;
//! - `score`: the score of a kept cluster;
//! - `spread`: the spread over a topology label;
//! - `decide`: one app's decisions;
//! - `validate`: the rules of `ValidateIntent`.

mod attrs;
mod decide;
mod rules;
mod score;
mod spread;
mod validate;

use canopy_schemas::controller::{FilterRequest, FilterResponse, ValidateRequest, Violation};

use crate::error::{Error, Result};
use crate::placement::PlacementController;

pub use attrs::{CANOPY_KV, PLACED_APPS};

/// The scoring placement controller. Serve it with `serve_builtin("placement", ..)` or
/// [`crate::serve_placement`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Controller;

#[async_trait::async_trait]
impl PlacementController for Controller {
    async fn filter_clusters(&self, request: FilterRequest) -> Result<FilterResponse> {
        let spec = validate::check(&request.intent.spec).map_err(|violations| {
            let all: Vec<String> = violations.iter().map(ToString::to_string).collect();
            Error::InvalidArgument(all.join("; "))
        })?;
        let apps = request.apps.iter().map(|app| decide::app(&spec, app));
        Ok(FilterResponse {
            apps: apps.collect(),
        })
    }

    async fn validate_intent(&self, request: ValidateRequest) -> Result<Vec<Violation>> {
        Ok(validate::check(&request.intent.spec)
            .err()
            .unwrap_or_default())
    }
}
