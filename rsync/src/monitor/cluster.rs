//! One watched cluster (for one default namespace): its shared watches, the apps registered on it, and
//! the task that turns readiness changes into status and resyncs the desired state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use canopy_engine::appcontext::{
    AppProgress, BlobHash, Deployed, Manifests, Phase, Ready, ResourceProgress,
};
use canopy_schemas::event::{Event, Identity};
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_schemas::{ContextId, Timestamp};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::cluster::{Cluster, ResourceId, Subscription, Watches};
use crate::status::{Slot, StatusWriter};

type AppKey = (ContextId, AppName);

struct Entry {
    manifests: Arc<Manifests>,
    deployment_id: String,
    /// One per main resource, `None` where the kind could not be watched.
    subscriptions: Vec<Option<Subscription>>,
}

/// A cluster this process follows.
pub struct Watched {
    cluster: ClusterRef,
    watches: Watches,
    config: BlobHash,
    status: StatusWriter,
    entries: Mutex<HashMap<AppKey, Entry>>,
    index: Mutex<HashMap<ResourceId, Vec<(AppKey, usize)>>>,
    /// Task writes to check for readiness they missed, handled by the pump (see `catch_up`).
    written: mpsc::UnboundedSender<(AppKey, AppProgress)>,
    stop: CancellationToken,
}

impl Watched {
    /// Starts following `cluster` through `handle`.
    pub fn start(
        cluster: ClusterRef,
        handle: Cluster,
        config: BlobHash,
        status: StatusWriter,
        resync: Duration,
    ) -> Arc<Self> {
        let (written, rechecks) = mpsc::unbounded_channel();
        let watched = Arc::new(Self {
            cluster,
            watches: Watches::for_cluster(&handle),
            config,
            status,
            entries: Mutex::default(),
            index: Mutex::default(),
            written,
            stop: CancellationToken::new(),
        });
        tokio::spawn(pump(
            Arc::downgrade(&watched),
            rechecks,
            watched.stop.clone(),
            resync,
        ));
        watched
    }

    /// The hash of the kubeconfig the handle was made from.
    pub fn config(&self) -> BlobHash {
        self.config
    }

    /// The cluster's shared watches (the app sequences wait on them).
    pub fn watches(&self) -> &Watches {
        &self.watches
    }

    /// The cluster handle.
    pub fn cluster(&self) -> &Cluster {
        self.watches.cluster()
    }

    /// Stops the watches and the resync.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Follows `app` of `ctx` and records the readiness known now.
    pub async fn register(
        &self,
        ctx: ContextId,
        app: AppName,
        manifests: Arc<Manifests>,
        deployment_id: String,
    ) {
        self.follow(ctx, app.clone(), manifests, deployment_id)
            .await;
        let current = self.readiness(ctx, &app);
        self.record(&(ctx, app), &current).await;
    }

    /// Follows `app` of `ctx` without writing anything: its readiness changes from now on are recorded.
    /// The caller records what [`readiness`](Self::readiness) knows now with its own write.
    pub async fn follow(
        &self,
        ctx: ContextId,
        app: AppName,
        manifests: Arc<Manifests>,
        deployment_id: String,
    ) {
        let key = (ctx, app);
        let mut subscriptions = Vec::with_capacity(manifests.resources.len());
        for m in &manifests.resources {
            match self.watches.subscribe(m).await {
                Ok(s) => subscriptions.push(Some(s)),
                Err(e) => {
                    tracing::warn!(cluster = %self.cluster, "not watching {} {}: {e}", m.kind, m.name);
                    subscriptions.push(None);
                }
            }
        }
        {
            let mut index = self.index.lock().expect("lock");
            for (i, s) in subscriptions.iter().enumerate() {
                if let Some(s) = s {
                    index
                        .entry(s.id().clone())
                        .or_default()
                        .push((key.clone(), i));
                }
            }
        }
        self.entries.lock().expect("lock").insert(
            key,
            Entry {
                manifests,
                deployment_id,
                subscriptions,
            },
        );
    }

    /// The readiness (resource index, state) the watches know now of each resource of a followed app.
    pub fn readiness(&self, ctx: ContextId, app: &AppName) -> Vec<(usize, Ready)> {
        self.entries
            .lock()
            .expect("lock")
            .get(&(ctx, app.clone()))
            .map(current)
            .unwrap_or_default()
    }

