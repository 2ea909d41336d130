//! Taking work (docs/DESIGN.md §7): a call is checked against the context's state, recorded as the
//! context's [operation](crate::op) in one transaction with the context's new state, split into one
//! [`Task`] per cluster, and queued. Only then is it answered, so a process that dies after the answer
//! loses nothing. A repeat of an accepted call finds the record, queues its unfinished tasks again (the
//! queue drops those it still holds), and answers `newly_queued: false`.

use std::collections::BTreeSet;
use std::sync::Arc;

use canopy_engine::appcontext::{self, ContextKeys, Reader, State, Status};
use canopy_engine::context::{Compare, ContextStore, KeyValue, Op, Txn};
use canopy_schemas::ContextId;
use canopy_schemas::name::ClusterRef;

use crate::keys;
use crate::op::{self, DoneRecord, OpKind, OpRecord};
use crate::queue::Queue;
use crate::task::Task;

/// Why a call was refused.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The context does not exist or is incomplete.
    #[error("AppContext {0} does not exist or is incomplete")]
    NotFound(ContextId),
    /// The context's state forbids the operation (terminal).
    #[error("AppContext {ctx} is {state}; {op:?} is not allowed from that state")]
    Refused {
        /// The context.
        ctx: ContextId,
        /// Its state.
        state: &'static str,
        /// The operation.
        op: OpKind,
    },
    /// The store or the queue failed; retry with backoff.
    #[error("recording the work: {0}")]
    Unavailable(String),
}

/// What a call was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The context the work was recorded on.
    pub ctx: ContextId,
    /// False for a repeat of an accepted call.
    pub newly_queued: bool,
    /// How many clusters the work touches.
    pub clusters: usize,
}

/// Records and queues work.
#[derive(Clone)]
pub struct Intake {
    store: Arc<dyn ContextStore>,
    queue: Arc<dyn Queue>,
}

fn unavailable(e: impl std::fmt::Display) -> IntakeError {
    IntakeError::Unavailable(e.to_string())
}

fn from_appcontext(ctx: ContextId, e: appcontext::Error) -> IntakeError {
    match e {
        appcontext::Error::Incomplete(_) => IntakeError::NotFound(ctx),
        other => unavailable(other),
    }
}

impl Intake {
    /// Intake over `store`, queueing on `queue`.
    pub fn new(store: Arc<dyn ContextStore>, queue: Arc<dyn Queue>) -> Self {
        Self { store, queue }
    }

    /// `InstallApp`.
    pub async fn install(&self, ctx: ContextId) -> Result<Accepted, IntakeError> {
        self.submit(ctx, OpKind::Install, None).await
    }

    /// `UninstallApp`.
    pub async fn uninstall(&self, ctx: ContextId) -> Result<Accepted, IntakeError> {
        self.submit(ctx, OpKind::Uninstall, None).await
    }

    /// `UpdateApp` and `RollbackApp`: move the clusters of `from` to `to`.
    pub async fn update(&self, from: ContextId, to: ContextId) -> Result<Accepted, IntakeError> {
        Reader::open(self.store.as_ref(), from)
            .await
            .map_err(|e| from_appcontext(from, e))?;
        self.submit(to, OpKind::Update, Some(from)).await
    }

    /// `ReadAppContext`.
    pub async fn read(&self, ctx: ContextId) -> Result<Accepted, IntakeError> {
        self.submit(ctx, OpKind::Read, None).await
    }

