//! The workers: take tasks from the queue while fewer than `max_clusters` are in flight in this process
//! (as many in one pull as there is room for),
//! and run each on its own tokio task.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::runtime::Runtime;

/// Takes and runs tasks until `shutdown`.
pub async fn run(rt: Arc<Runtime>, shutdown: CancellationToken) {
    let slots = Arc::new(Semaphore::new(rt.config.max_clusters.max(1)));
    loop {
        let first = tokio::select! {
            () = shutdown.cancelled() => return,
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        // As many tasks as there is room for, in one pull.
        let mut permits = vec![first];
        while let Ok(p) = slots.clone().try_acquire_owned() {
            permits.push(p);
        }
        let deliveries = tokio::select! {
            () = shutdown.cancelled() => return,
            d = rt.queue.pull(permits.len()) => d,
        };
        match deliveries {
            Ok(deliveries) => {
                for delivery in deliveries {
                    let permit = permits.pop().expect("no more tasks than permits");
                    let rt = rt.clone();
                    tokio::spawn(async move {
                        crate::run::task(rt, delivery).await;
                        drop(permit);
                    });
                }
            }
            Err(e) => {
                tracing::warn!("{e}");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}
