//! canopy's engine: the EMCO-compatible REST API, the resource store, the AppContext (context) store, the
//! scheduler that compiles a deployment intent group into an AppContext and calls the placement and action
//! controllers over gRPC, the DIG lifecycle, and the event outbox. It also owns the `canopy` binary, which
//! runs the server roles and the client CLI.
//!
//! Nothing of the engine is implemented yet. The `canopy` binary answers `--help` and `--version` and has
//! no subcommands; later issues add `canopy serve`, `canopy apply` and the rest.
