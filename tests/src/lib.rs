//! canopy's integration-test crate. Its library is the [`harness`] that every crate's integration tests
//! use to run **real** servers: [`EtcdServer`] and [`NatsServer`] start etcd and nats-server (with
//! JetStream) on free loopback ports in temporary directories, wait until they are ready, can be killed with
//! SIGKILL and restarted on the same port and data for fault tests, and are stopped when dropped. Its
//! `tests/` folder holds the harness's own self-tests and, as the engine grows, the end-to-end tests; its
//! `devstack` binary runs the same servers by hand. [`fixtures`] reaches the real EMCO charts and profiles in
//! `../shared` and packs them as the API expects them. [`RsyncDouble`] serves rsync's gRPC service on a free
//! port, records every call, and fails calls on demand.
//!
//! Binaries come from `CANOPY_ETCD_BIN` and `CANOPY_NATS_BIN`, else from `PATH`, else from the
//! repository's `.tools/bin` that `bash .ci/setup` fills.

pub mod fixtures;
pub mod harness;
pub mod rsync_double;

pub use harness::{EtcdServer, NatsServer};
pub use rsync_double::{RsyncCall, RsyncDouble, RsyncMethod};
