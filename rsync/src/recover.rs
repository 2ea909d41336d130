//! Start-up recovery (docs/DESIGN.md §7): nothing a dead process was doing is lost.
//! - [`requeue`]: every unfinished operation (`/canopy/rsync/active/`) has its unfinished clusters queued
//!   again. The JetStream queue drops the tasks it still holds (same message id); tasks whose cluster
//!   finished meanwhile are recognised and dropped by the worker.
//! - [`rewatch`]: every deployed context (`/canopy/rsync/deployed/`), and every cluster an unfinished install
//!   or update has finished, is registered with the monitor again, so readiness and drift keep being
//!   followed for deployments nothing is happening to.

use std::sync::Arc;

use canopy_engine::appcontext::{ContextKeys, Reader};
use canopy_engine::context::ContextStore;
use canopy_schemas::name::ClusterRef;
use futures::StreamExt;

use crate::intake::{Intake, clusters_of, done_cluster};
use crate::keys;
use crate::monitor::deployment_id;
use crate::op::{self, DoneRecord, OpKind, OpRecord, Outcome};
use crate::run::plan::ContextPlan;
use crate::runtime::Runtime;

/// Queues again the unfinished clusters of every unfinished operation; returns how many operations.
pub async fn requeue(store: &Arc<dyn ContextStore>, intake: &Intake) -> Result<usize, String> {
    let actives = store
        .range(&keys::actives())
        .await
        .map_err(|e| e.to_string())?;
    let mut n = 0;
    for kv in actives.kvs {
        let Some(ctx) = keys::context_of(&kv.key) else {
            continue;
        };
        let Some(op_kv) = store
            .get(&ContextKeys::new(ctx).rsync_op())
            .await
            .map_err(|e| e.to_string())?
        else {
            continue;
        };
        let record: OpRecord = op::decode(&op_kv).map_err(|e| e.to_string())?;
        intake
            .queue_unfinished(ctx, &record)
            .await
            .map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n)
}

/// Registers every app of every deployed context with the monitor; returns how many app × cluster pairs.
pub async fn rewatch(rt: Arc<Runtime>) -> usize {
    let deployed = match rt.store.range(&keys::deployeds()).await {
        Ok(r) => r.kvs,
        Err(e) => {
            tracing::warn!("reading the deployed contexts: {e}");
            return 0;
        }
    };
    let mut pairs = Vec::new();
    for kv in deployed {
        let Some(ctx) = keys::context_of(&kv.key) else {
            continue;
        };
        let clusters = match Reader::open(rt.store.as_ref(), ctx).await {
            Ok(reader) => clusters_of(&reader).await,
            Err(e) => Err(e),
        };
        match clusters {
            Ok(clusters) => pairs.extend(clusters.into_iter().map(|c| (ctx, c))),
            Err(e) => tracing::warn!(%ctx, "reading a deployed context: {e}"),
        }
    }
    // Clusters an unfinished install or update already finished: the process that applied them may be the
    // one that died, and nothing else would watch them until the operation ends.
    if let Ok(actives) = rt.store.range(&keys::actives()).await {
        for kv in actives.kvs {
            let Some(ctx) = keys::context_of(&kv.key) else {
                continue;
            };
            pairs.extend(
                finished_clusters(&rt, ctx)
                    .await
                    .into_iter()
                    .map(|c| (ctx, c)),
            );
        }
    }
    let registered = futures::stream::iter(pairs)
        .map(|(ctx, cluster)| {
            let rt = rt.clone();
            async move { watch_cluster(&rt, ctx, &cluster).await }
        })
        .buffer_unordered(32)
        .filter_map(|n| async move { n })
        .fold(0, |acc, n| async move { acc + n })
        .await;
    tracing::info!(registered, "watches re-established for deployed contexts");
    registered
}

/// The clusters of `ctx`'s install or update that finished well.
async fn finished_clusters(rt: &Runtime, ctx: canopy_schemas::ContextId) -> Vec<ClusterRef> {
    let keys = ContextKeys::new(ctx);
    let Ok(Some(op_kv)) = rt.store.get(&keys.rsync_op()).await else {
        return Vec::new();
    };
    let Ok(record) = op::decode::<OpRecord>(&op_kv) else {
        return Vec::new();
    };
    if !matches!(record.kind, OpKind::Install | OpKind::Update) {
        return Vec::new();
    }
    let Ok(dones) = rt.store.range(&keys.rsync_dones()).await else {
        return Vec::new();
    };
    dones
        .kvs
        .iter()
        .filter(|kv| {
            op::decode::<DoneRecord>(kv)
                .is_ok_and(|d| d.op == record.id && d.outcome == Outcome::Done)
        })
        .filter_map(|kv| done_cluster(&kv.key))
        .collect()
}

/// Registers every app of `ctx` on `cluster` with the monitor; how many, or `None` when the cluster or
/// the context could not be read.
pub async fn watch_cluster(
    rt: &Runtime,
    ctx: canopy_schemas::ContextId,
    cluster: &ClusterRef,
) -> Option<usize> {
    let plan = ContextPlan::load(&rt.store, &rt.skeletons, ctx, cluster)
        .await
        .ok()?;
    let watched = rt.connect(cluster, &plan.namespace).await.ok()?;
    for a in &plan.apps {
        rt.monitor
            .register(
                &watched,
                ctx,
                a.name.clone(),
                a.manifests.clone(),
                deployment_id(ctx, &a.name),
            )
            .await;
    }
    Some(plan.apps.len())
}
