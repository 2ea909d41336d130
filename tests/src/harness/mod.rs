//! Real etcd and nats-server for tests.
//!
//! - [`server`]: [`Server`], one managed server process of a [`Kind`], with `kill()` and `restart()`;
//! - [`etcd`] and [`nats`]: the two kinds, their command lines, readiness probes and client helpers;
//! - [`binary`]: where the server binaries are found, and how to install them when they are not;
//! - `process` and `net`: the child process with its log file, free ports and the HTTP health probe.
//!
//! ```no_run
//! # async fn demo() -> Result<(), canopy_tests::harness::Error> {
//! let mut etcd = canopy_tests::EtcdServer::start().await?;
//! let mut client = etcd.connect().await?;
//! client.put("k", "v", None).await.expect("put");
//! etcd.kill();
//! etcd.restart().await?; // same port, same data
//! # Ok(()) }
//! ```

pub mod binary;
mod error;
pub mod etcd;
pub mod nats;
mod net;
mod process;
pub mod server;

pub use error::{Error, Result};
pub use server::{Builder, Kind, Server};

/// A real etcd server.
pub type EtcdServer = Server<etcd::Etcd>;
/// A real nats-server with JetStream.
pub type NatsServer = Server<nats::Nats>;
