//! Running one task: one cluster's part of one operation (docs/DESIGN.md §7).
//!
//! 1. A task whose operation was replaced, or whose cluster already finished, is acked and dropped.
//! 2. A stop flag ends it as stopped.
//! 3. The cluster's client comes from the cache; an unreachable cluster sets the connectivity of its apps
//!    to `Retrying` (with an `unreachable` event for the cluster) and the task is handed back to the queue
//!    with a backoff delay (exponential, full jitter), so it holds no worker slot while it waits.
//! 4. Otherwise the apps are installed, updated, uninstalled or read ([`apps`]); a retryable failure
//!    hands the task back the same way, and a terminal one fails the app on this cluster.
//! 5. The cluster's completion is recorded, then the task is acked.

pub mod apps;
pub mod collect;
pub mod deps;
pub mod plan;

mod connectivity;

use std::sync::Arc;

use canopy_engine::appcontext::{Connectivity, ContextKeys};
use canopy_engine::context::{Compare, KeyValue, Op, Revision, Txn};
use tokio_util::sync::CancellationToken;

use self::apps::Apps;
use self::plan::ContextPlan;
use crate::cluster::ApplyError;
use crate::op::{self, DoneRecord, OpHeader, OpKind, Outcome};
use crate::queue::Delivery;
use crate::runtime::{ConnectError, Runtime};
use crate::task::Task;

/// What became of a task.
#[derive(Debug)]
enum Verdict {
    /// Nothing to do: acked.
    Stale,
    /// The cluster's part ended; the operation record read at the start had this revision.
    Done(Outcome, Revision),
    /// Try again later.
    Retry(String),
}

/// Runs one delivered task to its verdict and settles it with the queue.
pub async fn task(rt: Arc<Runtime>, delivery: Box<dyn Delivery>) {
    let delivery: Arc<dyn Delivery> = Arc::from(delivery);
    let t = delivery.task().clone();
    let alive = {
        let delivery = delivery.clone();
        let every = rt.config.keep_alive;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = delivery.keep_alive().await {
                    tracing::warn!("{e}");
                }
            }
        })
    };
    let verdict = match execute(&rt, &t, delivery.attempt()).await {
        Ok(v) => v,
        Err(e) => Verdict::Retry(e),
    };
    alive.abort();
    let settled = match verdict {
        Verdict::Stale => delivery.ack().await,
        Verdict::Done(outcome, op) => match record_done(&rt, &t, outcome, Some(op)).await {
            Ok(()) => delivery.ack().await,
            Err(e) => {
                tracing::warn!(task = %t.id(), "recording the completion: {e}");
                delivery.retry_after(rt.config.backoff.delay(0)).await
            }
        },
        Verdict::Retry(why) => {
            let attempt = delivery.attempt();
            match rt.config.max_retries {
                Some(max) if attempt >= max => {
                    let why = format!("gave up after {} attempts: {why}", attempt + 1);
                    match record_done(&rt, &t, Outcome::Failed(why), None).await {
                        Ok(()) => delivery.ack().await,
                        Err(e) => {
                            tracing::warn!(task = %t.id(), "recording the completion: {e}");
                            delivery.retry_after(rt.config.backoff.delay(attempt)).await
                        }
                    }
                }
                _ => {
                    let delay = rt.config.backoff.delay(attempt);
                    tracing::info!(task = %t.id(), attempt, ?delay, "retrying: {why}");
                    delivery.retry_after(delay).await
                }
            }
        }
    };
    if let Err(e) = settled {
        tracing::warn!(task = %t.id(), "settling with the queue: {e}");
    }
}

