//! The distributed queue: a JetStream stream with work-queue retention and one durable pull consumer that
//! every rsync replica shares. JetStream hands each message to one consumer client at a time, removes it
//! when it is acked, and hands it out again when its ack deadline passes (the replica died); a worker on
//! a long task keeps its deadline moving with in-progress acks. A worker fetches one message only when
//! it has a free slot, so no message waits in a replica's buffer while its deadline runs.

use std::collections::VecDeque;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, AckKind, consumer, stream};
use async_trait::async_trait;
use canopy_engine::events::bus::jetstream::ACK_WINDOW;
use futures::StreamExt;

use super::{Delivery, Queue, QueueError};
use crate::task::Task;

/// The stream that holds the tasks. It is outside `canopy.>`, which the event stream captures.
pub const STREAM: &str = "CANOPY_RSYNC_TASKS";
/// The subject tasks are published on.
pub const SUBJECT: &str = "canopy_rsync.tasks";
/// The durable consumer every replica pulls from.
pub const CONSUMER: &str = "rsync";

/// The queue of the distributed mode.
#[derive(Clone)]
pub struct JetStreamQueue {
    js: jetstream::Context,
    consumer: consumer::Consumer<consumer::pull::Config>,
}

fn failed(what: &str, e: impl std::fmt::Display) -> QueueError {
    QueueError(format!("{what}: {e}"))
}

impl JetStreamQueue {
    /// Creates (or reuses) the stream and the shared consumer. `ack_wait` is how long a delivery may go
    /// without an ack or keep-alive before JetStream hands the task to another worker.
    pub async fn open(client: async_nats::Client, ack_wait: Duration) -> Result<Self, QueueError> {
        let js = jetstream::new(client);
        let stream = js
            .get_or_create_stream(stream::Config {
                name: STREAM.into(),
                subjects: vec![SUBJECT.into()],
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                duplicate_window: Duration::from_secs(3600),
                ..Default::default()
            })
            .await
            .map_err(|e| {
                failed(
                    "creating the stream CANOPY_RSYNC_TASKS (is JetStream on?)",
                    e,
                )
            })?;
        let consumer = stream
            .get_or_create_consumer(
                CONSUMER,
                consumer::pull::Config {
                    durable_name: Some(CONSUMER.into()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait,
                    max_ack_pending: 100_000,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| failed("creating the consumer rsync", e))?;
        Ok(Self { js, consumer })
    }
}

#[async_trait]
impl Queue for JetStreamQueue {
    /// Publishes the tasks with up to [`ACK_WINDOW`] acknowledgements outstanding (async-nats would wait
    /// forever for a permit past 5,000 unawaited ones: a 10,000-cluster operation did).
    async fn push(&self, tasks: &[Task]) -> Result<(), QueueError> {
        let mut acks: VecDeque<jetstream::context::PublishAckFuture> =
            VecDeque::with_capacity(ACK_WINDOW);
        for task in tasks {
            if acks.len() == ACK_WINDOW
                && let Some(oldest) = acks.pop_front()
            {
                oldest.await.map_err(|e| failed("queueing a task", e))?;
            }
            let mut headers = HeaderMap::new();
            headers.insert("Nats-Msg-Id", task.id().as_str());
            let ack = self
                .js
                .publish_with_headers(SUBJECT, headers, task.encode().into())
                .await
                .map_err(|e| failed("queueing a task", e))?;
            acks.push_back(ack);
        }
        for ack in acks {
            ack.await.map_err(|e| failed("queueing a task", e))?;
        }
        Ok(())
    }

    async fn pull(&self, max: usize) -> Result<Vec<Box<dyn Delivery>>, QueueError> {
        loop {
            // What is waiting now, in one request that does not wait; when nothing is, one request that
            // waits (up to 5 s) for the next task.
            let mut taken = self
                .take(
                    self.consumer
                        .fetch()
                        .max_messages(max.max(1))
                        .messages()
                        .await
                        .map_err(|e| failed("pulling tasks", e))?,
                )
                .await?;
            if taken.is_empty() {
                taken = self
                    .take(
                        self.consumer
                            .batch()
                            .max_messages(1)
                            .expires(Duration::from_secs(5))
                            .messages()
                            .await
                            .map_err(|e| failed("pulling a task", e))?,
                    )
                    .await?;
            }
            if !taken.is_empty() {
                return Ok(taken);
            }
        }
    }
}

impl JetStreamQueue {
    /// The decodable tasks of one pull (an undecodable one is terminated and dropped).
    async fn take<E: std::fmt::Display>(
        &self,
        mut batch: impl futures::Stream<Item = Result<jetstream::Message, E>> + Unpin,
    ) -> Result<Vec<Box<dyn Delivery>>, QueueError> {
        let mut taken: Vec<Box<dyn Delivery>> = Vec::new();
        while let Some(next) = batch.next().await {
            let message = next.map_err(|e| failed("pulling a task", e))?;
            let attempt = message
                .info()
                .map(|i| u32::try_from(i.delivered.saturating_sub(1)).unwrap_or(u32::MAX))
                .unwrap_or(0);
            match Task::decode(&message.payload) {
                Ok(task) => taken.push(Box::new(JetStreamDelivery {
                    message,
                    task,
                    attempt,
                })),
                Err(e) => {
                    tracing::warn!("dropping an undecodable task: {e}");
                    let _ = message.ack_with(AckKind::Term).await;
                }
            }
        }
        Ok(taken)
    }
}

struct JetStreamDelivery {
    message: jetstream::Message,
    task: Task,
    attempt: u32,
}

#[async_trait]
impl Delivery for JetStreamDelivery {
    fn task(&self) -> &Task {
        &self.task
    }

    fn attempt(&self) -> u32 {
        self.attempt
    }

    async fn keep_alive(&self) -> Result<(), QueueError> {
        self.message
            .ack_with(AckKind::Progress)
            .await
            .map_err(|e| failed("keeping a task", e))
    }

    async fn ack(&self) -> Result<(), QueueError> {
        self.message
            .double_ack()
            .await
            .map_err(|e| failed("acking a task", e))
    }

    async fn retry_after(&self, delay: Duration) -> Result<(), QueueError> {
        self.message
            .ack_with(AckKind::Nak(Some(delay)))
            .await
            .map_err(|e| failed("giving a task back", e))
    }
}
