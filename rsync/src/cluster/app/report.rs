//! How the sequences tell their caller what happened to each main resource.

use canopy_engine::appcontext::{Manifest, Ready};

use super::super::error::ApplyError;

/// What happened to one main resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceEvent {
    /// Server-side apply succeeded.
    Applied,
    /// Left as it was: an update found it unchanged.
    Unchanged,
    /// The cluster refused it for good ([`ApplyError::Terminal`]); the message says why. A retryable
    /// failure is not reported (see `refused` in this module).
    Failed(String),
    /// Its readiness as the watch sees it, when first seen and on every change.
    Readiness(Ready),
    /// It is gone from the cluster.
    Deleted,
}

/// The caller's side of a sequence: called for each main resource event, in the order they happen.
///
/// `index` is the resource's position in the `Manifests::resources` the sequence works on; for
/// [`super::update()`], in the new manifests, except for [`ResourceEvent::Deleted`], which indexes the old
/// ones (`m` is given too, so that the caller never has to guess).
pub trait Report: Send + Sync {
    /// One event of the resource at `index`.
    fn resource(&self, index: usize, m: &Manifest, event: ResourceEvent);
}

/// Reports nothing.
impl Report for () {
    fn resource(&self, _index: usize, _m: &Manifest, _event: ResourceEvent) {}
}

/// Reports the resource at `index` [`ResourceEvent::Failed`] when `e` is its failure for good. A retryable
/// failure (the cluster unreachable, busy or erring) and a cancellation say nothing of the resource: the
/// task is tried again and the app's status carries the error meanwhile. Reporting them would mark an
/// applied resource `Failed` until the retry, and announce it `Applied` a second time after it.
pub fn refused(report: &dyn Report, index: usize, m: &Manifest, e: &ApplyError) {
    if let ApplyError::Terminal(why) = e {
        report.resource(index, m, ResourceEvent::Failed(why.clone()));
    }
}