    /// Has the readiness the watches know now recorded where `written` (the value of the app's status
    /// just written by its task, with the readiness known then) does not show it. A change that came
    /// between the task's read of the readiness and its commit may have been judged by the pump against
    /// the value before it, in which the resource was not applied yet, and dropped; nothing is lost this
    /// way. The pump does the check, after the changes it has already taken: every readiness write of a
    /// cluster comes from its pump, one at a time, so two of them never race for the same key.
    pub fn catch_up(&self, ctx: ContextId, app: &AppName, written: AppProgress) {
        // Sending fails only when the pump has ended: the cluster is no longer followed.
        let _ = self.written.send(((ctx, app.clone()), written));
    }

    /// The pump's half of [`catch_up`](Self::catch_up).
    async fn check_written(&self, key: &AppKey, written: &AppProgress) {
        let missed: Vec<(usize, Ready)> = self
            .readiness(key.0, &key.1)
            .into_iter()
            .filter(|(i, r)| {
                written
                    .resources
                    .get(*i)
                    .is_some_and(|w| w.deployed == Deployed::Applied && w.ready != *r)
            })
            .collect();
        self.record(key, &missed).await;
    }

    /// Stops following `app` of `ctx`.
    pub fn unregister(&self, ctx: ContextId, app: &AppName) {
        let key = (ctx, app.clone());
        if self.entries.lock().expect("lock").remove(&key).is_some() {
            let mut index = self.index.lock().expect("lock");
            index.retain(|_, slots| {
                slots.retain(|(k, _)| k != &key);
                !slots.is_empty()
            });
        }
    }

    /// Records readiness `changes` (resource index, state) of one app.
    async fn record(&self, key: &AppKey, changes: &[(usize, Ready)]) {
        if changes.is_empty() {
            return;
        }
        let slot = Slot {
            ctx: key.0,
            cluster: self.cluster.clone(),
            app: key.1.clone(),
        };
        // Only over a status the app's task has written: before that, nothing is applied to be ready,
        // and the task's own write records the readiness known then (and catches up on what came
        // after, see `catch_up`).
        let result = self
            .status
            .update_existing(&slot, |p| apply_readiness(p, changes))
            .await;
        if let Err(e) = result {
            tracing::warn!("{e}");
        }
    }

    /// Records readiness changes, one write per app however many of its resources changed.
    async fn on_changes(&self, changes: &[(ResourceId, Ready)]) {
        let mut by_app: Vec<(AppKey, Vec<(usize, Ready)>)> = Vec::new();
        {
            let index = self.index.lock().expect("lock");
            for (id, ready) in changes {
                for (key, i) in index.get(id).into_iter().flatten() {
                    match by_app.iter_mut().find(|(k, _)| k == key) {
                        Some((_, app)) => app.push((*i, *ready)),
                        None => by_app.push((key.clone(), vec![(*i, *ready)])),
                    }
                }
            }
        }
        for (key, app) in by_app {
            self.record(&key, &app).await;
        }
    }

    /// Re-reads every subscription (after the change channel lagged).
    async fn refresh(&self) {
        let all: Vec<(AppKey, Vec<(usize, Ready)>)> = self
            .entries
            .lock()
            .expect("lock")
            .iter()
            .map(|(k, e)| (k.clone(), current(e)))
            .collect();
        for (key, states) in all {
            self.record(&key, &states).await;
        }
    }

