//! rsync's own keys in the context store, outside any one AppContext (the per-context ones are in
//! `canopy_engine::appcontext::ContextKeys`). This is the only place they are spelled:
//!
//! ```text
//! /canopy/rsync/active/<ctx>       an operation on the context is unfinished (recovery and supervision)
//! /canopy/rsync/deployed/<ctx>     the context is deployed: watched for readiness and resynced for drift
//! /canopy/rsync/conn/<cluster>     the cluster's last known connectivity
//! /canopy/rsync/queue/<task id>    a queued task, in the embedded queue
//! ```

use canopy_engine::context::Key;
use canopy_schemas::ContextId;
use canopy_schemas::name::ClusterRef;

/// The prefix of the unfinished-operation markers.
pub fn actives() -> Key {
    Key::from("/canopy/rsync/active/")
}

/// The marker of an unfinished operation on `ctx`.
pub fn active(ctx: ContextId) -> Key {
    Key::new(format!("/canopy/rsync/active/{ctx}"))
}

/// The prefix of the deployed-context markers.
pub fn deployeds() -> Key {
    Key::from("/canopy/rsync/deployed/")
}

/// The marker of a deployed context.
pub fn deployed(ctx: ContextId) -> Key {
    Key::new(format!("/canopy/rsync/deployed/{ctx}"))
}

/// The cluster's last known connectivity.
pub fn connectivity(cluster: &ClusterRef) -> Key {
    Key::new(format!("/canopy/rsync/conn/{cluster}"))
}

/// The prefix of the embedded queue.
pub fn queue() -> Key {
    Key::from("/canopy/rsync/queue/")
}

/// A task in the embedded queue.
pub fn queued(task_id: &str) -> Key {
    Key::new(format!("/canopy/rsync/queue/{task_id}"))
}

/// The context id at the end of an `active` or `deployed` key.
pub fn context_of(key: &Key) -> Option<ContextId> {
    let text = std::str::from_utf8(key.as_bytes()).ok()?;
    text.rsplit('/').next()?.parse().ok()
}
