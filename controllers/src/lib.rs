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
//! - [`conformance`]: the contract checks any controller's tests can run against it;
//! - [`builtin`]: the controllers canopy ships, gac and placement, and [`serve_builtin`] to serve one by name.

pub mod action;
pub mod builtin;
pub mod conformance;
pub mod error;
pub mod grpc;
pub mod placement;
pub mod serve;

pub use action::ActionController;
pub use builtin::serve_builtin;
pub use error::{Error, Result};
pub use placement::PlacementController;
pub use serve::{Controller, Serving, serve, serve_action, serve_listener, serve_placement};
