//! The trait a placement controller implements: narrow and score the candidate clusters of each app.

use canopy_schemas::controller::{FilterRequest, FilterResponse, ValidateRequest, Violation};

use crate::error::Result;

/// A placement controller. Serve one with [`crate::serve_placement`].
///
/// A correct implementation only names apps and clusters the request carries as candidates (the
/// [`crate::conformance`] suite checks this), and answers a bad intent with violations or
/// [`crate::Error::InvalidArgument`], never by panicking.
#[async_trait::async_trait]
pub trait PlacementController: Send + Sync + 'static {
    /// Keeps, drops or scores candidate clusters. Clusters the response does not name stay as they were.
    async fn filter_clusters(&self, request: FilterRequest) -> Result<FilterResponse>;

    /// Checks an intent when a user creates or replaces it; an empty list accepts it. The default accepts
    /// every intent.
    async fn validate_intent(&self, request: ValidateRequest) -> Result<Vec<Violation>> {
        let _ = request;
        Ok(Vec::new())
    }
}
