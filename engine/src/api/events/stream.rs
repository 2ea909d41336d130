//! One subscriber's Server-Sent Events: a reader task takes each delivery from the feed, shows it to the
//! subscriber's [`Filter`], and puts what passes in a bounded buffer that the response body empties.
//!
//! The reader never waits for the client on live events (those stored after the subscription opened).
//! When the buffer is full it stops; the body then sends what the buffer still holds and a final
//! `event: cutoff` whose data names the reason and the last sequence sent, and ends, so the client resumes
//! with `Last-Event-ID`. A feed that fails (a subscriber that lagged behind the in-process bus, a lost NATS
//! connection) ends the same way. Dropping the body (the client went away) stops the reader.
//!
//! The backlog (events stored when the subscription opened, up to [`Subscription::last`]) is different:
//! it is read from storage, not from the live path (a snapshot of the in-process bus's buffer, or a
//! JetStream pull consumer), so waiting for the client there slows nothing else, and the reader does.
//! Otherwise a client resuming with a backlog larger than its buffer would be cut off at every attempt.
//!
//! Wire format, per delivery: `id: <sequence>` and `data: <the Delivery as one line of JSON>`, no `event:`
//! field (the default type, `message`). Between events, an SSE comment every heartbeat interval keeps
//! proxies from closing an idle connection.

use std::convert::Infallible;

use axum::response::sse::{self, KeepAlive, Sse};
use canopy_schemas::event::{Delivery, Filter};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::Config;
use crate::events::feed::{self, Subscription};

/// The name of the final event sent to a client that is cut off.
pub const CUTOFF: &str = "cutoff";

/// The data of the `cutoff` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Cutoff {
    /// Why the stream ended early.
    pub reason: String,
    /// The sequence of the last event sent before it, to resume after (`Last-Event-ID`); none when none
    /// was sent.
    pub last_sequence: Option<u64>,
}

/// The SSE response of `subscription` through `filter`.
pub fn respond(
    subscription: Subscription,
    filter: Filter,
    config: Config,
) -> Sse<impl Stream<Item = Result<sse::Event, Infallible>>> {
    let capacity = config.buffer.max(1);
    let (tx, rx) = mpsc::channel(capacity);
    let (end_tx, end_rx) = oneshot::channel();
    let reader = Reader {
        deliveries: subscription.deliveries,
        filter,
        tx,
        end: end_tx,
        capacity,
        backlog: subscription.last,
    };
    let writer = Writer {
        rx,
        end: Some(end_rx),
        last_sent: None,
        _reader: AbortOnDrop(tokio::spawn(reader.run())),
    };
    Sse::new(writer.events()).keep_alive(KeepAlive::new().interval(config.heartbeat))
}

/// Takes deliveries from the feed into the client's buffer.
struct Reader {
    deliveries: BoxStream<'static, feed::Result<Delivery>>,
    filter: Filter,
    tx: mpsc::Sender<Delivery>,
    /// Set with the reason when the stream is cut off; dropped unset when it ends normally.
    end: oneshot::Sender<String>,
    capacity: usize,
    /// The last sequence stored when the subscription opened.
    backlog: u64,
}

impl Reader {
    async fn run(mut self) {
        let reason = loop {
            let next = tokio::select! {
                next = self.deliveries.next() => next,
                () = self.tx.closed() => return,
            };
            let delivery = match next {
                None => return,
                Some(Ok(d)) => d,
                Some(Err(e)) => {
                    tracing::warn!(error = %crate::lifecycle::saga::chain(&e), "event subscription ended");
                    break format!(
                        "the event feed failed: {}",
                        crate::lifecycle::saga::chain(&e)
                    );
                }
            };
            if !self.filter.pass(&delivery.subject, &delivery.event) {
                continue;
            }
            if delivery.sequence <= self.backlog {
                if self.tx.send(delivery).await.is_err() {
                    return;
                }
                continue;
            }
            match self.tx.try_send(delivery) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Closed(_)) => return,
                Err(mpsc::error::TrySendError::Full(d)) => {
                    tracing::info!(sequence = d.sequence, "event subscriber cut off: too slow");
                    break format!(
                        "the client fell {} events behind; resume with Last-Event-ID",
                        self.capacity
                    );
                }
            }
        };
        // The buffer's sender drops after this, so the writer sees the reason once it has sent the rest.
        let _ = self.end.send(reason);
    }
}

/// Empties the buffer into the response body, then sends the cutoff if there is one.
struct Writer {
    rx: mpsc::Receiver<Delivery>,
    end: Option<oneshot::Receiver<String>>,
    last_sent: Option<u64>,
    _reader: AbortOnDrop,
}

impl Writer {
    fn events(self) -> impl Stream<Item = Result<sse::Event, Infallible>> {
        futures::stream::unfold(self, |mut w| async move {
            if let Some(d) = w.rx.recv().await {
                w.last_sent = Some(d.sequence);
                return Some((Ok(delivery_event(&d)), w));
            }
            let reason = w.end.take()?.await.ok()?;
            let cutoff = Cutoff {
                reason,
                last_sequence: w.last_sent,
            };
            Some((Ok(cutoff_event(&cutoff)), w))
        })
    }
}

fn delivery_event(d: &Delivery) -> sse::Event {
    let data = serde_json::to_string(d).unwrap_or_else(|e| {
        // A Delivery is plain data; serde_json cannot fail on it. Say so on the wire if it ever does.
        format!("{{\"error\":\"encoding the delivery: {e}\"}}")
    });
    sse::Event::default().id(d.sequence.to_string()).data(data)
}

fn cutoff_event(c: &Cutoff) -> sse::Event {
    let data = serde_json::to_string(c).unwrap_or_else(|_| "{}".to_owned());
    sse::Event::default().event(CUTOFF).data(data)
}

/// Aborts the reader when the body is dropped.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
