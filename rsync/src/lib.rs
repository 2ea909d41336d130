//! canopy's resource synchronizer (docs/DESIGN.md §7): it takes durable work from the engine over the
//! `canopy_schemas::proto::rsync` service, splits it into per-cluster tasks, applies resources to each edge
//! cluster with server-side apply in dependency order, watches them until they are ready, and records
//! progress and status in the context store.
//!
//! The parts:
//! - [`cluster`]: everything rsync does to one edge cluster: the cached clients ([`cluster::Clients`]), one
//!   cluster's handle with its discovery cache ([`cluster::Cluster`]: apply, delete, waits), the readiness
//!   rules ([`cluster::ready`]), the shared per-kind readiness watches ([`cluster::Watches`]) and the per-app
//!   sequences ([`cluster::app`]: install, wait ready, update, uninstall), which report progress through
//!   [`cluster::app::Report`].

pub mod cluster;
