//! Shared readiness watches: ONE watch per (cluster, apiVersion + kind), shared by every subscribed object
//! of that kind on the cluster, however many apps they belong to.
//!
//! A [`Watches`] belongs to one [`Cluster`]; keep one per cluster for as long as the cluster is worked on.
//! [`Watches::in_namespace`] gives a handle on the same watches that places namespaced manifests without a
//! namespace in another default namespace (the contexts of two logical clouds on one cluster share its
//! watches). [`Watches::subscribe`] starts the kind's watch if it is not running and returns a
//! [`Subscription`] to one object's readiness. The watch stops when its last subscription is dropped, and
//! every watch stops when the last handle is dropped. [`Watches::subscribe_all`] follows every readiness
//! change the running watches see, so that the caller can record `ready_at` and publish events.

mod task;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use canopy_engine::appcontext::{Manifest, Ready};
use futures::StreamExt;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::apply::{Cluster, describe};
use super::error::{ApplyError, Result};
use super::id::ResourceId;
use task::{Objects, Task};

/// How long the server holds one watch request open (`timeoutSeconds`) before the watch is renewed.
pub const WATCH_TIMEOUT: Duration = Duration::from_secs(290);

/// How many changes [`Watches::subscribe_all`] buffers for a slow receiver before it lags. The buffer is
/// allocated whole for every watched cluster (about 140 bytes a change: 4,096 cost 570 KB per cluster), and
/// a receiver that lags re-reads the subscriptions it cares about, so a small one loses nothing.
pub const CHANGES_BUFFER: usize = 64;

/// A readiness change of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The object.
    pub id: ResourceId,
    /// Its readiness now ([`Ready::NotPresent`] once deleted).
    pub ready: Ready,
}

/// One object's state as its watch last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// Its readiness ([`Ready::NotPresent`] while it does not exist).
    pub ready: Ready,
    /// Its `metadata.generation`, when it exists and has one.
    pub generation: Option<i64>,
}

/// The readiness watches of one cluster, seen from one default namespace. Clones share the watches.
#[derive(Clone, Debug)]
pub struct Watches {
    cluster: Cluster,
    shared: Arc<Shared>,
}

/// What every handle on one cluster's watches shares.
#[derive(Debug)]
struct Shared {
    kinds: Mutex<HashMap<(String, String), Weak<KindWatch>>>,
    changes: broadcast::Sender<Change>,
    started: AtomicUsize,
    lists: Arc<AtomicUsize>,
    failures: Arc<AtomicUsize>,
    timeout: Duration,
    stop: CancellationToken,
    _stop_on_drop: DropGuard,
}

/// One running watch; dropping its last handle stops it.
#[derive(Debug)]
struct KindWatch {
    objects: Objects,
    task: JoinHandle<()>,
}

impl Drop for KindWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One object's readiness, as its kind's shared watch sees it. Dropping the last subscription of a kind
/// stops that kind's watch.
#[derive(Debug)]
pub struct Subscription {
    id: ResourceId,
    rx: watch::Receiver<Option<Seen>>,
    _watch: Arc<KindWatch>,
}

impl Subscription {
    /// The object.
    pub fn id(&self) -> &ResourceId {
        &self.id
    }

    /// Its readiness now: `None` until the watch has listed it, then [`Ready::NotPresent`] while it does
    /// not exist.
    pub fn current(&self) -> Option<Ready> {
        self.rx.borrow().map(|s| s.ready)
    }

    /// The channel of its state, to await changes on: `None` until the watch has listed it.
    pub fn receiver(&mut self) -> &mut watch::Receiver<Option<Seen>> {
        &mut self.rx
    }
}

impl Watches {
    /// No watches yet on `cluster`.
    pub fn for_cluster(cluster: &Cluster) -> Self {
        Self::with_watch_timeout(cluster, WATCH_TIMEOUT)
    }

    /// As [`Watches::for_cluster`], with watch requests held open for `timeout` (whole seconds, at
    /// least one) instead of [`WATCH_TIMEOUT`].
    pub fn with_watch_timeout(cluster: &Cluster, timeout: Duration) -> Self {
        let stop = CancellationToken::new();
        Self {
            cluster: cluster.clone(),
            shared: Arc::new(Shared {
                kinds: Mutex::default(),
                changes: broadcast::channel(CHANGES_BUFFER).0,
                started: AtomicUsize::new(0),
                lists: Arc::default(),
                failures: Arc::default(),
                timeout: timeout.max(Duration::from_secs(1)),
                _stop_on_drop: stop.clone().drop_guard(),
                stop,
            }),
        }
    }

    /// A handle on the same watches (and the same client and discovery cache) whose namespaced
    /// manifests without a namespace are in `namespace`.
    pub fn in_namespace(&self, namespace: &str) -> Self {
        Self {
            cluster: self.cluster.with_namespace(namespace),
            shared: self.shared.clone(),
        }
    }

    /// True when `other` is a handle on the same watches.
    pub fn shares(&self, other: &Watches) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// Every readiness change the running watches see from now on. A receiver that falls more than
    /// [`CHANGES_BUFFER`] changes behind gets `Lagged` and should re-read the subscriptions it cares about.
    pub fn subscribe_all(&self) -> broadcast::Receiver<Change> {
        self.shared.changes.subscribe()
    }

    /// How many watches were started so far (one per kind while subscribed; restarted after the last
    /// subscription of a kind went away and a new one came).
    pub fn watches_started(&self) -> usize {
        self.shared.started.load(Ordering::Relaxed)
    }

    /// How many initial lists the watches made (one per start, plus one per restart after a failed watch).
    pub fn lists(&self) -> usize {
        self.shared.lists.load(Ordering::Relaxed)
    }

