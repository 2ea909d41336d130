//! canopy's engine: the EMCO-compatible REST API, the resource store, the AppContext (context) store, the
//! scheduler that compiles a deployment intent group into an AppContext and calls the placement and action
//! controllers over gRPC, the DIG lifecycle, and the event outbox. It also owns the `canopy` binary, which
//! runs the server roles and the client CLI.
//!
//! - [`store`]: the resource store trait, its embedded (redb) and MongoDB implementations, and their
//!   conformance suite;
//! - [`context`]: the context store trait (revisions, compare-and-swap transactions, watch), its etcd and
//!   embedded (redb) implementations, and their conformance suite;
//! - [`events`]: the transactional event outbox, the relay that publishes it, and the buses it publishes
//!   to (NATS JetStream, in process);
//! - [`appcontext`]: the AppContext in the context store: its key tree, writer (batched transactions,
//!   `status` last) and reader;
//! - [`lifecycle`]: the DIG and logical-cloud lifecycle: the transition table, the runtime state, and the
//!   sagas that build AppContexts, call the controllers and hand off to rsync;
//! - [`remote`]: the outbound gRPC layer: calls to placement and action controllers and to rsync, with
//!   deadlines, retries and one cached channel per controller;
//! - [`scheduler`]: the pure steps of instantiate: cluster catalog, placement resolution and selection,
//!   action controllers' edits, and chart rendering in dependency order;
//! - [`api`]: the EMCO v2 REST API over the resource store, with its OpenAPI document;
//! - [`stack`]: the parts wired together (stores, bus, relay, remote calls, sagas, API);
//! - [`server`]: `canopy engine`, which opens the store and serves the API until told to stop;
//! - [`duration`]: durations as people write them (`90s`, `10m`, `1h30m`, `7d`), for flags and queries;
//! - [`cli`]: the client commands (`apply`, `update`, `delete`, `get`) that send emcoctl resource files to
//!   the REST API.

pub mod api;
pub mod appcontext;
pub mod cli;
pub mod context;
pub mod duration;
pub mod events;
pub mod lifecycle;
pub mod remote;
pub mod scheduler;
pub mod server;
pub mod stack;
pub mod store;
