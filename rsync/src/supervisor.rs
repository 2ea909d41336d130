//! The supervisor: one loop per process that looks after every unfinished operation
//! (`/canopy/rsync/active/`). Each round it
//! - cancels this process's work on a context whose stop flag is set (`POST DIG/stop`), and records every
//!   cluster that had not finished as stopped, so the operation ends at once rather than when its queued
//!   tasks come up;
//! - cancels work that belongs to an operation a newer one replaced;
//! - finishes operations whose clusters are all done ([`finish`](crate::finish)).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use canopy_engine::appcontext::ContextKeys;
use canopy_engine::context::{Compare, ContextStore, KeyValue, Op, Revision, Txn};
use canopy_schemas::ContextId;
use tokio_util::sync::CancellationToken;

use crate::finish::finish;
use crate::keys;
use crate::op::{self, DoneRecord, OpRecord, Outcome};
use crate::registry::Registry;

/// Operation records decoded in earlier rounds, by context, with the revision they were read at: the
/// record of an operation on 10,000 clusters lists them all, and decoding it four times a second was a
/// good part of a large fan-out's work.
#[derive(Default)]
pub struct Records(HashMap<ContextId, (Revision, Arc<OpRecord>)>);

impl Records {
    /// The record stored in `kv`, decoded once per revision.
    fn decode(&mut self, ctx: ContextId, kv: &KeyValue) -> Result<Arc<OpRecord>, op::CodecError> {
        if let Some((revision, record)) = self.0.get(&ctx)
            && *revision == kv.mod_revision
        {
            return Ok(record.clone());
        }
        let record = Arc::new(op::decode::<OpRecord>(kv)?);
        self.0.insert(ctx, (kv.mod_revision, record.clone()));
        Ok(record)
    }

    /// Forgets the records of contexts that are no longer active.
    fn keep(&mut self, active: &HashSet<ContextId>) {
        self.0.retain(|ctx, _| active.contains(ctx));
    }
}

/// Runs the supervisor every `every` until `shutdown`, which also ends a round in the middle: with etcd
/// gone, a round's store call retries for up to 30 s, and `canopy rsync` waited that long to stop. Ending a
/// round anywhere is safe, as a crash there would be: every write it makes is one guarded transaction.
pub async fn run(
    store: Arc<dyn ContextStore>,
    registry: Arc<Registry>,
    every: Duration,
    shutdown: CancellationToken,
) {
    let mut records = Records::default();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            done = round(&store, &registry, &mut records) => {
                if let Err(e) = done {
                    tracing::warn!("supervisor round: {e}");
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// One round over every unfinished operation.
pub async fn round(
    store: &Arc<dyn ContextStore>,
    registry: &Registry,
    records: &mut Records,
) -> Result<(), canopy_engine::context::Error> {
    let mut active = HashSet::new();
    for kv in store.range(&keys::actives()).await?.kvs {
        let Some(ctx) = keys::context_of(&kv.key) else {
            continue;
        };
        active.insert(ctx);
        if let Err(e) = supervise(store, registry, ctx, records).await {
            tracing::warn!(%ctx, "supervising: {e}");
        }
    }
    records.keep(&active);
    Ok(())
}

async fn supervise(
    store: &Arc<dyn ContextStore>,
    registry: &Registry,
    ctx: ContextId,
    records: &mut Records,
) -> Result<(), canopy_engine::context::Error> {
    let ctx_keys = ContextKeys::new(ctx);
    let Some(op_kv) = store.get(&ctx_keys.rsync_op()).await? else {
        store.delete(&keys::active(ctx)).await?;
        return Ok(());
    };
    let Ok(record) = records.decode(ctx, &op_kv) else {
        return Ok(());
    };
    if store.get(&ctx_keys.stop()).await?.is_some() {
        registry.cancel(ctx, None);
        mark_stopped(store, ctx, &record).await?;
    } else {
        registry.cancel(ctx, Some(record.id));
    }
    finish(store, ctx, &record, &op_kv).await?;
    Ok(())
}

/// Records every cluster of `record` that has no completion yet as stopped.
async fn mark_stopped(
    store: &Arc<dyn ContextStore>,
    ctx: ContextId,
    record: &OpRecord,
) -> Result<(), canopy_engine::context::Error> {
    let keys = ContextKeys::new(ctx);
    let dones = store.range(&keys.rsync_dones()).await?;
    let done: std::collections::BTreeSet<_> = dones
        .kvs
        .iter()
        .filter(|kv| op::decode::<DoneRecord>(kv).is_ok_and(|d| d.op == record.id))
        .map(|kv| kv.key.clone())
        .collect();
    let value = op::encode(&DoneRecord {
        op: record.id,
        outcome: Outcome::Stopped,
        by: "supervisor".to_owned(),
    });
    for cluster in &record.clusters {
        let key = keys.rsync_done(cluster);
        if done.contains(&key) {
            continue;
        }
        // Only where nothing finished in the meantime: a cluster that did finish keeps its outcome.
        let stale = match store.get(&key).await? {
            Some(kv) if op::decode::<DoneRecord>(&kv).is_ok_and(|d| d.op == record.id) => continue,
            Some(kv) => Compare::mod_revision(key.clone(), kv.mod_revision),
            None => Compare::absent(key.clone()),
        };
        store
            .txn(
                Txn::new()
                    .when([stale])
                    .and_then([Op::put(key, value.clone())]),
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use canopy_engine::context::{Key, Result, TxnResponse, Watch};

    use super::*;

    /// A store that never answers, as etcd does while it is gone and the client retries.
    struct Unanswering;

    #[async_trait]
    impl ContextStore for Unanswering {
        async fn txn(&self, _txn: Txn) -> Result<TxnResponse> {
            std::future::pending().await
        }
        async fn watch(&self, _prefix: &Key, _from: Option<Revision>) -> Result<Watch> {
            std::future::pending().await
        }
        async fn compact(&self, _revision: Revision) -> Result<()> {
            std::future::pending().await
        }
    }

    #[tokio::test]
    async fn shutdown_ends_a_round_that_waits_on_the_store() {
        let shutdown = CancellationToken::new();
        let supervisor = tokio::spawn(run(
            Arc::new(Unanswering),
            Arc::new(Registry::default()),
            Duration::from_millis(10),
            shutdown.clone(),
        ));
        // Let the first round start and block on the store.
        tokio::task::yield_now().await;
        shutdown.cancel();
        // A guard against a hang, not a timing: without the fix the round waits forever.
        tokio::time::timeout(Duration::from_secs(60), supervisor)
            .await
            .expect("the supervisor ended on shutdown")
            .expect("the supervisor did not panic");
    }
}
