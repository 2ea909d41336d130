//! Update, make before break: apply the new and changed resources in their new order (unchanged ones are
//! not touched), wait until they are ready, and only then delete the removed ones, in reverse order, and
//! wait until they are gone. CRDs that are new or changed are applied and established first; `pre-upgrade`
//! hooks run before the resources and `post-upgrade` hooks once they are ready. Removed CRDs are kept (as
//! Helm keeps them): deleting one would delete every custom resource of its kind.

use std::collections::{HashMap, HashSet};

use canopy_engine::appcontext::{BlobHash, Manifest, Manifests};
use tokio_util::sync::CancellationToken;

use super::super::apply::Cluster;
use super::super::error::{ApplyError, Result};
use super::super::watch::Watches;
use super::hooks::{self, POST_UPGRADE, PRE_UPGRADE};
use super::report::{Report, ResourceEvent, refused};

/// What an update did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Resources applied: new or changed.
    pub applied: usize,
    /// Resources left untouched: same identity and same body.
    pub skipped: usize,
    /// Resources deleted: in the old manifests only.
    pub deleted: usize,
}

/// A resource's identity across versions: API group (not version, so that moving a kind to a new version
/// does not delete its object), kind, namespace and name.
type Key<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

fn key(m: &Manifest) -> Key<'_> {
    let group = m.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    (group, &m.kind, m.namespace.as_deref(), &m.name)
}

/// Updates one app on the cluster of `watches` from `old` to `new`, labelling what it applies with
/// `deployment_id`.
pub async fn update(
    watches: &Watches,
    old: &Manifests,
    new: &Manifests,
    deployment_id: &str,
    report: &dyn Report,
    cancel: &CancellationToken,
) -> Result<Summary> {
    let cluster = watches.cluster();
    let mut summary = Summary::default();
    let old_crds: HashMap<Key, BlobHash> = old
        .crds
        .iter()
        .map(|m| (key(m), BlobHash::of(&m.body)))
        .collect();
    let crds: Vec<&Manifest> = new
        .crds
        .iter()
        .filter(|m| old_crds.get(&key(m)) != Some(&BlobHash::of(&m.body)))
        .collect();
    hooks::apply_crds(cluster, &crds, deployment_id, cancel).await?;
    hooks::run(cluster, new, PRE_UPGRADE, deployment_id, cancel).await?;

    let old_resources: HashMap<Key, BlobHash> = old
        .resources
        .iter()
        .map(|m| (key(m), BlobHash::of(&m.body)))
        .collect();
    let mut applied = Vec::new();
    for (index, m) in new.resources.iter().enumerate() {
        if old_resources.get(&key(m)) == Some(&BlobHash::of(&m.body)) {
            summary.skipped += 1;
            report.resource(index, m, ResourceEvent::Unchanged);
            continue;
        }
        if cancel.is_cancelled() {
            return Err(ApplyError::Cancelled("updating the resources".into()));
        }
        if let Err(e) = cluster.apply(m, deployment_id).await {
            refused(report, index, m, &e);
            return Err(e);
        }
        report.resource(index, m, ResourceEvent::Applied);
        applied.push(index);
    }
    summary.applied = applied.len();
    let to_wait: Vec<Manifest> = applied.iter().map(|&i| new.resources[i].clone()).collect();
    watches
        .wait_each(&to_wait, cancel, |i, ready| {
            let index = applied[i];
            report.resource(
                index,
                &new.resources[index],
                ResourceEvent::Readiness(ready),
            );
        })
        .await?;
    hooks::run(cluster, new, POST_UPGRADE, deployment_id, cancel).await?;

    summary.deleted = delete_removed(cluster, old, new, report, cancel).await?;
    Ok(summary)
}

/// Deletes, in reverse order, the resources and hook objects of `old` that `new` does not have, waits
/// until the resources are gone and reports them deleted. Returns how many resources it deleted.
async fn delete_removed(
    cluster: &Cluster,
    old: &Manifests,
    new: &Manifests,
    report: &dyn Report,
    cancel: &CancellationToken,
) -> Result<usize> {
    let kept: HashSet<Key> = new.resources.iter().map(key).collect();
    let removed: Vec<(usize, &Manifest)> = old
        .resources
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, m)| !kept.contains(&key(m)))
        .collect();
    for &(index, m) in &removed {
        if let Err(e) = cluster.delete(m).await {
            refused(report, index, m, &e);
            return Err(e);
        }
    }
    let kept_hooks: HashSet<Key> = new.hooks.iter().map(|h| key(&h.manifest)).collect();
    for hook in old.hooks.iter().rev() {
        if !kept_hooks.contains(&key(&hook.manifest)) {
            cluster.delete(&hook.manifest).await?;
        }
    }
    let gone: Vec<Manifest> = removed.iter().map(|(_, m)| (*m).clone()).collect();
    cluster.wait_gone(&gone, cancel).await?;
    for &(index, m) in &removed {
        report.resource(index, m, ResourceEvent::Deleted);
    }
    Ok(removed.len())
}
