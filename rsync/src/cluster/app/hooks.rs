//! Hooks and CRDs, the objects around an app's main resources.

use canopy_engine::appcontext::{Manifest, Manifests};
use tokio_util::sync::CancellationToken;

use super::super::apply::{Cluster, describe};
use super::super::error::Result;

/// Helm's hook run before the main resources are created.
pub const PRE_INSTALL: &str = "pre-install";
/// Helm's hook run after the main resources are created.
pub const POST_INSTALL: &str = "post-install";
/// Helm's hook run before the main resources are deleted.
pub const PRE_DELETE: &str = "pre-delete";
/// Helm's hook run after the main resources are deleted.
pub const POST_DELETE: &str = "post-delete";
/// Helm's hook run before an update applies the changed resources.
pub const PRE_UPGRADE: &str = "pre-upgrade";
/// Helm's hook run after an update's applied resources are ready.
pub const POST_UPGRADE: &str = "post-upgrade";

/// Runs the hooks of `event`, in order, each to its end. As Helm's default `before-hook-creation` policy,
/// a hook object left from an earlier run is deleted first, so that a Job runs again (and its immutable
/// pod template may change).
pub(super) async fn run(
    cluster: &Cluster,
    manifests: &Manifests,
    event: &str,
    deployment_id: &str,
    cancel: &CancellationToken,
) -> Result<()> {
    for hook in manifests.hooks.iter().filter(|h| h.event == event) {
        let m = &hook.manifest;
        tracing::info!(hook = %describe(m), event, "running hook");
        cluster.delete(m).await?;
        cluster.wait_gone(std::slice::from_ref(m), cancel).await?;
        cluster.apply(m, deployment_id).await?;
        cluster.wait_hook(m, cancel).await?;
    }
    Ok(())
}

/// Applies the CRDs and waits until each is established.
pub(super) async fn apply_crds(
    cluster: &Cluster,
    crds: &[&Manifest],
    deployment_id: &str,
    cancel: &CancellationToken,
) -> Result<()> {
    for crd in crds {
        tracing::info!(crd = %describe(crd), "applying CRD");
        cluster.apply(crd, deployment_id).await?;
    }
    for crd in crds {
        cluster.wait_established(crd, cancel).await?;
    }
    Ok(())
}
