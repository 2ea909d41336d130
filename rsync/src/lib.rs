//! canopy's resource synchronizer (docs/DESIGN.md §7): it takes durable work from the engine over the
//! `canopy_schemas::proto::rsync` service, splits it into per-cluster tasks, applies resources to each edge
//! cluster with server-side apply in dependency order, watches them until they are ready, and records
//! progress and status in the context store.
//!
//! Nothing is implemented yet: the crate is empty until the rsync issue builds it. The gRPC contract it
//! will serve already exists in `canopy-schemas`.
