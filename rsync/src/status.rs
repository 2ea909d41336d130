//! Writes `st/<cluster>/<app>` (docs/DESIGN.md §5) and its events through the outbox. Every change is a
//! read, a change in memory, and a compare-and-swap on the key's revision, with the events of its
//! transitions staged in the same transaction (one outbox entry). Two writers (the task and the readiness
//! monitor, or two replicas) therefore never lose each other's changes, and a transition is announced
//! exactly once: by the writer whose swap committed it.
//!
//! A failed swap reads the key in the same transaction, so the next attempt needs no separate read; and a
//! writer that expects the key not to exist yet ([`StatusWriter::create_or_update`]) skips the first read
//! too: a wrong guess costs one failed swap, which returns the value to go on with. For the same reason
//! the writer remembers the last value it wrote or read at each key of an app still on its way (not yet
//! `Ready`, `Failed`, `Deleted` or `Stopped`), and swaps against that instead of reading first: the next
//! write to a key is usually this process's own (the readiness monitor's after the task's). A write that
//! would change nothing against a remembered value reads the key before it concludes so.

use std::sync::Arc;

use canopy_engine::appcontext::{AppProgress, ContextKeys, Phase, Ready};
use canopy_engine::context::{Compare, ContextStore, Key, KeyValue, Op, Txn};
use canopy_engine::events::Outbox;
use canopy_schemas::event::{Event, Identity};
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_schemas::{ContextId, Timestamp};
use dashmap::DashMap;

/// Where one app on one cluster is reported.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The AppContext.
    pub ctx: ContextId,
    /// The cluster.
    pub cluster: ClusterRef,
    /// The app.
    pub app: AppName,
}

/// A status write failed.
#[derive(Debug, thiserror::Error)]
#[error("writing the status of {app} on {cluster} in context {ctx}: {message}")]
pub struct StatusError {
    /// The context.
    pub ctx: ContextId,
    /// The cluster.
    pub cluster: ClusterRef,
    /// The app.
    pub app: AppName,
    /// Why.
    pub message: String,
    /// True when a retry may succeed.
    pub retryable: bool,
}

/// Writes status values and their events. Clones share the remembered values.
#[derive(Clone)]
pub struct StatusWriter {
    store: Arc<dyn ContextStore>,
    last: Arc<DashMap<Key, KeyValue>>,
}

impl StatusWriter {
    /// How many values are remembered at most: when full, the memory is emptied and refilled.
    pub const REMEMBERED: usize = 16_384;

    /// A writer over `store`.
    pub fn new(store: Arc<dyn ContextStore>) -> Self {
        Self {
            store,
            last: Arc::default(),
        }
    }

    /// Keeps `kv` as the guess for the next write at its key while its app is on its way.
    fn remember(&self, kv: KeyValue, value: &AppProgress) {
        if matches!(
            value.phase,
            Phase::Ready | Phase::Failed | Phase::Deleted | Phase::Stopped
        ) {
            self.last.remove(&kv.key);
            return;
        }
        if self.last.len() >= Self::REMEMBERED {
            self.last.clear();
        }
        self.last.insert(kv.key.clone(), kv);
    }

    /// Reads the slot's value, or `seed()` when it has none.
    pub async fn read(
        &self,
        slot: &Slot,
        seed: impl FnOnce() -> AppProgress,
    ) -> Result<AppProgress, StatusError> {
        let key = ContextKeys::new(slot.ctx).cluster_status(&slot.cluster, &slot.app);
        match self.store.get(&key).await {
            Ok(Some(kv)) => AppProgress::decode(&kv).map_err(|e| error(slot, e.to_string(), false)),
            Ok(None) => Ok(seed()),
            Err(e) => Err(error(slot, e.to_string(), e.is_retryable())),
        }
    }

    /// Applies `change` to the slot's value (or to `seed()` when it has none) and writes it with the events
    /// of its transitions plus `extra`. Nothing is written when the value is unchanged and `extra` is empty.
    /// Returns the value now stored.
    pub async fn update(
        &self,
        slot: &Slot,
        seed: impl Fn() -> AppProgress,
        change: impl FnMut(&mut AppProgress),
        extra: Vec<Event>,
    ) -> Result<AppProgress, StatusError> {
        self.write(slot, Some(&seed), change, extra, None)
            .await
            .map(|p| p.expect("a seeded write always has a value"))
    }

    /// As [`update`](Self::update), for a writer that expects the slot to have no value yet (the first
    /// write of an app's part in a new operation): the write is tried on `seed()` without reading first.
    pub async fn create_or_update(
        &self,
        slot: &Slot,
        seed: impl Fn() -> AppProgress,
        change: impl FnMut(&mut AppProgress),
    ) -> Result<AppProgress, StatusError> {
        self.write(slot, Some(&seed), change, Vec::new(), Some(None))
            .await
            .map(|p| p.expect("a seeded write always has a value"))
    }

    /// As [`update`](Self::update), but only when the slot has a value already; `None` when it has none.
    pub async fn update_existing(
        &self,
        slot: &Slot,
        change: impl FnMut(&mut AppProgress),
    ) -> Result<Option<AppProgress>, StatusError> {
        self.write(slot, None::<&fn() -> AppProgress>, change, Vec::new(), None)
            .await
    }

