//! The engine's outbound gRPC layer (docs/DESIGN.md §6): calls to placement and action controllers and to
//! rsync, over the domain types of [`canopy_schemas::controller`]. The generated messages never leave this
//! module: every request is converted into its message here, and every response is converted back (a
//! response that fails conversion is a terminal [`CallError::Malformed`]).
//!
//! - [`endpoint`]: [`ControllerInfo`], where a registered controller listens and what it is, built from its
//!   stored REST body;
//! - [`table`]: the connection [`Table`], one cached lazy channel per controller, rebuilt when the
//!   controller's endpoint changes and dropped when it is re-registered or deleted;
//! - [`retry`]: [`Config`] (deadline, attempts, backoff) and the capped, jittered exponential backoff;
//! - [`error`]: [`CallError`], which names the controller and the method and says whether a retry may help;
//! - [`call`]: [`Remote`], which runs one call with its deadline and retries;
//! - [`controller`] and [`rsync`]: the methods of the controller services and of rsync's service.

pub mod call;
pub mod controller;
pub mod endpoint;
pub mod error;
pub mod retry;
pub mod rsync;
pub mod table;

pub use call::Remote;
pub use endpoint::{ControllerInfo, Kind};
pub use error::{CallError, Method};
pub use retry::Config;
pub use rsync::Accepted;
pub use table::Table;
