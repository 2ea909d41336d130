//! Install: CRDs (applied, then established), `pre-install` hooks (each run to its end), the main resources
//! in order, then `post-install` hooks.

use canopy_engine::appcontext::Manifests;
use tokio_util::sync::CancellationToken;

use super::super::apply::Cluster;
use super::super::error::Result;
use super::hooks::{self, POST_INSTALL, PRE_INSTALL};
use super::report::{Report, ResourceEvent, refused};

/// Installs one app's `manifests` on `cluster`, labelled with `deployment_id`. Returns at the first error;
/// what was applied stays applied. It does not wait for readiness: see [`super::wait_ready()`].
pub async fn install(
    cluster: &Cluster,
    manifests: &Manifests,
    deployment_id: &str,
    report: &dyn Report,
    cancel: &CancellationToken,
) -> Result<()> {
    let crds: Vec<_> = manifests.crds.iter().collect();
    hooks::apply_crds(cluster, &crds, deployment_id, cancel).await?;
    hooks::run(cluster, manifests, PRE_INSTALL, deployment_id, cancel).await?;
    for (index, m) in manifests.resources.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(super::super::ApplyError::Cancelled(
                "installing the resources".into(),
            ));
        }
        match cluster.apply(m, deployment_id).await {
            Ok(()) => report.resource(index, m, ResourceEvent::Applied),
            Err(e) => {
                refused(report, index, m, &e);
                return Err(e);
            }
        }
    }
    hooks::run(cluster, manifests, POST_INSTALL, deployment_id, cancel).await
}