    /// How many times a watch failed (could not list, could not watch, or its stream broke); each
    /// failure is retried with backoff.
    pub fn failures(&self) -> usize {
        self.shared.failures.load(Ordering::Relaxed)
    }

    /// How many watches run now.
    pub fn running(&self) -> usize {
        self.lock_kinds()
            .values()
            .filter(|w| w.strong_count() > 0)
            .count()
    }

    /// Subscribes to the readiness of the object `m` names, starting its kind's watch if needed. An
    /// unserved kind is [`ApplyError::Terminal`].
    pub async fn subscribe(&self, m: &Manifest) -> Result<Subscription> {
        let id = self.cluster.id(m).await?;
        let kind = self.cluster.kind(&m.api_version, &m.kind).await?;
        let shared = {
            let mut kinds = self.lock_kinds();
            let key = (m.api_version.clone(), m.kind.clone());
            match kinds.get(&key).and_then(Weak::upgrade) {
                Some(running) => running,
                None => {
                    let objects = Objects::default();
                    let shared = &self.shared;
                    let task = Task {
                        api: self.cluster.api_all(&kind),
                        api_version: m.api_version.clone(),
                        kind: m.kind.clone(),
                        objects: objects.clone(),
                        changes: shared.changes.clone(),
                        lists: shared.lists.clone(),
                        failures: shared.failures.clone(),
                        timeout_secs: u32::try_from(shared.timeout.as_secs()).unwrap_or(u32::MAX),
                        stop: shared.stop.child_token(),
                    };
                    let started = Arc::new(KindWatch {
                        objects,
                        task: tokio::spawn(task.run()),
                    });
                    self.shared.started.fetch_add(1, Ordering::Relaxed);
                    kinds.retain(|_, w| w.strong_count() > 0);
                    kinds.insert(key, Arc::downgrade(&started));
                    started
                }
            }
        };
        let rx = task::lock(&shared.objects)
            .entry((id.namespace.clone(), id.name.clone()))
            .or_insert_with(|| watch::channel(None).0)
            .subscribe();
        Ok(Subscription {
            id,
            rx,
            _watch: shared,
        })
    }

    /// Waits until every object `ms` names is ready.
    pub async fn wait_ready(&self, ms: &[Manifest], cancel: &CancellationToken) -> Result<()> {
        self.wait_each(ms, cancel, |_, _| {}).await
    }

    /// Waits until every object `ms` names is ready, calling `on_change(index, readiness)` for each one
    /// when it is first seen and whenever its readiness changes afterwards (index into `ms`).
    ///
    /// A shared watch may still hold an object's state from before it was last applied. So an object the
    /// watch already calls ready is read once, and its readiness counts only once the watch has seen at
    /// least the generation read.
    pub async fn wait_each(
        &self,
        ms: &[Manifest],
        cancel: &CancellationToken,
        mut on_change: impl FnMut(usize, Ready),
    ) -> Result<()> {
        let mut subscriptions = Vec::with_capacity(ms.len());
        let mut floors = Vec::with_capacity(ms.len());
        for m in ms {
            let subscription = self.subscribe(m).await?;
            floors.push(self.floor(m, &subscription).await?);
            subscriptions.push(subscription);
        }
        let mut states: Vec<Option<Ready>> = vec![None; ms.len()];
        let mut ready = 0;
        let mut changes =
            futures::stream::select_all(subscriptions.into_iter().enumerate().map(|(i, s)| {
                futures::stream::unfold((s, true), move |(mut s, first)| async move {
                    if !first {
                        s.rx.changed().await.ok()?;
                    }
                    let now = *s.rx.borrow_and_update();
                    Some(((i, now), (s, false)))
                })
                .boxed()
            }));
        while ready < ms.len() {
            let next = tokio::select! {
                () = cancel.cancelled() => None,
                next = changes.next() => Some(next),
            };
            let Some(next) = next else {
                return Err(ApplyError::Cancelled(format!(
                    "waiting for {} resources to be ready ({ready} are)",
                    ms.len()
                )));
            };
            let Some((i, seen)) = next else {
                return Err(ApplyError::Retryable(
                    "the readiness watches stopped before every resource was ready".into(),
                ));
            };
            let now = seen.map(|s| match (s.ready, floors[i]) {
                (Ready::Ready, Some(floor)) if s.generation.is_some_and(|g| g < floor) => {
                    Ready::NotReady
                }
                (state, _) => state,
            });
            if now == states[i] {
                continue;
            }
            let was_ready = states[i] == Some(Ready::Ready);
            states[i] = now;
            let is_ready = now == Some(Ready::Ready);
            match (was_ready, is_ready) {
                (false, true) => ready += 1,
                (true, false) => ready -= 1,
                _ => {}
            }
            if let Some(state) = now {
                tracing::debug!(resource = %describe(&ms[i]), ready = ?state, "readiness");
                on_change(i, state);
            }
        }
        Ok(())
    }

    /// The generation the watch must have seen before a ready state counts: the live one, read when the
    /// watch already has a ready state (which may predate the last apply); `None` otherwise.
    async fn floor(&self, m: &Manifest, subscription: &Subscription) -> Result<Option<i64>> {
        if subscription.current() != Some(Ready::Ready) {
            return Ok(None);
        }
        let live = self.cluster.get(m).await?;
        Ok(live.and_then(|obj| obj["metadata"]["generation"].as_i64()))
    }

    fn lock_kinds(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Weak<KindWatch>>> {
        self.shared.kinds.lock().unwrap_or_else(|e| e.into_inner())
    }
}