    /// The read-change-swap loop. `known` is the key's value when the caller knows it (`Some(None)`: it
    /// has none); `None` reads it first.
    async fn write(
        &self,
        slot: &Slot,
        seed: Option<&impl Fn() -> AppProgress>,
        mut change: impl FnMut(&mut AppProgress),
        extra: Vec<Event>,
        mut known: Option<Option<KeyValue>>,
    ) -> Result<Option<AppProgress>, StatusError> {
        let key = ContextKeys::new(slot.ctx).cluster_status(&slot.cluster, &slot.app);
        loop {
            // A remembered value is a guess: the key may have changed since.
            let mut guessed = false;
            let current = match known.take() {
                Some(current) => current,
                None => match self.last.get(&key).map(|kv| kv.clone()) {
                    Some(kv) => {
                        guessed = true;
                        Some(kv)
                    }
                    None => self
                        .store
                        .get(&key)
                        .await
                        .map_err(|e| error(slot, e.to_string(), e.is_retryable()))?,
                },
            };
            let (old, guard) = match &current {
                Some(kv) => (
                    Some(AppProgress::decode(kv).map_err(|e| error(slot, e.to_string(), false))?),
                    Compare::mod_revision(key.clone(), kv.mod_revision),
                ),
                None => (None, Compare::absent(key.clone())),
            };
            let mut new = match (&old, seed) {
                (Some(old), _) => old.clone(),
                (None, Some(seed)) => seed(),
                (None, None) => return Ok(None),
            };
            change(&mut new);
            let mut events = transitions(slot, old.as_ref(), &new);
            events.extend(extra.iter().cloned());
            if old.as_ref().is_some_and(|o| same(o, &new)) && events.is_empty() {
                if guessed {
                    // Nothing to change against the guess: read what is there before concluding so.
                    self.last.remove(&key);
                    continue;
                }
                return Ok(Some(new));
            }
            new.updated_at = Timestamp::now();
            let value = new
                .encode(&key)
                .map_err(|e| error(slot, e.to_string(), false))?;
            let mut ops = vec![Op::put(key.clone(), value.clone())];
            ops.extend(Outbox::stage_all(&events).map_err(|e| error(slot, e.to_string(), false))?);
            let done = self
                .store
                .txn(
                    Txn::new()
                        .when([guard])
                        .and_then(ops)
                        .or_else([Op::Get(key.clone())]),
                )
                .await
                .map_err(|e| error(slot, e.to_string(), e.is_retryable()))?;
            if !done.succeeded {
                // Another writer came first: go on from what it wrote.
                self.last.remove(&key);
                known = Some(
                    done.responses
                        .into_iter()
                        .next()
                        .and_then(|r| r.into_range().kvs.pop()),
                );
                continue;
            }
            let written = KeyValue {
                key: key.clone(),
                value,
                create_revision: current
                    .as_ref()
                    .map_or(done.revision, |kv| kv.create_revision),
                mod_revision: done.revision,
                version: current.as_ref().map_or(1, |kv| kv.version + 1),
            };
            self.remember(written, &new);
            return Ok(Some(new));
        }
    }
}

fn error(slot: &Slot, message: String, retryable: bool) -> StatusError {
    StatusError {
        ctx: slot.ctx,
        cluster: slot.cluster.clone(),
        app: slot.app.clone(),
        message,
        retryable,
    }
}

/// Equal apart from the write time.
fn same(a: &AppProgress, b: &AppProgress) -> bool {
    a.phase == b.phase
        && a.connectivity == b.connectivity
        && a.last_error == b.last_error
        && a.resources == b.resources
}

/// The events of the change from `old` to `new`: the app's phase, then each resource's deployed and ready
/// states, in resource order.
pub fn transitions(slot: &Slot, old: Option<&AppProgress>, new: &AppProgress) -> Vec<Event> {
    let mut events = Vec::new();
    let old_phase = old.map(|o| o.phase);
    if old_phase != Some(new.phase) {
        let mut e = Event::new(
            Identity::App {
                ctx: slot.ctx,
                cluster: slot.cluster.clone(),
                app: slot.app.clone(),
            },
            new.phase.as_str(),
        )
        .with_context(slot.ctx);
        if let Some(p) = old_phase {
            e = e.from_state(p.as_str());
        }
        if let Some(m) = &new.last_error {
            e = e.with_message(m.clone());
        }
        events.push(e);
    }
    for (i, r) in new.resources.iter().enumerate() {
        let before = old
            .and_then(|o| o.resources.get(i))
            .filter(|b| b.kind == r.kind && b.name == r.name);
        let identity = || Identity::Resource {
            ctx: slot.ctx,
            cluster: slot.cluster.clone(),
            app: slot.app.clone(),
            resource_kind: r.kind.clone(),
            name: r.name.clone(),
        };
        if before.map(|b| b.deployed) != Some(r.deployed) && r.deployed != Default::default() {
            let mut e = Event::new(identity(), r.deployed.as_str()).with_context(slot.ctx);
            if let Some(b) = before {
                e = e.from_state(b.deployed.as_str());
            }
            if let Some(m) = &r.message {
                e = e.with_message(m.clone());
            }
            events.push(e);
        }
        // A resource starts NotReady: one first written already Ready (applied and observed ready in
        // the same write) still publishes its Ready, from NotReady, so that subscribers see it.
        let ready_before = before.map_or(Ready::default(), |b| b.ready);
        if ready_before != r.ready {
            events.push(
                Event::new(identity(), r.ready.as_str())
                    .from_state(ready_before.as_str())
                    .with_context(slot.ctx),
            );
        }
    }
    events
}