    /// Re-applies every registered app's resources. A resource that was gone, or that someone changed
    /// (its resourceVersion moved when it was applied again), is reported `drift-corrected`.
    async fn resync(&self) {
        let all: Vec<(AppKey, Arc<Manifests>, String)> = self
            .entries
            .lock()
            .expect("lock")
            .iter()
            .map(|(k, e)| (k.clone(), e.manifests.clone(), e.deployment_id.clone()))
            .collect();
        for (key, manifests, deployment_id) in all {
            let mut repaired = Vec::new();
            for (i, m) in manifests.resources.iter().enumerate() {
                match self.reapply(m, &deployment_id).await {
                    Ok(Some(how)) => repaired.push((i, how)),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(cluster = %self.cluster, "resync of {} {}: {e}", m.kind, m.name);
                    }
                }
            }
            if repaired.is_empty() {
                continue;
            }
            let slot = Slot {
                ctx: key.0,
                cluster: self.cluster.clone(),
                app: key.1.clone(),
            };
            let events = repaired
                .iter()
                .map(|(i, how)| {
                    let m = &manifests.resources[*i];
                    Event::new(
                        Identity::Resource {
                            ctx: slot.ctx,
                            cluster: slot.cluster.clone(),
                            app: slot.app.clone(),
                            resource_kind: m.kind.clone(),
                            name: m.name.clone(),
                        },
                        "drift-corrected",
                    )
                    .with_context(slot.ctx)
                    .with_message(*how)
                })
                .collect();
            let now = Timestamp::now();
            let result = self
                .status
                .update(
                    &slot,
                    || seed(self, &key),
                    |p| {
                        for (i, _) in &repaired {
                            if let Some(r) = p.resources.get_mut(*i) {
                                r.deployed = Deployed::Applied;
                                r.applied_at = Some(now);
                            }
                        }
                    },
                    events,
                )
                .await;
            match result {
                Ok(_) => {
                    tracing::info!(cluster = %self.cluster, app = %key.1, repaired = repaired.len(), "drift corrected")
                }
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }

    async fn reapply(
        &self,
        m: &canopy_engine::appcontext::Manifest,
        deployment_id: &str,
    ) -> crate::cluster::Result<Option<&'static str>> {
        let cluster = self.cluster();
        let before = cluster.get(m).await?;
        cluster.apply(m, deployment_id).await?;
        let Some(before) = before else {
            return Ok(Some("the resource was missing and was applied again"));
        };
        let after = cluster.get(m).await?;
        let version =
            |v: &serde_json::Value| v["metadata"]["resourceVersion"].as_str().map(str::to_owned);
        Ok(match after {
            Some(after) if version(&after) != version(&before) => {
                Some("the resource had been changed and was applied again")
            }
            _ => None,
        })
    }
}

/// What the watches know now of each resource of `e`.
fn current(e: &Entry) -> Vec<(usize, Ready)> {
    e.subscriptions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().and_then(|s| s.current()).map(|r| (i, r)))
        .collect()
}

fn seed(w: &Watched, key: &AppKey) -> AppProgress {
    let resources = w
        .entries
        .lock()
        .expect("lock")
        .get(key)
        .map(|e| {
            e.manifests
                .resources
                .iter()
                .map(ResourceProgress::pending)
                .collect()
        })
        .unwrap_or_default();
    AppProgress {
        phase: Phase::Applied,
        connectivity: Default::default(),
        last_error: None,
        resources,
        updated_at: Timestamp::now(),
    }
}

/// Applies readiness changes to an app's status, and moves the app between `Applied` and `Ready`.
pub fn apply_readiness(p: &mut AppProgress, changes: &[(usize, Ready)]) {
    let now = Timestamp::now();
    for (i, ready) in changes {
        let Some(r) = p.resources.get_mut(*i) else {
            continue;
        };
        if r.deployed != Deployed::Applied || r.ready == *ready {
            continue;
        }
        r.ready = *ready;
        if *ready == Ready::Ready {
            r.ready_at = Some(now);
        }
    }
    match p.phase {
        Phase::Applied if p.all_ready() => p.phase = Phase::Ready,
        Phase::Ready if !p.all_ready() => p.phase = Phase::Applied,
        _ => {}
    }
}

/// How long the pump gathers readiness changes after the first before it writes them: the changes of
/// an app's resources usually come close together, and one write records them all.
const GATHER: Duration = Duration::from_millis(20);

async fn pump(
    watched: Weak<Watched>,
    mut written: mpsc::UnboundedReceiver<(AppKey, AppProgress)>,
    stop: CancellationToken,
    resync: Duration,
) {
    let Some(mut changes) = watched.upgrade().map(|w| w.watches.subscribe_all()) else {
        return;
    };
    let period = if resync.is_zero() {
        Duration::from_secs(u64::MAX / 4)
    } else {
        resync
    };
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            change = changes.recv() => {
                let mut lagged = false;
                let mut batch = Vec::new();
                match change {
                    Ok(c) => batch.push((c.id, c.ready)),
                    Err(RecvError::Lagged(_)) => lagged = true,
                    Err(RecvError::Closed) => return,
                }
                tokio::time::sleep(GATHER).await;
                loop {
                    match changes.try_recv() {
                        Ok(c) => batch.push((c.id, c.ready)),
                        Err(TryRecvError::Lagged(_)) => lagged = true,
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Closed) => return,
                    }
                }
                let Some(w) = watched.upgrade() else { return };
                if lagged {
                    w.refresh().await;
                } else {
                    w.on_changes(&batch).await;
                }
            }
            Some((key, value)) = written.recv() => {
                let Some(w) = watched.upgrade() else { return };
                w.check_written(&key, &value).await;
            }
            _ = tick.tick() => {
                let Some(w) = watched.upgrade() else { return };
                w.resync().await;
            }
        }
    }
}
