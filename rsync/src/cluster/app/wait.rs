//! Wait ready: every main resource of an app ready by its kind's rule, through the shared watches.

use canopy_engine::appcontext::Manifests;
use tokio_util::sync::CancellationToken;

use super::super::error::Result;
use super::super::watch::Watches;
use super::report::{Report, ResourceEvent};

/// Waits until every main resource of `manifests` is ready on the cluster of `watches`, reporting each
/// resource's readiness when first seen and on every change.
pub async fn wait_ready(
    watches: &Watches,
    manifests: &Manifests,
    report: &dyn Report,
    cancel: &CancellationToken,
) -> Result<()> {
    let resources = &manifests.resources;
    watches
        .wait_each(resources, cancel, |i, ready| {
            report.resource(i, &resources[i], ResourceEvent::Readiness(ready));
        })
        .await
}
