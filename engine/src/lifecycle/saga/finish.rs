//! The end of a saga: one compare-and-swap transaction moves the target out of `Instantiating` or
//! `Terminating`, with its event, but only while the record still names this saga's work.

use canopy_schemas::DigState;

use super::{Parts, StepError, handoff};
use crate::context::{Compare, Op, Txn};
use crate::events::outbox::Outbox;
use crate::lifecycle::record::{DigRecord, Work, WorkKind};
use crate::lifecycle::table::outcome;
use crate::lifecycle::{Result, Target};

/// Records how the saga for `work` ended.
pub async fn finish(
    parts: &Parts,
    target: &Target,
    work: &Work,
    result: Result<(), &StepError>,
) -> Result<()> {
    let key = target.key();
    loop {
        let Some(kv) = parts.ctx.get(&key).await? else {
            return Ok(());
        };
        let mut record = DigRecord::decode(&key, &kv.value)?;
        let from = record.state;
        if record.work != Some(*work)
            || !matches!(from, DigState::Instantiating | DigState::Terminating)
        {
            tracing::info!(%target, context = %work.context, state = %from, "saga overtaken; its end is not recorded");
            return Ok(());
        }
        let to = outcome(from, result.is_ok());
        let reason = result.err().map(ToString::to_string);
        record.work = None;
        record.reason = reason.clone();
        match (work.kind, result.is_ok()) {
            (WorkKind::Terminate, true) => {
                record.deployed = work.from;
                record.status_context = None;
            }
            (WorkKind::Instantiate, true) => {
                record.deployed = Some(work.context);
                record.status_context = Some(work.context);
            }
            (WorkKind::Update | WorkKind::Rollback, true) => {
                record.deployed = Some(work.context);
                record.status_context.get_or_insert(work.context);
            }
            (_, false) => {}
        }
        record.push(to, Some(work.context), Some(work.revision), reason.clone());
        let event = target.event(
            from,
            to,
            Some(work.revision),
            Some(work.context),
            reason.as_deref(),
        );
        let txn = Txn::new()
            .when([Compare::mod_revision(key.clone(), kv.mod_revision)])
            .and_then([Op::put(key.clone(), record.encode(&key)?)]);
        if parts
            .ctx
            .txn(Outbox::stage_in(txn, &event)?)
            .await?
            .succeeded
        {
            tracing::info!(%target, context = %work.context, state = %to, "saga ended");
            if result.is_ok() {
                handoff::post_event(parts, target, work).await;
            }
            return Ok(());
        }
    }
}
