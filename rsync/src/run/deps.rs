//! App dependencies (EMCO's `WaitForDependency`, docs/DESIGN.md §7). An app waits until every app it depends
//! on is `Deployed` (applied) or `Ready` on the same cluster, plus `wait` seconds; a dependency on an app
//! that is not on this cluster is met when that app reaches the state on all of its own clusters.
//! Terminate waits the other way round: an app is deleted once every app that depends on it is gone.
//! Both read the `st/` keys, so they see what any replica did.

use std::time::Duration;

use canopy_engine::appcontext::{AppProgress, ContextKeys, OpStatus, Phase};
use canopy_schemas::name::{AppName, ClusterRef};
use tokio_util::sync::CancellationToken;

use super::plan::ContextPlan;
use crate::runtime::Runtime;

/// How often a waiting app looks again.
pub const POLL: Duration = Duration::from_millis(250);

/// Why an app will not go ahead.
#[derive(Debug)]
pub enum Blocked {
    /// An app it needed failed or was stopped.
    Failed(String),
    /// The work was cancelled.
    Cancelled,
}

async fn phase(
    rt: &Runtime,
    plan: &ContextPlan,
    cluster: &ClusterRef,
    app: &AppName,
) -> Option<Phase> {
    let key = ContextKeys::new(plan.ctx).cluster_status(cluster, app);
    match rt.store.get(&key).await {
        Ok(Some(kv)) => AppProgress::decode(&kv).ok().map(|p| p.phase),
        _ => None,
    }
}

/// The clusters whose phase of `app` decides a dependency seen from `here`: `here` itself when the app is
/// placed here, else every cluster the app is placed on.
fn judged_on(plan: &ContextPlan, app: &AppName, here: &ClusterRef) -> Vec<ClusterRef> {
    match plan.clusters_of(app) {
        Some(clusters) if clusters.contains(here) => vec![here.clone()],
        Some(clusters) => clusters.iter().cloned().collect(),
        None => Vec::new(),
    }
}

async fn pause(cancel: &CancellationToken, d: Duration) -> Result<(), Blocked> {
    tokio::select! {
        () = cancel.cancelled() => Err(Blocked::Cancelled),
        () = tokio::time::sleep(d) => Ok(()),
    }
}

/// Waits until every dependency of `app` is met on `here`, then the longest `wait` of them.
pub async fn before_install(
    rt: &Runtime,
    plan: &ContextPlan,
    here: &ClusterRef,
    app: &AppName,
    cancel: &CancellationToken,
) -> Result<(), Blocked> {
    let Some((_, _, deps)) = plan.placements().iter().find(|(a, _, _)| a == app) else {
        return Ok(());
    };
    let mut longest = 0;
    for dep in deps {
        let clusters = judged_on(plan, &dep.app, here);
        loop {
            let mut met = true;
            for c in &clusters {
                match phase(rt, plan, c, &dep.app).await {
                    Some(Phase::Failed | Phase::Stopped) => {
                        return Err(Blocked::Failed(format!(
                            "{app} depends on {}, which failed on {c}",
                            dep.app
                        )));
                    }
                    Some(p) if dep.op_status == OpStatus::Deployed && p.is_applied() => {}
                    Some(Phase::Ready) => {}
                    _ => met = false,
                }
            }
            if met {
                break;
            }
            pause(cancel, POLL).await?;
        }
        longest = longest.max(dep.wait);
    }
    pause(cancel, Duration::from_secs(longest)).await
}

/// Waits until every app that depends on `app` is gone (or never got anywhere) where it is judged.
pub async fn before_uninstall(
    rt: &Runtime,
    plan: &ContextPlan,
    here: &ClusterRef,
    app: &AppName,
    cancel: &CancellationToken,
) -> Result<(), Blocked> {
    for dependent in plan.dependents_of(app) {
        let clusters = judged_on(plan, &dependent, here);
        loop {
            let mut gone = true;
            for c in &clusters {
                match phase(rt, plan, c, &dependent).await {
                    None
                    | Some(Phase::Deleted | Phase::Failed | Phase::Stopped | Phase::Pending) => {}
                    Some(_) => gone = false,
                }
            }
            if gone {
                break;
            }
            pause(cancel, POLL).await?;
        }
    }
    Ok(())
}
