//! The embedded queue: each task is a key in the context store (`/canopy/rsync/queue/<task id>`), put before
//! `push` returns and deleted on ack, and an in-process channel hands them to the workers. At start every
//! stored task is handed out again, which is the redelivery after a crash. It serves one process: the
//! embedded store is one file that only one process opens.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use canopy_engine::context::{ContextStore, Op, Txn};
use tokio::sync::mpsc;

use super::{Delivery, Queue, QueueError};
use crate::keys;
use crate::task::Task;

/// The queue of the one-process mode.
#[derive(Clone)]
pub struct EmbeddedQueue {
    store: Arc<dyn ContextStore>,
    tx: mpsc::UnboundedSender<(Task, u32)>,
    rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<(Task, u32)>>>,
    /// Task ids queued or being worked on, so a repeat push does not hand a task out twice.
    pending: Arc<Mutex<HashSet<String>>>,
}

impl EmbeddedQueue {
    /// Opens the queue and hands out again every task a previous process left.
    pub async fn open(store: Arc<dyn ContextStore>) -> Result<Self, QueueError> {
        let (tx, rx) = mpsc::unbounded_channel();
        let queue = Self {
            store,
            tx,
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            pending: Arc::default(),
        };
        let left = queue
            .store
            .range(&keys::queue())
            .await
            .map_err(|e| QueueError(format!("reading the queue: {e}")))?;
        for kv in left.kvs {
            match Task::decode(&kv.value) {
                Ok(task) => queue.hand_out(task),
                Err(e) => tracing::warn!(key = %kv.key, "skipping a queued task: {e}"),
            }
        }
        Ok(queue)
    }

    fn hand_out(&self, task: Task) {
        if self.pending.lock().expect("lock").insert(task.id()) {
            let _ = self.tx.send((task, 0));
        }
    }
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn push(&self, tasks: &[Task]) -> Result<(), QueueError> {
        for chunk in tasks.chunks(canopy_engine::context::MAX_OPS) {
            let ops: Vec<Op> = chunk
                .iter()
                .map(|t| Op::put(keys::queued(&t.id()), t.encode()))
                .collect();
            self.store
                .txn(Txn::new().and_then(ops))
                .await
                .map_err(|e| QueueError(format!("recording tasks: {e}")))?;
        }
        for task in tasks {
            self.hand_out(task.clone());
        }
        Ok(())
    }

    async fn pull(&self, max: usize) -> Result<Vec<Box<dyn Delivery>>, QueueError> {
        let mut rx = self.rx.lock().await;
        let first = rx
            .recv()
            .await
            .ok_or_else(|| QueueError("the queue is closed".into()))?;
        let mut taken = vec![first];
        while taken.len() < max {
            match rx.try_recv() {
                Ok(next) => taken.push(next),
                Err(_) => break,
            }
        }
        Ok(taken
            .into_iter()
            .map(|(task, attempt)| {
                Box::new(EmbeddedDelivery {
                    queue: self.clone(),
                    task,
                    attempt,
                }) as Box<dyn Delivery>
            })
            .collect())
    }
}

struct EmbeddedDelivery {
    queue: EmbeddedQueue,
    task: Task,
    attempt: u32,
}

#[async_trait]
impl Delivery for EmbeddedDelivery {
    fn task(&self) -> &Task {
        &self.task
    }

    fn attempt(&self) -> u32 {
        self.attempt
    }

    async fn keep_alive(&self) -> Result<(), QueueError> {
        Ok(())
    }

    async fn ack(&self) -> Result<(), QueueError> {
        self.queue
            .store
            .delete(&keys::queued(&self.task.id()))
            .await
            .map_err(|e| QueueError(format!("removing a done task: {e}")))?;
        self.queue
            .pending
            .lock()
            .expect("lock")
            .remove(&self.task.id());
        Ok(())
    }

    async fn retry_after(&self, delay: Duration) -> Result<(), QueueError> {
        let tx = self.queue.tx.clone();
        let task = self.task.clone();
        let next = self.attempt.saturating_add(1);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = tx.send((task, next));
        });
        Ok(())
    }
}
