//! The task behind one shared watch: it watches every object of one kind that carries canopy's
//! deployment-id label, in every namespace, judges each by its kind's readiness rule, and publishes
//! changes to the per-object channels and the cluster-wide change feed. `kube::runtime::watcher` lists,
//! then watches from the list's resourceVersion, re-lists on a 410, and restarts a dropped watch; the
//! default backoff spaces its retries.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use canopy_engine::appcontext::Ready;
use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::super::body::DEPLOYMENT_ID_LABEL;
use super::super::id::ResourceId;
use super::super::ready;
use super::{Change, Seen};

/// An object of the watched kind: its namespace and name.
pub(super) type ObjectKey = (Option<String>, String);

/// The last known readiness of each object of one kind: `None` until the watch has listed it.
pub(super) type Objects = Arc<Mutex<HashMap<ObjectKey, watch::Sender<Option<Seen>>>>>;

/// Locks the objects; never held across an `.await`.
pub(super) fn lock(
    objects: &Objects,
) -> MutexGuard<'_, HashMap<ObjectKey, watch::Sender<Option<Seen>>>> {
    objects.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one watch task needs.
pub(super) struct Task {
    pub(super) api: Api<DynamicObject>,
    pub(super) api_version: String,
    pub(super) kind: String,
    pub(super) objects: Objects,
    pub(super) changes: broadcast::Sender<Change>,
    pub(super) lists: Arc<AtomicUsize>,
    pub(super) failures: Arc<AtomicUsize>,
    pub(super) timeout_secs: u32,
    pub(super) stop: CancellationToken,
}

impl Task {
    /// Runs until `stop` fires (or the task is aborted); then drops every object channel, so that
    /// subscribers see the watch end.
    pub(super) async fn run(self) {
        let config = watcher::Config::default()
            .labels(DEPLOYMENT_ID_LABEL)
            .timeout(self.timeout_secs);
        let stream = watcher::watcher(self.api.clone(), config).default_backoff();
        futures::pin_mut!(stream);
        let mut listing: Option<HashSet<ObjectKey>> = None;
        loop {
            let event = tokio::select! {
                () = self.stop.cancelled() => break,
                event = stream.next() => event,
            };
            match event {
                None => break,
                Some(Err(e)) => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(kind = %self.kind, error = %e, "readiness watch failed; it restarts");
                }
                Some(Ok(Event::Init)) => {
                    self.lists.fetch_add(1, Ordering::Relaxed);
                    listing = Some(HashSet::new());
                }
                Some(Ok(Event::InitApply(obj))) => {
                    let key = key(&obj);
                    self.set(&key, Some(self.seen(&obj)));
                    if let Some(seen) = listing.as_mut() {
                        seen.insert(key);
                    }
                }
                Some(Ok(Event::InitDone)) => {
                    let seen = listing.take().unwrap_or_default();
                    let gone: Vec<ObjectKey> = lock(&self.objects)
                        .keys()
                        .filter(|k| !seen.contains(*k))
                        .cloned()
                        .collect();
                    for key in gone {
                        self.set(&key, None);
                    }
                }
                Some(Ok(Event::Apply(obj))) => self.set(&key(&obj), Some(self.seen(&obj))),
                Some(Ok(Event::Delete(obj))) => self.set(&key(&obj), None),
            }
        }
        lock(&self.objects).clear();
    }

    fn seen(&self, obj: &DynamicObject) -> Seen {
        Seen {
            ready: ready::judge_parts(&self.kind, obj.metadata.generation, &obj.data),
            generation: obj.metadata.generation,
        }
    }

    /// Records an object's readiness (`None`: it is absent) and publishes a change. An absent object
    /// nobody subscribed to is forgotten.
    fn set(&self, key: &ObjectKey, present: Option<Seen>) {
        let state = present.unwrap_or(Seen {
            ready: Ready::NotPresent,
            generation: None,
        });
        let changed = {
            let mut objects = lock(&self.objects);
            match objects.get(key) {
                None if present.is_none() => false,
                Some(tx) if present.is_none() && tx.receiver_count() == 0 => {
                    objects.remove(key);
                    true
                }
                Some(tx) => tx.send_if_modified(|old| {
                    let changed = *old != Some(state);
                    *old = Some(state);
                    changed
                }),
                None => {
                    objects.insert(key.clone(), watch::channel(Some(state)).0);
                    true
                }
            }
        };
        if changed {
            let id = ResourceId {
                api_version: self.api_version.clone(),
                kind: self.kind.clone(),
                namespace: key.0.clone(),
                name: key.1.clone(),
            };
            // No receiver is fine: nobody follows the feed.
            let _ = self.changes.send(Change {
                id,
                ready: state.ready,
            });
        }
    }
}

fn key(obj: &DynamicObject) -> ObjectKey {
    (
        obj.metadata.namespace.clone(),
        obj.metadata.name.clone().unwrap_or_default(),
    )
}