async fn execute(rt: &Runtime, t: &Task, attempt: u32) -> Result<Verdict, String> {
    let keys = ContextKeys::new(t.ctx);
    let store_error = |e: canopy_engine::context::Error| e.to_string();
    let skeleton = match rt.skeletons.get(&rt.store, t.ctx).await {
        Ok(skeleton) => skeleton,
        // A context deleted with its operation leaves a stale task; any other failure is retried.
        Err(e) => {
            return match rt.store.get(&keys.rsync_op()).await.map_err(store_error)? {
                None => Ok(Verdict::Stale),
                Some(_) => Err(e.to_string()),
            };
        }
    };
    // The operation, the cluster's completion marker, the stop flag, the cluster's connectivity record
    // and the resource lists of its apps, in one read.
    let mut values = rt
        .store
        .get_all(
            &[
                keys.rsync_op(),
                keys.rsync_done(&t.cluster),
                keys.stop(),
                crate::keys::connectivity(&t.cluster),
            ]
            .into_iter()
            .chain(ContextPlan::record_keys(&skeleton, t.ctx, &t.cluster))
            .collect::<Vec<_>>(),
        )
        .await
        .map_err(store_error)?;
    let records = values.split_off(4.min(values.len()));
    let [op_kv, done_kv, stop_kv, conn_kv]: [Option<KeyValue>; 4] = values
        .try_into()
        .map_err(|_| "the store answered a read of several keys with fewer values".to_string())?;
    let Some(op_kv) = op_kv else {
        return Ok(Verdict::Stale);
    };
    let record: OpHeader = op::decode(&op_kv).map_err(|e| e.to_string())?;
    if record.id != t.op {
        return Ok(Verdict::Stale);
    }
    if let Some(kv) = done_kv
        && let Ok(done) = op::decode::<DoneRecord>(&kv)
        && done.op == t.op
    {
        // Delivered again after its cluster finished: the replica that did it died before the ack, and
        // its readiness watches with it. This one takes them over.
        if done.outcome == Outcome::Done && matches!(record.kind, OpKind::Install | OpKind::Update)
        {
            crate::recover::watch_cluster(rt, t.ctx, &t.cluster).await;
        }
        return Ok(Verdict::Stale);
    }
    let cancel = rt.registry.token(t.ctx, t.op);
    if stop_kv.is_some() {
        return Ok(Verdict::Done(Outcome::Stopped, op_kv.mod_revision));
    }
    let plan = ContextPlan::from_records(&rt.store, skeleton, t.ctx, &t.cluster, &records)
        .await
        .map_err(|e| e.to_string())?;
    let old = match record.from {
        Some(from) => Some(
            ContextPlan::load(&rt.store, &rt.skeletons, from, &t.cluster)
                .await
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    let watched = match rt.connect(&t.cluster, &plan.namespace).await {
        Ok(w) => w,
        Err(ConnectError::Terminal(why)) => {
            return Ok(Verdict::Done(Outcome::Failed(why), op_kv.mod_revision));
        }
        Err(ConnectError::Retryable(why)) => return Ok(Verdict::Retry(why)),
    };
    let slots = connectivity::slots(&plan, old.as_ref(), &t.cluster);
    if let Err(e) = watched.cluster().reachable().await {
        connectivity::record(
            rt,
            &t.cluster,
            &slots,
            (Connectivity::Retrying, Some(e.to_string())),
            attempt,
            Some(conn_kv),
        )
        .await;
        return Ok(Verdict::Retry(e.to_string()));
    }
    connectivity::record(
        rt,
        &t.cluster,
        &slots,
        (Connectivity::Available, None),
        attempt,
        Some(conn_kv),
    )
    .await;
    let apps = Apps {
        rt,
        cluster: &t.cluster,
        watched: &watched,
        cancel: &cancel,
        fresh: attempt == 0 && matches!(record.kind, OpKind::Install | OpKind::Update),
    };
    let result = run_op(&apps, record.kind, &plan, old.as_ref(), &cancel).await;
    match result {
        Ok(outcome) => Ok(Verdict::Done(outcome, op_kv.mod_revision)),
        Err(ApplyError::Cancelled(_)) => Ok(Verdict::Done(Outcome::Stopped, op_kv.mod_revision)),
        Err(e) => {
            if e.is_unreachable() {
                connectivity::record(
                    rt,
                    &t.cluster,
                    &slots,
                    (Connectivity::Retrying, Some(e.to_string())),
                    attempt,
                    None,
                )
                .await;
            }
            Ok(Verdict::Retry(e.to_string()))
        }
    }
}

async fn run_op(
    apps: &Apps<'_>,
    kind: OpKind,
    plan: &ContextPlan,
    old: Option<&ContextPlan>,
    cancel: &CancellationToken,
) -> apps::TaskResult {
    if cancel.is_cancelled() {
        return Ok(Outcome::Stopped);
    }
    match kind {
        OpKind::Install => apps.install(plan, None).await,
        OpKind::Update => apps.install(plan, old).await,
        OpKind::Uninstall => apps.uninstall(plan).await,
        OpKind::Read => apps.read(plan).await,
    }
}

/// Records the cluster's completion of the task's operation, unless the operation was replaced: the swap
/// is guarded by the operation record's revision, `op` when the task read it at its start (a new operation
/// is a new record, so an unchanged revision is the same operation), otherwise read now.
async fn record_done(
    rt: &Runtime,
    t: &Task,
    outcome: Outcome,
    op: Option<Revision>,
) -> Result<(), String> {
    let keys = ContextKeys::new(t.ctx);
    let op = match op {
        Some(op) => op,
        None => match rt
            .store
            .get(&keys.rsync_op())
            .await
            .map_err(|e| e.to_string())?
        {
            Some(kv) => kv.mod_revision,
            None => return Ok(()),
        },
    };
    let value = op::encode(&DoneRecord {
        op: t.op,
        outcome,
        by: rt.config.name.clone(),
    });
    let txn = Txn::new()
        .when([Compare::mod_revision(keys.rsync_op(), op)])
        .and_then([Op::put(keys.rsync_done(&t.cluster), value)]);
    rt.store.txn(txn).await.map_err(|e| e.to_string())?;
    Ok(())
}
