//! canopy's engine: the EMCO-compatible REST API, the resource store, the AppContext (context) store, the
//! scheduler that compiles a deployment intent group into an AppContext and calls the placement and action
//! controllers over gRPC, the DIG lifecycle, and the event outbox. It also owns the `canopy` binary, which
//! runs the server roles and the client CLI.
//!
//! - [`cli`]: the client commands (`apply`, `update`, `delete`, `get`) that send emcoctl resource files to
//!   the REST API.
//! - [`store`]: the resource store trait, its embedded (redb) implementation and its conformance suite.

pub mod cli;
pub mod store;
