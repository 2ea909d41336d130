//! Events for changes made through the resource API: controllers registered, updated and deleted; clusters
//! registered, labelled, unlabelled and deleted (docs/DESIGN.md §8).
//!
//! These objects live in the resource store and the outbox in the context store, so one transaction cannot
//! hold both. The event is made durable in three steps instead, none of which can lose it or invent it:
//! 1. before the resource write, the event is staged as *pending* (`/canopy/outbox-pending/<event id>`) with
//!    the object's key and what the write will leave (the object with this body, or no object);
//! 2. the resource write;
//! 3. one context-store transaction moves the event from pending to the outbox, which the relay publishes.
//!    A write that failed drops the pending event instead.
//!
//! An engine that dies between the steps leaves a pending event. [`recover`], run at every start before the
//! API serves, checks each against the resource store: when the object is as the write would leave it, the
//! write happened and the event goes to the outbox; otherwise it did not, and the event is dropped.

use canopy_schemas::event::{Event, Identity};
use canopy_schemas::name::{ClusterRef, ControllerName};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::{self, Compare, ContextStore, Key as CtxKey, Op, Txn};
use crate::events::outbox::{self, Outbox};
use crate::store::{Key, ResourceStore};

/// Where pending events wait.
pub const PENDING: &str = "/canopy/outbox-pending/";

/// What the resource write leaves when it succeeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expect {
    /// The object, with this body.
    Present(Value),
    /// No object.
    Absent,
}

/// An event waiting for its resource write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The event.
    pub event: Event,
    /// The object's storage key.
    pub object: String,
    /// What the write leaves.
    pub expect: Expect,
}

/// A staged event: its pending key, and the event.
#[derive(Debug)]
pub struct Staged {
    key: CtxKey,
    event: Event,
}

/// Staging or promoting failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The context store failed.
    #[error("context store")]
    Context(#[from] context::Error),
    /// The event could not be staged in the outbox.
    #[error(transparent)]
    Outbox(#[from] outbox::Error),
    /// A pending record could not be encoded or decoded.
    #[error("pending event {key}: {message}")]
    Codec {
        /// The record's key.
        key: CtxKey,
        /// What failed.
        message: String,
    },
}

fn pending_key(event: &Event) -> CtxKey {
    CtxKey::new(format!("{PENDING}{}", event.id))
}

/// Step 1: stages `event` as pending for the write of `object`.
pub async fn stage(
    ctx: &dyn ContextStore,
    event: Event,
    object: &Key,
    expect: Expect,
) -> Result<Staged, Error> {
    let key = pending_key(&event);
    let pending = Pending {
        event: event.clone(),
        object: object.storage_key(),
        expect,
    };
    let value = rmp_serde::to_vec_named(&pending).map_err(|e| Error::Codec {
        key: key.clone(),
        message: e.to_string(),
    })?;
    ctx.put(&key, value).await?;
    Ok(Staged { key, event })
}

/// Step 3: the write succeeded; the event moves to the outbox, in one transaction.
pub async fn promote(ctx: &dyn ContextStore, staged: Staged) -> Result<(), Error> {
    let txn = Txn::new()
        .when([Compare::new(
            staged.key.clone(),
            context::CompareOp::Greater,
            context::Target::CreateRevision(context::Revision(0)),
        )])
        .and_then([Op::Delete(staged.key.clone())]);
    ctx.txn(Outbox::stage_in(txn, &staged.event)?).await?;
    Ok(())
}

/// The write failed: the event is dropped.
pub async fn abandon(ctx: &dyn ContextStore, staged: Staged) -> Result<(), Error> {
    ctx.delete(&staged.key).await?;
    Ok(())
}

/// Settles every pending event a dead engine left: promoted when its write happened, dropped otherwise.
/// Returns how many were promoted and dropped.
pub async fn recover(
    store: &dyn ResourceStore,
    ctx: &dyn ContextStore,
) -> Result<(usize, usize), Error> {
    let (mut promoted, mut dropped) = (0, 0);
    for kv in ctx.range(&CtxKey::from(PENDING)).await?.kvs {
        let pending: Pending = rmp_serde::from_slice(&kv.value).map_err(|e| Error::Codec {
            key: kv.key.clone(),
            message: e.to_string(),
        })?;
        let happened = match Key::from_storage_key(&pending.object) {
            Ok(object) => {
                let record = store.get(&object).await.map_err(|e| Error::Codec {
                    key: kv.key.clone(),
                    message: format!("reading {}: {e}", pending.object),
                })?;
                match (&pending.expect, record) {
                    (Expect::Present(body), Some(record)) => record.data == *body,
                    (Expect::Absent, None) => true,
                    _ => false,
                }
            }
            Err(_) => false,
        };
        let staged = Staged {
            key: kv.key.clone(),
            event: pending.event,
        };
        if happened {
            promote(ctx, staged).await?;
            promoted += 1;
        } else {
            tracing::info!(subject = %staged.event.subject(), "a pending event whose write never happened is dropped");
            abandon(ctx, staged).await?;
            dropped += 1;
        }
    }
    Ok((promoted, dropped))
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

impl From<Error> for super::ApiError {
    fn from(e: Error) -> Self {
        let retryable = matches!(&e, Error::Context(c) if c.is_retryable());
        let status = if retryable {
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        } else {
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        };
        tracing::error!(error = %e, "staging an event");
        super::ApiError::new(
            status,
            format!("staging the event of this change failed, nothing was written: {e}"),
        )
    }
}
