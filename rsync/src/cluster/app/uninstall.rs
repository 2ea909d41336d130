//! Uninstall: `pre-delete` hooks, the main resources deleted in reverse order, `post-delete` hooks, then
//! the hook objects and the CRDs deleted, then a wait until every main resource is gone.

use canopy_engine::appcontext::{Manifest, Manifests};
use tokio_util::sync::CancellationToken;

use super::super::apply::Cluster;
use super::super::error::Result;
use super::hooks::{self, POST_DELETE, PRE_DELETE};
use super::report::{Report, ResourceEvent, refused};

/// The deployment id the delete hooks are labelled with: they belong to no deployment's readiness.
const DELETE_HOOKS: &str = "uninstall";

/// Uninstalls one app's `manifests` from `cluster`. Deleting the CRDs deletes every custom resource of
/// their kinds on the cluster, as `kubectl delete` of the CRD does. [`ResourceEvent::Deleted`] is
/// reported for every main resource once all of them are gone.
pub async fn uninstall(
    cluster: &Cluster,
    manifests: &Manifests,
    report: &dyn Report,
    cancel: &CancellationToken,
) -> Result<()> {
    hooks::run(cluster, manifests, PRE_DELETE, DELETE_HOOKS, cancel).await?;
    for (index, m) in manifests.resources.iter().enumerate().rev() {
        if let Err(e) = cluster.delete(m).await {
            refused(report, index, m, &e);
            return Err(e);
        }
    }
    hooks::run(cluster, manifests, POST_DELETE, DELETE_HOOKS, cancel).await?;
    let others: Vec<&Manifest> = manifests
        .hooks
        .iter()
        .map(|h| &h.manifest)
        .chain(manifests.crds.iter().rev())
        .collect();
    for m in &others {
        cluster.delete(m).await?;
    }
    cluster.wait_gone(&manifests.resources, cancel).await?;
    for (index, m) in manifests.resources.iter().enumerate().rev() {
        report.resource(index, m, ResourceEvent::Deleted);
    }
    Ok(())
}
