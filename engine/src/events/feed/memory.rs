//! The feed of the in-process bus: the events of its replay buffer from the start on, then the events of
//! its broadcast channel. [`MemoryBus::subscribe`] takes both under one lock, so nothing is missed or
//! doubled between them. A subscriber that falls behind the channel's capacity ends with
//! [`Error::Lagged`], never with a silent gap.

use async_trait::async_trait;
use canopy_schemas::event::Delivery;
use canopy_schemas::event::filter::SubjectPattern;
use futures::StreamExt;
use tokio::sync::broadcast;

use super::{Error, Feed, Request, Result, Start, Subscription, wanted};
use crate::events::bus::MemoryBus;
use crate::events::bus::memory::Message;

#[async_trait]
impl Feed for MemoryBus {
    async fn open(&self, request: Request) -> Result<Subscription> {
        let (replay, live) = self.subscribe();
        // The buffer only ever grows or slides, so its newest entry is the last event stored.
        let last = replay.last().map_or(0, |m| m.sequence);
        let from = Window {
            start: request.start,
            last,
            subjects: request.subjects,
        };
        let stored: Vec<Result<Delivery>> = replay
            .into_iter()
            .filter(|m| from.takes(m))
            .map(|m| Ok(delivery(m)))
            .collect();
        let stored = futures::stream::iter(stored);
        let deliveries = if request.follow {
            stored.chain(live_events(live, from)).boxed()
        } else {
            stored.boxed()
        };
        Ok(Subscription { last, deliveries })
    }
}

/// Which messages a subscription takes.
struct Window {
    start: Start,
    last: u64,
    subjects: Vec<SubjectPattern>,
}

impl Window {
    fn takes(&self, m: &Message) -> bool {
        let started = match self.start {
            Start::New => m.sequence > self.last,
            Start::Sequence(n) => m.sequence >= n,
            Start::Time(t) => m.stored >= t,
        };
        started && wanted(&self.subjects, m.event.subject().as_str())
    }
}

/// The live events `from` takes, until the bus is dropped or the subscriber lags.
fn live_events(
    live: broadcast::Receiver<Message>,
    from: Window,
) -> impl futures::Stream<Item = Result<Delivery>> {
    let after = from.last;
    futures::stream::unfold(Some((live, from, after)), |state| async move {
        let (mut live, from, mut after) = state?;
        loop {
            match live.recv().await {
                Ok(m) if from.takes(&m) => {
                    after = m.sequence;
                    return Some((Ok(delivery(m)), Some((live, from, after))));
                }
                Ok(m) => after = m.sequence,
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    return Some((Err(Error::Lagged { after, missed }), None));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

fn delivery(m: Message) -> Delivery {
    Delivery::new(m.sequence, m.event)
}

#[cfg(test)]
mod tests;
