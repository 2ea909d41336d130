//! Everything rsync does to one edge cluster:
//! - [`Clients`]: one cached kube client per cluster, built from its kubeconfig;
//! - [`Cluster`]: one cluster's handle with its discovery cache: apply, delete, exists, and waits on single
//!   objects (a CRD established, a hook run, objects gone);
//! - [`ready`]: the readiness rules per kind;
//! - [`Watches`]: the shared readiness watches, one per kind per cluster;
//! - [`app`]: the per-app sequences (install, wait ready, update, uninstall) with progress reported through
//!   [`app::Report`];
//! - [`ApplyError`]: what failed, retryable or terminal.

pub mod app;
mod apply;
mod body;
mod clients;
mod discovery;
mod error;
mod id;
pub mod ready;
mod wait;
mod watch;

pub use apply::{Cluster, FIELD_MANAGER, REQUEST_TIMEOUT};
pub use body::DEPLOYMENT_ID_LABEL;
pub use clients::{CONNECT_TIMEOUT, Clients};
pub use discovery::Kind;
pub use error::{ApplyError, Result};
pub use id::ResourceId;
pub use wait::POLL;
pub use watch::{CHANGES_BUFFER, Change, Seen, Subscription, WATCH_TIMEOUT, Watches};
