//! The engine's parts wired together: the stores, the bus, the outbox relay, the connections to controllers
//! and rsync, the saga runner and the API. `canopy engine` builds one; tests build one over a temporary
//! embedded file.

use std::path::Path;
use std::sync::Arc;

use crate::api::{Api, Limits};
use crate::context::ContextStore;
use crate::events::Bus;
use crate::events::relay::{self, Relay};
use crate::lifecycle::Lifecycle;
use crate::lifecycle::saga::{self, Parts, Runner};
use crate::remote::{self, Remote};
use crate::store::ResourceStore;

/// How the parts behave.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Request size limits.
    pub limits: Limits,
    /// Controller and rsync calls: deadline and retries.
    pub remote: remote::Config,
    /// Saga step retries.
    pub saga: saga::Config,
    /// Outbox relay backoff.
    pub relay: relay::Config,
    /// `GET /v2/events`: heartbeat and per-client buffer.
    pub events: crate::api::events::Config,
}

/// The engine's parts.
pub struct Stack {
    /// The REST API's shared state.
    pub api: Api,
    /// The saga runner.
    pub runner: Runner,
    /// The outbox relay; run it with [`Relay::run`].
    pub relay: Relay,
}

impl Stack {
    /// Wires the parts over the given stores and bus. `GET /v2/events` reads from the bus's
    /// [`feed`](Bus::feed), so subscribers see what the relay publishes.
    pub fn new(
        store: Arc<dyn ResourceStore>,
        ctx: Arc<dyn ContextStore>,
        bus: Arc<dyn Bus>,
        config: Config,
    ) -> Self {
        let remote = Arc::new(Remote::new(config.remote));
        let runner = Runner::new(Parts {
            ctx: ctx.clone(),
            store: store.clone(),
            remote: remote.clone(),
            config: config.saga,
        });
        let lifecycle = Lifecycle::new(ctx.clone(), runner.clone());
        let feed = bus.feed();
        let relay = config.relay.build(ctx.clone(), bus);
        let api =
            Api::new(store, ctx, lifecycle, remote, config.limits).with_events(feed, config.events);
        Self { api, runner, relay }
    }
}

impl Stack {
    /// The embedded mode: both stores in the redb file at `path`, events on an in-process bus.
    pub fn embedded(path: &Path, config: Config) -> Result<Self, EmbeddedError> {
        let (store, ctx) = embedded(path)?;
        let bus = Arc::new(crate::events::bus::MemoryBus::new(
            crate::server::MEMORY_BUS_EVENTS,
        ));
        Ok(Self::new(store, ctx, bus, config))
    }
}

/// A resource store and a context store.
pub type Stores = (Arc<dyn ResourceStore>, Arc<dyn ContextStore>);

/// The resource store and the context store in one embedded redb file.
pub fn embedded(path: &Path) -> Result<Stores, EmbeddedError> {
    let db = Arc::new(
        redb::Database::create(path)
            .map_err(|e| EmbeddedError(format!("{}: {e}", path.display())))?,
    );
    let store = crate::store::embedded::EmbeddedStore::with_database(db.clone())
        .map_err(|e| EmbeddedError(e.to_string()))?;
    let ctx = crate::context::EmbeddedStore::with_database(db)
        .map_err(|e| EmbeddedError(e.to_string()))?;
    Ok((Arc::new(store), Arc::new(ctx)))
}

/// The embedded file could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("opening the embedded store {0}")]
pub struct EmbeddedError(pub String);
