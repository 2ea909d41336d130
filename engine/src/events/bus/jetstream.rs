//! The JetStream bus: events go to the stream `CANOPY_EVENTS`, which captures `canopy.>`, with the
//! `Nats-Msg-Id` header set to the event id so that JetStream drops a re-publish within its duplicate window.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, stream};
use async_trait::async_trait;
use canopy_schemas::event::{CONTENT_TYPE, CONTENT_TYPE_HEADER, Event, MSG_ID_HEADER};

use super::{Ack, Bus, Error, Result};

/// The stream every event is stored in.
pub const STREAM: &str = "CANOPY_EVENTS";
/// The subjects the stream captures: every canopy subject (`schemas::subject`).
pub const SUBJECTS: &str = "canopy.>";

/// At most this many publishes wait for their acknowledgement at once when many are sent together.
/// async-nats holds one of its 5,000 in-flight permits per publish until its acknowledgement is awaited
/// (or dropped); a publisher that sends 5,000 before it awaits any waits forever for a permit it holds
/// itself. rsync's task queue uses the same window.
pub const ACK_WINDOW: usize = 1024;

/// How the stream is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// How long events are kept (0: forever). `canopy engine --events-max-age`; 7 days by default.
    pub max_age: Duration,
    /// The most bytes the stream keeps; the oldest events go first beyond it. None: no limit.
    /// `canopy engine --events-max-bytes`.
    pub max_bytes: Option<u64>,
    /// How long JetStream remembers message ids: a re-publish within it is dropped. It must outlast the
    /// longest outage between a publish and the outbox delete that follows it. It is cut to `max_age`
    /// when that is shorter.
    pub duplicate_window: Duration,
    /// How long one publish waits for its acknowledgement before it fails (and is retried).
    pub ack_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(7 * 24 * 3600),
            max_bytes: None,
            duplicate_window: Duration::from_secs(3600),
            ack_timeout: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// Creates the stream, or updates it to this configuration (its retention included), and returns the
    /// bus. Fails with [`Error::NoJetStream`] when the server does not run JetStream.
    pub async fn build(self, client: async_nats::Client) -> Result<JetStreamBus> {
        if !client.server_info().jetstream {
            return Err(Error::NoJetStream {
                stream: STREAM.into(),
            });
        }
        let js = jetstream::context::ContextBuilder::new()
            .timeout(self.ack_timeout)
            .build(client);
        let config = stream::Config {
            name: STREAM.into(),
            subjects: vec![SUBJECTS.into()],
            storage: stream::StorageType::File,
            max_age: self.max_age,
            // JetStream's "no limit" is -1; a limit past i64::MAX bytes is no limit either.
            max_bytes: self
                .max_bytes
                .and_then(|b| i64::try_from(b).ok())
                .unwrap_or(-1),
            // JetStream refuses a window longer than the retention. Clamping loses nothing: an id is only
            // remembered while its message is kept.
            duplicate_window: if self.max_age.is_zero() {
                self.duplicate_window
            } else {
                self.duplicate_window.min(self.max_age)
            },
            ..Default::default()
        };
        let stream_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::Stream {
            stream: STREAM.into(),
            source,
        };
        match js.get_stream(STREAM).await {
            Ok(_) => js
                .update_stream(config)
                .await
                .map(drop)
                .map_err(|e| stream_error(Box::new(e)))?,
            Err(_) => js
                .get_or_create_stream(config)
                .await
                .map(drop)
                .map_err(|e| stream_error(Box::new(e)))?,
        }
        Ok(JetStreamBus { js })
    }
}

/// Publishes events to the JetStream stream [`STREAM`], and reads them back as a
/// [`Feed`](crate::events::feed::Feed). Cheap to clone.
#[derive(Clone, Debug)]
pub struct JetStreamBus {
    js: jetstream::Context,
}

impl JetStreamBus {
    /// The bus over the stream as it is, for a reader such as `canopy events --nats`: nothing is created
    /// or changed (the engine owns the stream's configuration). Fails when the stream does not exist.
    pub async fn existing(client: async_nats::Client) -> Result<Self> {
        let js = jetstream::new(client);
        js.get_stream(STREAM).await.map_err(|e| Error::Stream {
            stream: STREAM.into(),
            source: Box::new(e),
        })?;
        Ok(Self { js })
    }

    /// The JetStream context the bus publishes with.
    pub(crate) fn context(&self) -> &jetstream::Context {
        &self.js
    }
}

#[async_trait]
impl Bus for JetStreamBus {
    async fn publish(&self, event: &Event) -> Result<Ack> {
        let pending = self.send(event).await?;
        pending.wait().await
    }

    /// Sends every event, in order on the one connection (so the stream stores them in this order), with
    /// up to [`ACK_WINDOW`] acknowledgements outstanding: one round trip per window instead of one per
    /// event.
    async fn publish_all(&self, events: &[Event]) -> Result<Vec<Ack>> {
        let mut pending: std::collections::VecDeque<Pending> =
            std::collections::VecDeque::with_capacity(ACK_WINDOW);
        let mut acks = Vec::with_capacity(events.len());
        for e in events {
            if pending.len() == ACK_WINDOW
                && let Some(oldest) = pending.pop_front()
            {
                acks.push(oldest.wait().await?);
            }
            pending.push_back(self.send(e).await?);
        }
        for p in pending {
            acks.push(p.wait().await?);
        }
        Ok(acks)
    }

    fn feed(&self) -> Option<std::sync::Arc<dyn crate::events::feed::Feed>> {
        Some(std::sync::Arc::new(self.clone()))
    }
}

/// An event sent, whose acknowledgement is still to come.
struct Pending {
    id: String,
    subject: String,
    ack: jetstream::context::PublishAckFuture,
}

impl Pending {
    async fn wait(self) -> Result<Ack> {
        let ack = self.ack.await.map_err(|e| Error::Publish {
            id: self.id,
            subject: self.subject,
            source: Box::new(e),
        })?;
        Ok(Ack {
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        })
    }
}

impl JetStreamBus {
    /// Sends `event` with its id as `Nats-Msg-Id`.
    async fn send(&self, event: &Event) -> Result<Pending> {
        let payload = event.to_msgpack().map_err(Error::Encode)?;
        let subject = event.subject().into_string();
        let id = event.id.to_string();
        let mut headers = HeaderMap::new();
        headers.insert(MSG_ID_HEADER, id.as_str());
        headers.insert(CONTENT_TYPE_HEADER, CONTENT_TYPE);
        match self
            .js
            .publish_with_headers(subject.clone(), headers, payload.into())
            .await
        {
            Ok(ack) => Ok(Pending { id, subject, ack }),
            Err(e) => Err(Error::Publish {
                id,
                subject,
                source: Box::new(e),
            }),
        }
    }
}
