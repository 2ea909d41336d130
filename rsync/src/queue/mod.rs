//! Where tasks wait for a worker (docs/DESIGN.md §7): [`JetStreamQueue`] shares them between every rsync
//! replica through one JetStream work-queue consumer, and [`EmbeddedQueue`] keeps them in the context store
//! for the one-process mode. Both give at-least-once delivery: a task is removed only when its worker acks
//! it, after the cluster's work is recorded, and a worker that dies leaves its tasks to be delivered again.

mod embedded;
mod jetstream;

use std::time::Duration;

use async_trait::async_trait;

pub use embedded::EmbeddedQueue;
pub use jetstream::{JetStreamQueue, STREAM, SUBJECT};

use crate::task::Task;

/// A queue operation failed; the caller may retry it later.
#[derive(Debug, thiserror::Error)]
#[error("rsync task queue: {0}")]
pub struct QueueError(pub String);

/// A task queue shared by the workers of one or more processes.
#[async_trait]
pub trait Queue: Send + Sync + 'static {
    /// Queues `tasks`; returns once they are durable. A task already queued and not yet acked is not
    /// queued twice.
    async fn push(&self, tasks: &[Task]) -> Result<(), QueueError>;

    /// Waits for the next task, and takes with it up to `max` tasks in all that are waiting already (a
    /// worker asks for as many as it has room for, so that tasks are not held where nobody runs them).
    async fn pull(&self, max: usize) -> Result<Vec<Box<dyn Delivery>>, QueueError>;
}

/// One delivery of a task to a worker.
#[async_trait]
pub trait Delivery: Send + Sync {
    /// The task.
    fn task(&self) -> &Task;
    /// How many times the task was handed out before this delivery (0 the first time): the retry count.
    fn attempt(&self) -> u32;
    /// Tells the queue the worker is still on it, so it is not delivered to another worker.
    async fn keep_alive(&self) -> Result<(), QueueError>;
    /// The work is recorded: remove the task.
    async fn ack(&self) -> Result<(), QueueError>;
    /// Give the task back, to be delivered again after `delay`.
    async fn retry_after(&self, delay: Duration) -> Result<(), QueueError>;
}