    async fn submit(
        &self,
        ctx: ContextId,
        kind: OpKind,
        from: Option<ContextId>,
    ) -> Result<Accepted, IntakeError> {
        let keys = ContextKeys::new(ctx);
        loop {
            let reader = Reader::open(self.store.as_ref(), ctx)
                .await
                .map_err(|e| from_appcontext(ctx, e))?;
            let status_kv = self
                .get(&keys.status())
                .await?
                .ok_or(IntakeError::NotFound(ctx))?;
            let status = Status::decode(&status_kv).map_err(unavailable)?;
            let existing = match self.get(&keys.rsync_op()).await? {
                Some(kv) => Some((op::decode::<OpRecord>(&kv).map_err(unavailable)?, kv)),
                None => None,
            };
            let (running, ok, _) = kind.states();
            if let Some((record, _)) = &existing
                && record.kind == kind
                && record.from == from
                && (status.state == running || (status.state == ok && kind != OpKind::Read))
            {
                let clusters = record.clusters.len();
                self.queue_unfinished(ctx, record).await?;
                return Ok(Accepted {
                    ctx,
                    newly_queued: false,
                    clusters,
                });
            }
            if !kind.allowed_from(status.state) {
                return Err(IntakeError::Refused {
                    ctx,
                    state: status.state.as_str(),
                    op: kind,
                });
            }
            let mut clusters = clusters_of(&reader)
                .await
                .map_err(|e| from_appcontext(ctx, e))?;
            if let Some(from) = from {
                let old = Reader::open(self.store.as_ref(), from)
                    .await
                    .map_err(|e| from_appcontext(from, e))?;
                clusters.extend(
                    clusters_of(&old)
                        .await
                        .map_err(|e| from_appcontext(from, e))?,
                );
            }
            let record = OpRecord::new(kind, from, clusters.into_iter().collect());
            let mut guards = vec![Compare::mod_revision(keys.status(), status_kv.mod_revision)];
            guards.push(match &existing {
                Some((_, kv)) => Compare::mod_revision(keys.rsync_op(), kv.mod_revision),
                None => Compare::absent(keys.rsync_op()),
            });
            let in_progress = Status::new(running);
            let mut ops = vec![
                Op::put(
                    keys.status(),
                    in_progress.encode(&keys.status()).map_err(unavailable)?,
                ),
                Op::put(keys.rsync_op(), op::encode(&record)),
                Op::DeletePrefix(keys.rsync_dones()),
                Op::Delete(keys.stop()),
                Op::put(keys::active(ctx), Vec::new()),
            ];
            if let Some(from) = from {
                let from_keys = ContextKeys::new(from);
                let updating = Status::new(State::Updating);
                ops.push(Op::put(
                    from_keys.status(),
                    updating.encode(&from_keys.status()).map_err(unavailable)?,
                ));
            }
            let done = self
                .store
                .txn(Txn::new().when(guards).and_then(ops))
                .await
                .map_err(unavailable)?;
            if !done.succeeded {
                continue;
            }
            let clusters = record.clusters.len();
            self.queue_unfinished(ctx, &record).await?;
            tracing::info!(%ctx, ?kind, clusters, "accepted");
            return Ok(Accepted {
                ctx,
                newly_queued: true,
                clusters,
            });
        }
    }

    /// Queues the tasks of `record` whose cluster has not finished.
    pub async fn queue_unfinished(
        &self,
        ctx: ContextId,
        record: &OpRecord,
    ) -> Result<(), IntakeError> {
        let keys = ContextKeys::new(ctx);
        let done: BTreeSet<ClusterRef> = self
            .store
            .range(&keys.rsync_dones())
            .await
            .map_err(unavailable)?
            .kvs
            .iter()
            .filter(|kv| op::decode::<DoneRecord>(kv).is_ok_and(|d| d.op == record.id))
            .filter_map(|kv| done_cluster(&kv.key))
            .collect();
        let tasks: Vec<Task> = record
            .clusters
            .iter()
            .filter(|c| !done.contains(*c))
            .map(|cluster| Task {
                ctx,
                op: record.id,
                cluster: cluster.clone(),
            })
            .collect();
        self.queue.push(&tasks).await.map_err(unavailable)
    }

    async fn get(
        &self,
        key: &canopy_engine::context::Key,
    ) -> Result<Option<KeyValue>, IntakeError> {
        self.store.get(key).await.map_err(unavailable)
    }
}

/// Every cluster some app of the context is placed on.
pub async fn clusters_of<S: ContextStore + ?Sized>(
    reader: &Reader<'_, S>,
) -> appcontext::Result<BTreeSet<ClusterRef>> {
    let mut clusters = BTreeSet::new();
    for (app, _) in reader.apps().await? {
        for placed in reader.placement(&app).await?.clusters {
            clusters.insert(placed.cluster);
        }
    }
    Ok(clusters)
}

/// The cluster a `rsync/done/<cluster>` key names.
pub fn done_cluster(key: &canopy_engine::context::Key) -> Option<ClusterRef> {
    std::str::from_utf8(key.as_bytes())
        .ok()?
        .rsplit('/')
        .next()?
        .parse()
        .ok()
}
