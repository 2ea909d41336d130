//! `canopy serve`: the whole system in one process (docs/DESIGN.md §2). The engine serves the REST API; the
//! built-in controllers `gac` and `placement` and rsync each serve gRPC on a loopback port of their own, and
//! the engine calls them there, as it would call separate processes. The embedded stores are opened once and
//! shared by the engine and rsync; `--etcd`, `--nats` and `--mongo` switch each to the real service.
//!
//! - [`args`]: the command line and the [`Config`] it gives;
//! - [`running`]: [`start`], which starts the parts in order, and the [`Running`] handle that stops them;
//! - [`local`]: requests to the engine's REST handlers in process, used before the API port serves;
//! - [`register`]: the controllers `rsync`, `gac` and `placement`, registered or re-pointed at every start;
//! - [`demo`]: `--demo N`, edgesim clusters in process, registered, labelled and in a logical cloud;
//! - [`error`]: what can fail, and whether trying again helps.

pub mod args;
pub mod demo;
pub mod error;
pub mod local;
pub mod register;
pub mod running;

pub use args::{Args, Config};
pub use error::{Error, Result};
pub use running::{Running, start};
