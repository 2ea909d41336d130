//! canopy's resource synchronizer (docs/DESIGN.md §7): it takes durable work from the engine over the
//! `canopy.rsync.v1.Rsync` service, splits it into per-cluster tasks on a shared queue, applies resources
//! to each edge cluster with server-side apply in dependency order, watches them until they are ready,
//! corrects drift, and records progress and status in the context store, with events through the outbox.
//!
//! - [`service`] → [`intake`]: a call is recorded as the context's [`op`] and queued as [`task`]s;
//! - [`queue`]: JetStream work queue (distributed) or the context store (embedded);
//! - [`worker`] → [`run`]: one task is one cluster's part of an operation;
//! - [`cluster`]: everything done to one cluster: clients, apply, readiness, the per-app sequences;
//! - [`status`]: `st/<cluster>/<app>` and its events;
//! - [`monitor`]: readiness watches and drift resync for deployed apps;
//! - [`supervisor`] and [`finish`]: stop flags, replaced operations, and the context's final state;
//! - [`recover`]: what a restart picks up;
//! - [`server`]: one process assembled; [`register`]: registration with the engine; [`args`]: `canopy rsync`.

pub mod args;
pub mod backoff;
pub mod cluster;
pub mod config;
pub mod finish;
pub mod intake;
pub mod keys;
pub mod kubeconfig;
pub mod monitor;
pub mod op;
pub mod queue;
pub mod recover;
pub mod register;
pub mod registry;
pub mod run;
pub mod runtime;
pub mod server;
pub mod service;
pub mod status;
pub mod supervisor;
pub mod task;
pub mod worker;

pub use config::Config;
pub use server::{Parts, Running};
