//! The API verbs on one cluster, one file per verb family; each takes the cluster lock once and never
//! across an `.await`.

mod commit;
mod delete;
mod read;
mod watch;
mod write;

pub use delete::Propagation;
pub use read::ListQuery;
pub use watch::WatchQuery;
pub use write::PatchKind;
