//! canopy's controller SDK: everything needed to write a placement or action controller (docs/DESIGN.md §6).
//!
//! A controller is a function from a request to a response; it never touches etcd or the resource store.
//! Write one by implementing [`PlacementController`] or [`ActionController`] over the domain types of
//! [`canopy_schemas::controller`], then serve it over gRPC with [`serve()`] (or [`serve_placement`] /
//! [`serve_action`]), which binds, reports the bound address and shuts down gracefully.
//!
//! - [`error`]: the [`Error`] a controller returns, mapped to gRPC status codes (terminal or retryable);
//! - [`placement`] and [`action`]: the two controller traits;
//! - [`grpc`]: adapters from the traits to the tonic-generated services;
//! - [`serve`](mod@serve): the server harness;
//! - [`conformance`]: the contract checks any controller's tests can run against it.
//!
//! The built-in controllers (gac, placement) are not built yet.

pub mod action;
pub mod conformance;
pub mod error;
pub mod grpc;
pub mod placement;
pub mod serve;

pub use action::ActionController;
pub use error::{Error, Result};
pub use placement::PlacementController;
pub use serve::{Controller, Serving, serve, serve_action, serve_listener, serve_placement};
