//! The API verbs on one cluster, one file per verb family; each takes the cluster lock once and never
//! across an `.await`.

mod commit;
mod delete;
pub mod paging;
mod read;
mod watch;
mod write;

pub use delete::Propagation;
pub use read::ListQuery;
pub use watch::WatchQuery;
pub use write::PatchKind;

/// Request options shared by the write verbs.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions<'a> {
    /// `fieldManager` (`""` when none was given).
    pub manager: &'a str,
    /// `force` (apply only): take over conflicting fields.
    pub force: bool,
    /// `dryRun=All`: validate and answer as if written, but store, log and announce nothing.
    pub dry_run: bool,
}
