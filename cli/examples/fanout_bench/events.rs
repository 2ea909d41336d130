//! The events the engine publishes during a fan-out, seen by a core-NATS subscriber on `canopy.>` (its own
//! connection to the nats-server the engine's relay publishes to): how many, and the largest rate
//! sustained over any 1-second window.

use std::time::{Duration, Instant};

use anyhow::Context;
use canopy_engine::context::ContextStore;
use canopy_engine::events::Outbox;
use futures::{FutureExt, StreamExt};
use tokio::sync::oneshot;

/// How long the outbox may take to empty once the fan-out is done.
const DRAIN: Duration = Duration::from_secs(120);

/// A running count.
pub struct Events {
    client: async_nats::Client,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Vec<Instant>>,
}

/// What was counted.
pub struct Counted {
    /// Events received.
    pub total: usize,
    /// The most events received within any 1-second window.
    pub peak_per_s: usize,
    /// From the first event to the last.
    pub span: Duration,
}

impl Events {
    /// Subscribes; every event published from now on is counted.
    pub async fn subscribe(client: async_nats::Client) -> anyhow::Result<Self> {
        let mut sub = client.subscribe("canopy.>").await?;
        client.flush().await?;
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut arrivals = Vec::new();
            loop {
                tokio::select! {
                    biased;
                    _ = &mut stopped => {
                        // What the connection already handed over counts too.
                        while let Some(Some(_)) = sub.next().now_or_never() {
                            arrivals.push(Instant::now());
                        }
                        break;
                    }
                    msg = sub.next() => match msg {
                        Some(_) => arrivals.push(Instant::now()),
                        None => break,
                    },
                }
            }
            arrivals
        });
        Ok(Self { client, stop, task })
    }

    /// Waits until the engine's outbox is empty (every event staged so far is published), makes sure the
    /// subscriber has read what the server sent it, and stops counting.
    pub async fn finish(self, ctx: &dyn ContextStore) -> anyhow::Result<Counted> {
        let deadline = Instant::now() + DRAIN;
        while ctx.count(&Outbox::prefix()).await? > 0 {
            anyhow::ensure!(Instant::now() < deadline, "the outbox did not empty");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The server writes a connection's messages in order: once our PING is answered, every event
        // published before it has reached the subscriber.
        self.client.flush().await?;
        let _ = self.stop.send(());
        let arrivals = self.task.await.context("the event counter")?;
        Ok(Counted {
            total: arrivals.len(),
            peak_per_s: peak(&arrivals, Duration::from_secs(1)),
            span: match (arrivals.first(), arrivals.last()) {
                (Some(a), Some(b)) => b.duration_since(*a),
                _ => Duration::ZERO,
            },
        })
    }
}

/// The most instants of `sorted` within any window of length `window`.
fn peak(sorted: &[Instant], window: Duration) -> usize {
    let mut start = 0;
    let mut best = 0;
    for (end, t) in sorted.iter().enumerate() {
        while t.duration_since(sorted[start]) >= window {
            start += 1;
        }
        best = best.max(end + 1 - start);
    }
    best
}
