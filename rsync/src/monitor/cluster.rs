//! One watched cluster (for one default namespace): its watches (shared with the cluster's other
//! namespaces), the apps registered on it, and the task that turns readiness changes into status and
//! resyncs the desired state.

mod resync;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use canopy_engine::appcontext::{AppProgress, BlobHash, Deployed, Manifests, Phase, Ready};
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
    /// While the apps of a replaced handle are taken over ([`adopt`](Self::adopt)): the apps
    /// unregistered meanwhile, which must not be followed again. Locked after `entries`, before `index`.
    adopting: Mutex<Option<std::collections::HashSet<AppKey>>>,
    /// Task writes to check for readiness they missed, handled by the pump (see `catch_up`).
    written: mpsc::UnboundedSender<(AppKey, AppProgress)>,
    stop: CancellationToken,
}

impl Watched {
    /// Starts following `cluster` through `watches` (a handle with the default namespace of what this
    /// follows).
    pub fn start(
        cluster: ClusterRef,
        watches: Watches,
        config: BlobHash,
        status: StatusWriter,
        resync: Duration,
    ) -> Arc<Self> {
        let (written, rechecks) = mpsc::unbounded_channel();
        let watched = Arc::new(Self {
            cluster,
            watches,
            config,
            status,
            entries: Mutex::default(),
            index: Mutex::default(),
            adopting: Mutex::default(),
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
        self.insert(ctx, app, manifests, deployment_id, false).await;
    }

    /// Takes over `apps`, which a handle this one replaced followed (the cluster was registered again):
    /// each is followed here and its readiness recorded, unless it was unregistered or followed by its
    /// own task meanwhile. Call [`adopting`](Self::adopting) first, before the handle is handed out.
    pub async fn adopt(&self, apps: Vec<(ContextId, AppName, Arc<Manifests>, String)>) {
        for (ctx, app, manifests, deployment_id) in apps {
            if self
                .insert(ctx, app.clone(), manifests, deployment_id, true)
                .await
            {
                let current = self.readiness(ctx, &app);
                self.record(&(ctx, app), &current).await;
            }
        }
        *self.adopting.lock().expect("lock") = None;
    }

    /// Starts remembering the apps unregistered from now until [`adopt`](Self::adopt) ends.
    pub fn adopting(&self) {
        *self.adopting.lock().expect("lock") = Some(Default::default());
    }

    /// Subscribes to the resources of `app` and follows it. An `adopted` app is left out (false) when it
    /// was unregistered during the adoption or is followed already.
    async fn insert(
        &self,
        ctx: ContextId,
        app: AppName,
        manifests: Arc<Manifests>,
        deployment_id: String,
        adopted: bool,
    ) -> bool {
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
        let mut entries = self.entries.lock().expect("lock");
        if let Some(dropped) = self.adopting.lock().expect("lock").as_mut() {
            if adopted && (dropped.contains(&key) || entries.contains_key(&key)) {
                return false;
            }
            dropped.remove(&key);
        }
        {
            let mut index = self.index.lock().expect("lock");
            // Followed again (a retried task): its old slots go.
            forget(&mut index, &key);
            for (i, s) in subscriptions.iter().enumerate() {
                if let Some(s) = s {
                    index
                        .entry(s.id().clone())
                        .or_default()
                        .push((key.clone(), i));
                }
            }
        }
        entries.insert(
            key,
            Entry {
                manifests,
                deployment_id,
                subscriptions,
            },
        );
        true
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
        let mut entries = self.entries.lock().expect("lock");
        if let Some(dropped) = self.adopting.lock().expect("lock").as_mut() {
            dropped.insert(key.clone());
        }
        if entries.remove(&key).is_some() {
            forget(&mut self.index.lock().expect("lock"), &key);
        }
    }

    /// Every app followed here: its context, name, manifests and deployment id.
    pub fn followed(&self) -> Vec<(ContextId, AppName, Arc<Manifests>, String)> {
        self.entries
            .lock()
            .expect("lock")
            .iter()
            .map(|((ctx, app), e)| {
                (
                    *ctx,
                    app.clone(),
                    e.manifests.clone(),
                    e.deployment_id.clone(),
                )
            })
            .collect()
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
}

/// Removes every slot of `key` from `index`.
fn forget(index: &mut HashMap<ResourceId, Vec<(AppKey, usize)>>, key: &AppKey) {
    index.retain(|_, slots| {
        slots.retain(|(k, _)| k != key);
        !slots.is_empty()
    });
}

/// What the watches know now of each resource of `e`.
fn current(e: &Entry) -> Vec<(usize, Ready)> {
    e.subscriptions
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().and_then(|s| s.current()).map(|r| (i, r)))
        .collect()
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
