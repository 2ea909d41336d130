//! Ends an operation when every cluster's part is done: the context's state follows from the clusters'
//! outcomes (any failure gives the operation's failure state, with a reason naming the clusters; a stop
//! gives it too, with the reason "stopped"), and for an update the old context becomes `Updated`. One
//! compare-and-swap makes it happen once, however many replicas try.

use std::sync::Arc;

use canopy_engine::appcontext::{ContextKeys, State, Status};
use canopy_engine::context::{Compare, CompareOp, ContextStore, KeyValue, Op, Target, Txn};
use canopy_schemas::ContextId;

use crate::intake::done_cluster;
use crate::keys;
use crate::op::{self, DoneRecord, OpKind, OpRecord, Outcome};

/// What finishing found.
#[derive(Debug, PartialEq, Eq)]
pub enum Finished {
    /// Some clusters are not done yet.
    Pending(usize),
    /// The context now has this status (or already had it: another replica finished it).
    Now(Status),
}

/// Finishes `record` on `ctx` if every cluster is done.
pub async fn finish(
    store: &Arc<dyn ContextStore>,
    ctx: ContextId,
    record: &OpRecord,
    op_kv: &KeyValue,
) -> Result<Finished, canopy_engine::context::Error> {
    let keys = ContextKeys::new(ctx);
    // Counted first: the supervisor asks every 250 ms, and reading 10,000 completion records each time
    // cost etcd and rsync more than the work. A new operation deletes the old one's records, so the count
    // only reaches the cluster count once this one's are all there (they are checked below).
    let written = store.count(&keys.rsync_dones()).await?;
    if written < record.clusters.len() {
        return Ok(Finished::Pending(record.clusters.len() - written));
    }
    let dones = store.range(&keys.rsync_dones()).await?;
    let mut failed = Vec::new();
    let mut stopped = false;
    let mut count = 0;
    for kv in &dones.kvs {
        let Ok(done) = op::decode::<DoneRecord>(kv) else {
            continue;
        };
        if done.op != record.id {
            continue;
        }
        count += 1;
        match done.outcome {
            Outcome::Done => {}
            Outcome::Stopped => stopped = true,
            Outcome::Failed(why) => {
                let cluster = done_cluster(&kv.key)
                    .map(|c| c.to_string())
                    .unwrap_or_default();
                failed.push(format!("{cluster}: {why}"));
            }
        }
    }
    if count < record.clusters.len() {
        return Ok(Finished::Pending(record.clusters.len() - count));
    }
    let (running, ok, bad) = record.kind.states();
    let status = if stopped {
        Status::because(bad, "stopped by POST .../stop")
    } else if !failed.is_empty() {
        let shown: Vec<_> = failed.iter().take(10).cloned().collect();
        let more = failed.len().saturating_sub(shown.len());
        let mut reason = format!("{} cluster(s) failed: {}", failed.len(), shown.join("; "));
        if more > 0 {
            reason.push_str(&format!("; and {more} more"));
        }
        Status::because(bad, reason)
    } else {
        Status::new(ok)
    };
    let running_value = Status::new(running)
        .encode(&keys.status())
        .expect("a status encodes");
    let mut ops = vec![
        Op::put(
            keys.status(),
            status.encode(&keys.status()).expect("a status encodes"),
        ),
        Op::Delete(keys::active(ctx)),
    ];
    let success = status.state == ok;
    match record.kind {
        OpKind::Install | OpKind::Update | OpKind::Read if success => {
            ops.push(Op::put(keys::deployed(ctx), Vec::new()));
        }
        OpKind::Uninstall => ops.push(Op::Delete(keys::deployed(ctx))),
        _ => {}
    }
    if let (OpKind::Update, Some(from)) = (record.kind, record.from) {
        let from_keys = ContextKeys::new(from);
        let from_status = if success {
            Status::new(State::Updated)
        } else {
            Status::because(
                State::UpdateFailed,
                status.reason.clone().unwrap_or_default(),
            )
        };
        ops.push(Op::put(
            from_keys.status(),
            from_status
                .encode(&from_keys.status())
                .expect("a status encodes"),
        ));
        if success {
            ops.push(Op::Delete(keys::deployed(from)));
        }
    }
    let guards = [
        Compare::mod_revision(keys.rsync_op(), op_kv.mod_revision),
        Compare::new(
            keys.status(),
            CompareOp::Equal,
            Target::Value(running_value),
        ),
    ];
    let done = store.txn(Txn::new().when(guards).and_then(ops)).await?;
    if done.succeeded {
        tracing::info!(%ctx, state = status.state.as_str(), reason = ?status.reason, "operation finished");
    }
    // Otherwise another replica finished it, or a new operation replaced it: either way it is not ours.
    Ok(Finished::Now(status))
}
