//! The EMCO v2 REST API (docs/DESIGN.md §3), served under `/v2`.
//!
//! - [`resource`]: the [`resource::Resource`] trait and the generic create/list/get/replace/delete
//!   handlers every configuration object uses;
//! - [`resources`]: one file per group of objects, each implementing `Resource` and naming its routes;
//! - [`routes`]: builds the router and the OpenAPI document from the same registrations, so the two
//!   cannot drift apart;
//! - [`body`], [`upload`], [`negotiate`]: request bodies, uploaded files, and `Accept` handling;
//! - [`error`]: the JSON error body and status codes.

pub mod body;
pub mod error;
pub mod negotiate;
pub mod resource;
pub mod resources;
pub mod routes;
pub mod upload;

use std::sync::Arc;

use crate::remote::{self, Remote};
use crate::store::ResourceStore;

pub use error::{ApiError, ApiResult, ErrorBody};
pub use routes::{app, openapi};

/// Request size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON body, in bytes.
    pub json_bytes: usize,
    /// Largest multipart request (a chart with its metadata), in bytes.
    pub upload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_bytes: 4 << 20,
            upload_bytes: 256 << 20,
        }
    }
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct Api {
    /// Where objects are kept.
    pub store: Arc<dyn ResourceStore>,
    /// Request size limits.
    pub limits: Limits,
    /// The gRPC client of controllers and rsync, with its connection table.
    pub remote: Arc<Remote>,
}

impl Api {
    /// An API over `store` with `limits`, calling controllers with the default [`remote::Config`].
    pub fn new(store: Arc<dyn ResourceStore>, limits: Limits) -> Self {
        let remote = Arc::new(Remote::new(remote::Config::default()));
        Self {
            store,
            limits,
            remote,
        }
    }
}
