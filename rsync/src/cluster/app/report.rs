//! How the sequences tell their caller what happened to each main resource.

use canopy_engine::appcontext::{Manifest, Ready};

/// What happened to one main resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceEvent {
    /// Server-side apply succeeded.
    Applied,
    /// Left as it was: an update found it unchanged.
    Unchanged,
    /// The cluster refused it, or it could not be reached; the message says why.
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
