//! Watch events and the stream that carries them.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use super::{KeyValue, Result, Revision};

/// How many events a watch buffers before its producer waits for the consumer.
pub(crate) const BUFFER: usize = 256;

/// What happened to a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The key was created or changed.
    Put,
    /// The key was deleted.
    Delete,
}

/// One change to one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Put or delete.
    pub kind: EventKind,
    /// The key after the change. For a delete: the key and its mod revision (the deletion's revision),
    /// with an empty value, create revision 0 and version 0, as etcd reports it.
    pub kv: KeyValue,
    /// The key before the change, when it existed.
    pub prev: Option<KeyValue>,
}

impl Event {
    /// The revision of the transaction that made this change.
    pub fn revision(&self) -> Revision {
        self.kv.mod_revision
    }
}

/// A running watch: a stream of events in revision order, ending with at most one error. Dropping it
/// cancels the watch.
#[derive(Debug)]
pub struct Watch {
    rx: mpsc::Receiver<Result<Event>>,
}

impl Watch {
    /// A watch and the sender its producer task feeds. The task should stop when the sender is closed.
    pub(crate) fn channel() -> (mpsc::Sender<Result<Event>>, Self) {
        let (tx, rx) = mpsc::channel(BUFFER);
        (tx, Self { rx })
    }

    /// The next event, or `None` when the watch has ended.
    pub async fn next(&mut self) -> Option<Result<Event>> {
        self.rx.recv().await
    }

    /// The next event if one has arrived already, without waiting.
    pub fn try_next(&mut self) -> Option<Result<Event>> {
        self.rx.try_recv().ok()
    }
}

impl Stream for Watch {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
