//! canopy's engine: the EMCO-compatible REST API, the resource store, the AppContext (context) store, the
//! scheduler that compiles a deployment intent group into an AppContext and calls the placement and action
//! controllers over gRPC, the DIG lifecycle, and the event outbox. It also owns the `canopy` binary, which
//! runs the server roles and the client CLI.
//!
//! - [`store`]: the resource store trait, its embedded (redb) implementation and its conformance suite;
//! - [`api`]: the EMCO v2 REST API over the resource store, with its OpenAPI document;
//! - [`server`]: `canopy engine`, which opens the store and serves the API until told to stop.

pub mod api;
pub mod server;
pub mod store;
