//! Adapters from the controller traits to the tonic-generated services: each converts the request message to
//! its domain type (a failure is `INVALID_ARGUMENT` naming the field), calls the controller, and converts
//! the answer back.
//!
//! - [`placement`]: [`PlacementService`] serves a [`crate::PlacementController`];
//! - [`action`]: [`ActionService`] serves a [`crate::ActionController`].

pub mod action;
pub mod placement;

pub use action::ActionService;
pub use placement::PlacementService;

use canopy_schemas::controller::{self, DigIdentity, ValidateRequest, Violation};
use canopy_schemas::proto::controller::v1 as pb;
use tonic::{Response, Status};

use crate::error::Error;

/// Converts a request message, answering a malformed one with `INVALID_ARGUMENT`.
fn convert<P, D>(message: P) -> Result<D, Status>
where
    D: TryFrom<P, Error = controller::Error>,
{
    D::try_from(message).map_err(|e| Status::from(Error::from(e)))
}

/// What `ValidateIntent` answers before the controller sees the request: a spec that is not JSON is a
/// violation of the intent, not a malformed call, so it is reported as one.
fn validate_request(message: pb::ValidateIntentRequest) -> Result<ValidateRequest, Vec<Violation>> {
    ValidateRequest::try_from(message).map_err(|e| vec![Violation::from(e)])
}

/// The `ValidateIntent` response for `violations`.
fn violations(violations: Vec<Violation>) -> Response<pb::ValidateIntentResponse> {
    Response::new(pb::ValidateIntentResponse {
        violations: violations.into_iter().map(Into::into).collect(),
    })
}

/// The span of one call, carrying the DIG's identity.
fn span(rpc: &'static str, dig: &DigIdentity) -> tracing::Span {
    tracing::info_span!(
        "controller_call",
        rpc,
        project = %dig.project,
        dig = %dig.dig,
        ctx = %dig.app_context_id,
    )
}

/// Logs a failed call before it becomes a status.
fn failed(e: Error) -> Status {
    tracing::warn!(error = %e, retryable = e.is_retryable(), "controller call failed");
    Status::from(e)
}
