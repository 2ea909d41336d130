//! The per-app sequences on one cluster (docs/DESIGN.md §7), one file each: [`install()`],
//! [`wait_ready()`], [`update()`] and [`uninstall()`]. Each reports what happens to the app's main
//! resources through [`Report`]; hooks and CRDs are logged, not reported. Each returns at the first error
//! and leaves what it did in place: the caller decides, from [`super::ApplyError::is_retryable`], whether
//! to run it again (every sequence is idempotent) or to mark the app failed.

mod hooks;
mod install;
mod report;
mod uninstall;
mod update;
mod wait;

pub use hooks::{POST_DELETE, POST_INSTALL, POST_UPGRADE, PRE_DELETE, PRE_INSTALL, PRE_UPGRADE};
pub use install::install;
pub use report::{Report, ResourceEvent};
pub use uninstall::uninstall;
pub use update::{Summary, update};
pub use wait::wait_ready;
