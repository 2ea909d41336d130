//! The in-process bus, for the embedded mode and tests: a tokio broadcast channel for live subscribers and
//! a bounded replay buffer of the latest events, which also deduplicates by event id (a map from the ids
//! in the buffer to their sequences, so a publish costs the same however large the buffer is).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use canopy_schemas::event::Event;
use canopy_schemas::{EventId, Timestamp};
use tokio::sync::broadcast;

use super::{Ack, Bus, Result};
use crate::events::feed::Feed;

/// One stored event with its sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Position in the bus, starting at 1.
    pub sequence: u64,
    /// When the bus stored it (what a subscription from a time compares, as JetStream does).
    pub stored: Timestamp,
    /// The event.
    pub event: Event,
}

#[derive(Debug)]
struct State {
    last: u64,
    replay: VecDeque<Message>,
    /// The sequence of every event id in `replay`.
    ids: HashMap<EventId, u64>,
}

/// An in-process bus that keeps the latest `capacity` events. Cheap to clone; clones share the bus.
#[derive(Clone, Debug)]
pub struct MemoryBus {
    capacity: usize,
    state: Arc<Mutex<State>>,
    live: broadcast::Sender<Message>,
}

impl MemoryBus {
    /// A bus that replays, and deduplicates within, the latest `capacity` events.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            state: Arc::new(Mutex::new(State {
                last: 0,
                replay: VecDeque::with_capacity(capacity),
                ids: HashMap::with_capacity(capacity),
            })),
            live: broadcast::channel(capacity).0,
        }
    }

    /// The events in the replay buffer, oldest first.
    pub fn replay(&self) -> Vec<Message> {
        self.lock().replay.iter().cloned().collect()
    }

    /// The replay buffer and a receiver of every event published after it, with nothing missed or doubled
    /// between the two.
    pub fn subscribe(&self) -> (Vec<Message>, broadcast::Receiver<Message>) {
        let state = self.lock();
        (
            state.replay.iter().cloned().collect(),
            self.live.subscribe(),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Bus for MemoryBus {
    async fn publish(&self, event: &Event) -> Result<Ack> {
        let mut state = self.lock();
        if let Some(&sequence) = state.ids.get(&event.id) {
            return Ok(Ack {
                sequence,
                duplicate: true,
            });
        }
        state.last += 1;
        let message = Message {
            sequence: state.last,
            stored: Timestamp::now(),
            event: event.clone(),
        };
        if state.replay.len() == self.capacity
            && let Some(oldest) = state.replay.pop_front()
        {
            state.ids.remove(&oldest.event.id);
        }
        state.ids.insert(event.id, message.sequence);
        state.replay.push_back(message.clone());
        // Sent under the lock so that `subscribe` sees each event in the buffer or on the channel, never
        // both or neither. No subscriber is not an error.
        let _ = self.live.send(message.clone());
        Ok(Ack {
            sequence: message.sequence,
            duplicate: false,
        })
    }

    fn feed(&self) -> Option<Arc<dyn Feed>> {
        Some(Arc::new(self.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_schemas::event::Identity;

    fn event(name: &str) -> Event {
        Event::new(
            Identity::Controller {
                name: name.parse().unwrap(),
            },
            "registered",
        )
    }

    #[tokio::test]
    async fn a_republished_event_is_acknowledged_as_a_duplicate_and_stored_once() {
        let bus = MemoryBus::new(8);
        let (a, b) = (event("a"), event("b"));
        let first = bus.publish(&a).await.unwrap();
        let again = bus.publish(&a).await.unwrap();
        bus.publish(&b).await.unwrap();
        assert_eq!(
            first,
            Ack {
                sequence: 1,
                duplicate: false
            }
        );
        assert_eq!(
            again,
            Ack {
                sequence: 1,
                duplicate: true
            }
        );
        let ids: Vec<_> = bus.replay().into_iter().map(|m| m.event.id).collect();
        assert_eq!(ids, vec![a.id, b.id]);
    }

    #[tokio::test]
    async fn an_event_that_left_the_replay_buffer_is_no_longer_a_duplicate() {
        let bus = MemoryBus::new(2);
        let (a, b, c) = (event("a"), event("b"), event("c"));
        for e in [&a, &b, &c] {
            bus.publish(e).await.unwrap();
        }
        assert!(bus.publish(&c).await.unwrap().duplicate);
        let again = bus.publish(&a).await.unwrap();
        assert_eq!(
            again,
            Ack {
                sequence: 4,
                duplicate: false
            },
            "a's id left the buffer with a, so a is stored again"
        );
        assert_eq!(bus.lock().ids.len(), 2, "the id map follows the buffer");
    }

    #[tokio::test]
    async fn a_subscriber_gets_the_replay_then_live_events() {
        let bus = MemoryBus::new(2);
        for name in ["a", "b", "c"] {
            bus.publish(&event(name)).await.unwrap();
        }
        let (replay, mut live) = bus.subscribe();
        assert_eq!(
            replay.iter().map(|m| m.sequence).collect::<Vec<_>>(),
            [2, 3]
        );
        bus.publish(&event("d")).await.unwrap();
        assert_eq!(live.recv().await.unwrap().sequence, 4);
    }
}
