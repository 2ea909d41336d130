//! edgesim, a simulator of edge Kubernetes clusters (docs/DESIGN.md §9): one HTTP server ([`server`]) hosts
//! many virtual clusters ([`fleet`], [`cluster`]) under `/clusters/<name>`, each speaking the subset of the
//! Kubernetes API a deployment engine uses ([`api`]): discovery (legacy and aggregated), get, list with label
//! and `metadata.name` field selectors and paging, watch from a resourceVersion with bookmarks, create,
//! replace, delete (single and collection) with propagation, `dryRun`, the status subresource, server-side
//! apply with simplified field ownership ([`ssa`]), merge and JSON patches ([`patch`]), strategic merge with
//! Kubernetes' patch merge keys ([`smp`]), and CRDs that add kinds ([`kind`]). Each cluster keeps its objects
//! as JSON text in an in-memory [`store`]; the verbs live in [`ops`]; [`sim`] simulates workload readiness
//! after a per-cluster delay, and [`fault`] injects unreachability, latency and failing requests. `/admin`
//! creates and deletes clusters, writes [`kubeconfig`]s, sets faults and reads back objects and the apply log.
//! Errors are Kubernetes `Status` objects ([`status`]). The tests drive it with unmodified kube 5 clients
//! (`Api<Deployment>`, `Api<ConfigMap>`, `DynamicObject`, `Discovery`, watchers) built from its kubeconfigs.
//! The `edgesim-bench` binary measures a separate server process's memory and apply throughput. It exists
//! for tests, benchmarks and demos; a test against edgesim never counts as a test against a real cluster.

pub mod api;
pub mod apply_log;
pub mod clock;
pub mod cluster;
pub mod fault;
pub mod fleet;
pub mod kind;
pub mod kubeconfig;
pub mod ops;
pub mod patch;
pub mod selector;
pub mod server;
pub mod sim;
pub mod smp;
pub mod ssa;
pub mod status;
pub mod store;

pub use server::{Config, Handle, Server};
