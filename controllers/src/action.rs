//! The trait an action controller implements: edit the resources of an AppContext before rsync applies them.

use canopy_schemas::controller::{
    EventRequest, TerminateRequest, UpdateRequest, UpdateResponse, ValidateRequest, Violation,
};

use crate::error::Result;

/// An action controller. Serve one with [`crate::serve_action`].
///
/// A correct implementation only edits apps the request carries, and only patches or deletes resources
/// that exist in the request or that an earlier edit of the same response adds (the [`crate::conformance`]
/// suite checks this).
#[async_trait::async_trait]
pub trait ActionController: Send + Sync + 'static {
    /// The edits this intent makes to the AppContext, applied in order, all or none.
    async fn update_app_context(&self, request: UpdateRequest) -> Result<UpdateResponse>;

    /// Releases whatever the controller holds for the AppContext; answers with free text for logs. The
    /// default holds nothing and does nothing.
    async fn terminate_app_context(&self, request: TerminateRequest) -> Result<String> {
        let _ = request;
        Ok(String::new())
    }

    /// Learns about a lifecycle event after it happened; answers with free text for logs. The default
    /// ignores events.
    async fn post_event(&self, request: EventRequest) -> Result<String> {
        let _ = request;
        Ok(String::new())
    }

    /// Checks an intent when a user creates or replaces it; an empty list accepts it.
    async fn validate_intent(&self, request: ValidateRequest) -> Result<Vec<Violation>>;
}
