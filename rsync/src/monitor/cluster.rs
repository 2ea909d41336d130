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
use tokio::sync::broadcast::error::RecvError;
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
        let watched = Arc::new(Self {
            cluster,
            watches: Watches::for_cluster(&handle),
            config,
            status,
            entries: Mutex::default(),
            index: Mutex::default(),
            stop: CancellationToken::new(),
        });
        tokio::spawn(pump(Arc::downgrade(&watched), watched.stop.clone(), resync));
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

    /// Follows `app` of `ctx`.
    pub async fn register(
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
        let current: Vec<(usize, Ready)> = subscriptions
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().and_then(|s| s.current()).map(|r| (i, r)))
            .collect();
        self.entries.lock().expect("lock").insert(
            key.clone(),
            Entry {
                manifests,
                deployment_id,
                subscriptions,
            },
        );
        self.record(&key, &current).await;
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
        let result = self
            .status
            .update(
                &slot,
                || seed(self, key),
                |p| apply_readiness(p, changes),
                Vec::new(),
            )
            .await;
        if let Err(e) = result {
            tracing::warn!("{e}");
        }
    }

    async fn on_change(&self, id: &ResourceId, ready: Ready) {
        let slots = self
            .index
            .lock()
            .expect("lock")
            .get(id)
            .cloned()
            .unwrap_or_default();
        for (key, i) in slots {
            self.record(&key, &[(i, ready)]).await;
        }
    }

    /// Re-reads every subscription (after the change channel lagged).
    async fn refresh(&self) {
        let all: Vec<(AppKey, Vec<(usize, Ready)>)> = self
            .entries
            .lock()
            .expect("lock")
            .iter()
            .map(|(k, e)| {
                let states = e
                    .subscriptions
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.as_ref().and_then(|s| s.current()).map(|r| (i, r)))
                    .collect();
                (k.clone(), states)
            })
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

async fn pump(watched: Weak<Watched>, stop: CancellationToken, resync: Duration) {
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
                let Some(w) = watched.upgrade() else { return };
                match change {
                    Ok(c) => w.on_change(&c.id, c.ready).await,
                    Err(RecvError::Lagged(_)) => w.refresh().await,
                    Err(RecvError::Closed) => return,
                }
            }
            _ = tick.tick() => {
                let Some(w) = watched.upgrade() else { return };
                w.resync().await;
            }
        }
    }
}
