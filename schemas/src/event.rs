//! The envelope every lifecycle event travels in (docs/DESIGN.md §8).
//!
//! On NATS the payload is the envelope in MessagePack with named fields ([`Event::to_msgpack`]), so that
//! fields can be added later without breaking older readers. The message carries the headers
//! [`MSG_ID_HEADER`] (the event id, which JetStream deduplicates on) and [`CONTENT_TYPE_HEADER`] set to
//! [`CONTENT_TYPE`]. The subject is derived from the envelope by [`Event::subject`], never stored beside it.

pub mod delivery;
pub mod filter;
pub mod schema;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{ContextId, EventId, Revision, Timestamp};
use crate::name::{
    AppName, ClusterRef, CompositeAppName, CompositeAppVersion, ControllerName, DigName,
    LogicalCloudName, ProjectName,
};
use crate::subject::Subject;

pub use delivery::Delivery;
pub use filter::Filter;

/// The NATS header that carries the event id; JetStream drops a second message with the same id.
pub const MSG_ID_HEADER: &str = "Nats-Msg-Id";
/// The NATS header that names the payload's encoding.
pub const CONTENT_TYPE_HEADER: &str = "Content-Type";
/// The payload's encoding.
pub const CONTENT_TYPE: &str = "application/msgpack";

/// An envelope could not be encoded or decoded. Terminal: the same bytes fail the same way again.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Encoding failed.
    #[error("encoding event {id} as MessagePack")]
    Encode {
        /// The event.
        id: EventId,
        /// What failed.
        #[source]
        source: rmp_serde::encode::Error,
    },
    /// The payload is not an event envelope.
    #[error("decoding a MessagePack event envelope")]
    Decode(#[source] rmp_serde::decode::Error),
}

/// What an event is about. The variant is the event's kind (serialized as the field `kind`), and its fields
/// are the names that go into the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Identity {
    /// A deployment intent group.
    Dig {
        /// Project.
        project: ProjectName,
        /// Composite app.
        composite_app: CompositeAppName,
        /// Composite app version.
        version: CompositeAppVersion,
        /// The DIG.
        dig: DigName,
    },
    /// One app of an AppContext on one cluster.
    App {
        /// The AppContext.
        ctx: ContextId,
        /// The cluster.
        cluster: ClusterRef,
        /// The app.
        app: AppName,
    },
    /// One resource of one app of an AppContext on one cluster.
    Resource {
        /// The AppContext.
        ctx: ContextId,
        /// The cluster.
        cluster: ClusterRef,
        /// The app.
        app: AppName,
        /// The resource's Kubernetes kind (`kind` names the event's own kind).
        resource_kind: String,
        /// The resource's name.
        name: String,
    },
    /// A registered cluster.
    Cluster {
        /// The cluster.
        cluster: ClusterRef,
    },
    /// A registered controller.
    Controller {
        /// The controller.
        name: ControllerName,
    },
    /// A logical cloud.
    LogicalCloud {
        /// Project.
        project: ProjectName,
        /// The logical cloud.
        logical_cloud: LogicalCloudName,
    },
}

impl Identity {
    /// The AppContext named in the identity, for app and resource events.
    pub fn context(&self) -> Option<ContextId> {
        match self {
            Self::App { ctx, .. } | Self::Resource { ctx, .. } => Some(*ctx),
            Self::Dig { .. }
            | Self::Cluster { .. }
            | Self::Controller { .. }
            | Self::LogicalCloud { .. } => None,
        }
    }
}

/// One lifecycle event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Unique id (UUID v7); also the NATS message id.
    pub id: EventId,
    /// When the transition happened.
    pub time: Timestamp,
    /// What the event is about, with its kind.
    pub subject: Identity,
    /// The state left, if the event is a transition out of a known state.
    pub from: Option<String>,
    /// The state entered; for cluster and controller events, the event's name (`registered`, ...). It is
    /// always the subject's last token.
    pub to: String,
    /// The DIG revision the event belongs to, when there is one.
    pub revision: Option<Revision>,
    /// The AppContext the event belongs to. For app and resource events it is the identity's.
    pub context: Option<ContextId>,
    /// Human-readable detail: a failure's reason, a count, or empty.
    pub message: String,
}

impl Event {
    /// A new event about `subject` entering `to`, stamped now with a fresh id.
    pub fn new(subject: Identity, to: impl Into<String>) -> Self {
        Self {
            id: EventId::new_v7(),
            time: Timestamp::now(),
            context: subject.context(),
            subject,
            from: None,
            to: to.into(),
            revision: None,
            message: String::new(),
        }
    }

    /// Sets the state left.
    pub fn from_state(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// Sets the revision.
    pub fn with_revision(mut self, revision: Revision) -> Self {
        self.revision = Some(revision);
        self
    }

    /// Sets the AppContext (for DIG events, the AppContext of the revision).
    pub fn with_context(mut self, ctx: ContextId) -> Self {
        self.context = Some(ctx);
        self
    }

    /// Sets the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// The subject the event is published on.
    pub fn subject(&self) -> Subject {
        match &self.subject {
            Identity::Dig {
                project,
                composite_app,
                version,
                dig,
            } => Subject::dig(project, composite_app, version, dig, &self.to),
            Identity::App { ctx, cluster, app } => Subject::app(*ctx, cluster, app, &self.to),
            Identity::Resource {
                ctx,
                cluster,
                app,
                resource_kind,
                name,
            } => Subject::resource(*ctx, cluster, app, resource_kind, name, &self.to),
            Identity::Cluster { cluster } => Subject::cluster(cluster, &self.to),
            Identity::Controller { name } => Subject::controller(name, &self.to),
            Identity::LogicalCloud {
                project,
                logical_cloud,
            } => Subject::logical_cloud(project, logical_cloud, &self.to),
        }
    }

    /// The NATS payload: MessagePack with named fields.
    pub fn to_msgpack(&self) -> Result<Vec<u8>, Error> {
        rmp_serde::to_vec_named(self).map_err(|source| Error::Encode {
            id: self.id,
            source,
        })
    }

    /// Decodes a NATS payload. Fields this version does not know are ignored.
    pub fn from_msgpack(bytes: &[u8]) -> Result<Self, Error> {
        rmp_serde::from_slice(bytes).map_err(Error::Decode)
    }

    /// Several events as one MessagePack array of envelopes (an outbox entry), in order.
    pub fn list_to_msgpack(events: &[Event]) -> Result<Vec<u8>, Error> {
        rmp_serde::to_vec_named(events).map_err(|source| Error::Encode {
            // An empty array always encodes, so a failure has a first event.
            id: events.first().map(|e| e.id).expect("an empty list encodes"),
            source,
        })
    }

    /// Decodes what [`list_to_msgpack`](Self::list_to_msgpack) wrote.
    pub fn list_from_msgpack(bytes: &[u8]) -> Result<Vec<Self>, Error> {
        rmp_serde::from_slice(bytes).map_err(Error::Decode)
    }
}

#[cfg(test)]
mod tests;
