//! watch: a stream of JSON lines `{"type": ..., "object": ...}` from a resourceVersion on, with bookmarks.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;

use super::read::{ListQuery, in_scope, matching};
use crate::cluster::{Cluster, Target};
use crate::status::{Error, Result};
use crate::store::{Event, EventType};

/// How often an idle watch with bookmarks enabled gets a BOOKMARK.
const BOOKMARK_EVERY: Duration = Duration::from_secs(5);

/// The parameters of a watch request.
#[derive(Debug, Clone, Default)]
pub struct WatchQuery {
    /// Selectors, as for list.
    pub list: ListQuery,
    /// Start after this resourceVersion; `None` or 0 starts with ADDED events for every current object.
    pub resource_version: Option<u64>,
    /// `allowWatchBookmarks`.
    pub bookmarks: bool,
    /// `sendInitialEvents`: initial ADDED events end with a bookmark annotated `k8s.io/initial-events-end`.
    pub send_initial_events: bool,
    /// `timeoutSeconds`; the stream ends after it (default 30 minutes).
    pub timeout: Option<Duration>,
}

struct State {
    rx: broadcast::Receiver<Arc<Event>>,
    target: Target,
    query: WatchQuery,
    pending: VecDeque<Bytes>,
    last_rv: u64,
    deadline: Instant,
}

impl Cluster {
    /// Starts a watch; the stream ends at the timeout or when the watcher falls too far behind.
    pub fn watch(
        &self,
        target: &Target,
        query: WatchQuery,
    ) -> Result<impl Stream<Item = Bytes> + Send + 'static> {
        let mut st = self.store();
        let mut pending = VecDeque::new();
        let from = query.resource_version.unwrap_or(0);
        if from == 0 || query.send_initial_events {
            for obj in matching(&st, target, &query.list) {
                pending.push_back(line("ADDED", &obj));
            }
            if query.send_initial_events {
                let marker = json!({"kind": target.kind.kind, "apiVersion": target.kind.api_version(),
                    "metadata": {"resourceVersion": st.rv().to_string(),
                        "annotations": {"k8s.io/initial-events-end": "true"}}});
                pending.push_back(line("BOOKMARK", &marker));
            }
        } else {
            match st.since(from) {
                Some(events) => {
                    for e in &events {
                        if let Some((kind, obj)) = wanted(e, target, &query) {
                            pending.push_back(line(kind, &obj));
                        }
                    }
                }
                None => {
                    // As Kubernetes does: the watch starts, sends one ERROR event with a 410 and ends.
                    let gone =
                        Error::Gone(format!("too old resource version: {from} ({})", st.rv()));
                    let once = futures::stream::iter([line("ERROR", &gone.to_status())]);
                    return Ok(once.left_stream());
                }
            }
        }
        let state = State {
            rx: st.subscribe(),
            target: target.clone(),
            last_rv: st.rv(),
            deadline: Instant::now() + query.timeout.unwrap_or(Duration::from_secs(1800)),
            query,
            pending,
        };
        drop(st);
        Ok(futures::stream::unfold(state, next).right_stream())
    }
}

async fn next(mut s: State) -> Option<(Bytes, State)> {
    loop {
        if let Some(bytes) = s.pending.pop_front() {
            return Some((bytes, s));
        }
        let bookmark_at = if s.query.bookmarks {
            Instant::now() + BOOKMARK_EVERY
        } else {
            s.deadline
        };
        tokio::select! {
            received = s.rx.recv() => match received {
                Ok(e) => {
                    s.last_rv = e.rv;
                    if let Some((kind, obj)) = wanted(&e, &s.target, &s.query) {
                        s.pending.push_back(line(kind, &obj));
                    }
                }
                Err(RecvError::Lagged(_) | RecvError::Closed) => return None,
            },
            _ = tokio::time::sleep_until(bookmark_at.min(s.deadline)) => {
                if Instant::now() >= s.deadline {
                    return None;
                }
                let obj = json!({"kind": s.target.kind.kind, "apiVersion": s.target.kind.api_version(),
                    "metadata": {"resourceVersion": s.last_rv.to_string()}});
                s.pending.push_back(line("BOOKMARK", &obj));
            }
        }
    }
}

/// The event type and object (with the watched `apiVersion`) of a change that concerns this watch. A change
/// that moves an object into a label selection is ADDED, one that moves it out is DELETED, as in Kubernetes.
fn wanted(e: &Event, target: &Target, query: &WatchQuery) -> Option<(&'static str, Value)> {
    if !in_scope(&e.key, target) {
        return None;
    }
    let mut obj = e.object();
    if !query.list.fields.matches(&obj) {
        return None;
    }
    let now = query.list.labels.matches(&obj);
    let kind = match (e.kind, &e.prev_labels) {
        (EventType::Modified, Some(labels)) => {
            let before = query
                .list
                .labels
                .matches(&json!({"metadata": {"labels": labels}}));
            match (before, now) {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                (false, false) => return None,
            }
        }
        (kind, _) if now => kind.as_str(),
        _ => return None,
    };
    obj["apiVersion"] = json!(target.kind.api_version());
    Some((kind, obj))
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut text = serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
    text.push(b'\n');
    Bytes::from(text)
}
