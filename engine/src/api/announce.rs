//! Events for changes made through the resource API: controllers registered, updated and deleted; clusters
//! registered, labelled, unlabelled and deleted (docs/DESIGN.md §8).
//!
//! These objects live in the resource store, and the event goes to the outbox in the context store, so the
//! two writes cannot share a transaction (they can only when both stores are the embedded file, and even
//! then they are two stores). The event is staged right after the resource write commits, with the context
//! store's retries; an engine that dies between the two loses that one event. DIG and logical-cloud
//! transitions, which live in the context store, commit with their events.

use canopy_schemas::event::{Event, Identity};
use canopy_schemas::name::{ClusterRef, ControllerName};

use super::Api;
use crate::events::outbox::Outbox;
use crate::store::Key;

/// Stages `event` in the outbox; a failure is logged, since the change it reports is already made.
pub async fn announce(api: &Api, event: Event) {
    let staged = match Outbox::stage(&event) {
        Ok(op) => api
            .ctx
            .txn(crate::context::Txn::new().and_then([op]))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = staged {
        tracing::error!(subject = %event.subject(), error = %e, "an event could not be staged and is lost");
    }
}

/// The event of a controller change.
pub fn controller(key: &Key, what: &str) -> Option<Event> {
    let name = ControllerName::new(key.name().as_str()).ok()?;
    Some(Event::new(Identity::Controller { name }, what))
}

/// The event of a change to a cluster, or to something under it (a label): the cluster is the first two
/// names of the key.
pub fn cluster(key: &Key, what: &str, message: Option<String>) -> Option<Event> {
    let names = key.names();
    let cluster: ClusterRef = format!("{}+{}", names.first()?, names.get(1)?)
        .parse()
        .ok()?;
    let event = Event::new(Identity::Cluster { cluster }, what);
    Some(match message {
        Some(m) => event.with_message(m),
        None => event,
    })
}
