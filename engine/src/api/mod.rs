//! The EMCO v2 REST API (docs/DESIGN.md §3), served under `/v2`.
//!
//! - [`resource`]: the [`resource::Resource`] trait and the generic create/list/get/replace/delete
//!   handlers every configuration object uses;
//! - [`resources`]: one file per group of objects, each implementing `Resource` and naming its routes;
//! - [`routes`]: builds the router and the OpenAPI document from the same registrations, so the two
//!   cannot drift apart;
//! - [`body`], [`upload`], [`negotiate`]: request bodies, uploaded files, and `Accept` handling;
//! - [`error`]: the JSON error body and status codes;
//! - [`announce`]: events for controller and cluster changes;
//! - [`lifecycle`], [`status`]: the DIG and logical-cloud lifecycle routes and their status;
//! - [`events`]: `GET /v2/events`, the event stream as Server-Sent Events;
//! - [`time`]: RFC 3339 times in bodies.

pub mod announce;
pub mod body;
pub mod error;
pub mod events;
pub mod lifecycle;
pub mod negotiate;
pub mod resource;
pub mod resources;
pub mod routes;
pub mod status;
pub mod time;
pub mod upload;

use std::sync::Arc;

use crate::context::ContextStore;
use crate::lifecycle::Lifecycle;
use crate::remote::Remote;
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
    /// Where lifecycle state and AppContexts are kept.
    pub ctx: Arc<dyn ContextStore>,
    /// The DIG and logical-cloud lifecycle.
    pub lifecycle: Lifecycle,
    /// The gRPC client of controllers and rsync, with its connection table.
    pub remote: Arc<Remote>,
    /// Where `GET /v2/events` reads events, and how its subscriptions behave.
    pub events: events::Events,
}

impl Api {
    /// An API over `store` and `ctx`, with `limits`, whose lifecycle is `lifecycle` and whose calls to
    /// controllers go through `remote`.
    pub fn new(
        store: Arc<dyn ResourceStore>,
        ctx: Arc<dyn ContextStore>,
        lifecycle: Lifecycle,
        remote: Arc<Remote>,
        limits: Limits,
    ) -> Self {
        Self {
            store,
            limits,
            ctx,
            lifecycle,
            remote,
            events: events::Events::default(),
        }
    }

    /// The same API with `GET /v2/events` reading from `feed`, with `config`.
    pub fn with_events(
        mut self,
        feed: Option<Arc<dyn crate::events::Feed>>,
        config: events::Config,
    ) -> Self {
        self.events = events::Events { feed, config };
        self
    }
}
