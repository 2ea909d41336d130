//! edgesim, a simulator of edge Kubernetes clusters (docs/DESIGN.md §9): one HTTP server hosts thousands of
//! virtual clusters under `/clusters/<name>`, each speaking the subset of the Kubernetes API that rsync uses
//! (discovery, CRUD, server-side apply, list, watch, delete), with simulated readiness and injectable faults.
//! It exists for tests, benchmarks and demos; a test against edgesim never counts as a test against a real
//! cluster.
//!
//! Nothing is implemented yet: the crate is empty until the edgesim issue builds it.
