//! The calls that end a saga's work: the hand-off to rsync (install, update, rollback, uninstall), the
//! action controllers' `TerminateAppContext` before an uninstall, and `PostEvent` after success.

use canopy_schemas::controller::{EventKind, EventRequest, TerminateRequest};
use canopy_schemas::rest::controller::{Controller, RSYNC};

use super::controllers::{self, decode, get, key_of};
use super::progress::{Progress, Step};
use super::{Parts, StepError, build, retrying};
use crate::appcontext::ContextKeys;
use crate::lifecycle::Target;
use crate::lifecycle::record::{Work, WorkKind};
use crate::remote::{ControllerInfo, Kind};
use crate::store::key;

/// rsync as registered under the name `rsync`.
async fn rsync(parts: &Parts) -> Result<ControllerInfo, StepError> {
    let step = Step::Handoff;
    let record = get(parts, &key_of(&key::CONTROLLER, &[RSYNC], step)?, step)
        .await?
        .ok_or_else(|| {
            StepError::terminal(
                step,
                "rsync is not registered: register it with POST /v2/controllers {\"metadata\":{\"name\":\"rsync\"},\"spec\":{\"host\":...,\"port\":...}}",
            )
        })?;
    let body: Controller = decode(step, &record)?;
    let info =
        ControllerInfo::try_from(&body).map_err(|e| StepError::terminal(step, super::chain(&e)))?;
    if info.kind != Kind::Rsync {
        return Err(StepError::terminal(
            step,
            "the controller registered as rsync has a spec.type; rsync registers with host and port only",
        ));
    }
    Ok(info)
}

/// Hands the AppContext of `work` to rsync: install it, or move rsync to it from `work.from`.
pub async fn handoff(parts: &Parts, target: &Target, work: &Work) -> Result<(), StepError> {
    let keys = ContextKeys::new(work.context);
    let mut progress = Progress::load(parts.ctx.as_ref(), &keys)
        .await
        .map_err(|e| StepError::of(Step::Handoff, &e, e.is_retryable()))?
        .unwrap_or_else(|| Progress::new(work.kind));
    if work.kind != WorkKind::Rollback && progress.is_done(Step::Handoff) {
        return Ok(());
    }
    let rsync = rsync(parts).await?;
    retrying(&parts.config, target, || async {
        let result = match (work.kind, work.from) {
            (WorkKind::Update, Some(from)) if from != work.context => {
                parts.remote.update_app(&rsync, from, work.context).await
            }
            (WorkKind::Rollback, Some(from)) if from != work.context => {
                parts.remote.rollback_app(&rsync, from, work.context).await
            }
            _ => parts.remote.install_app(&rsync, work.context).await,
        };
        result
            .map(|_| ())
            .map_err(|e| StepError::of(Step::Handoff, &e, e.is_retryable()))
    })
    .await?;
    if work.kind != WorkKind::Rollback {
        progress
            .mark(parts.ctx.as_ref(), &keys, Step::Handoff)
            .await
            .map_err(|e| StepError::of(Step::Handoff, &e, e.is_retryable()))?;
    }
    Ok(())
}

/// Terminates: the action controllers release what they hold, then rsync uninstalls the deployed context.
/// A target with nothing deployed (its only instantiate failed) has nothing to uninstall.
pub async fn terminate(parts: &Parts, target: &Target, work: &Work) -> Result<(), StepError> {
    let step = Step::Handoff;
    let Some(context) = work.from else {
        return Ok(());
    };
    if let Target::Dig(d) = target {
        let named = controllers::named(parts, d, step).await?;
        let inputs = build::inputs(parts, d, work).await?;
        for call in &named.action {
            let request = TerminateRequest {
                dig: inputs.identity.clone(),
                intent: call.intent.clone(),
            };
            retrying(&parts.config, &call.info.name, || async {
                parts
                    .remote
                    .terminate_app_context(&call.info, request.clone())
                    .await
                    .map(|_| ())
                    .map_err(|e| StepError::of(step, &e, e.is_retryable()))
            })
            .await?;
        }
    }
    let rsync = rsync(parts).await?;
    retrying(&parts.config, target, || async {
        parts
            .remote
            .uninstall_app(&rsync, context)
            .await
            .map(|_| ())
            .map_err(|e| StepError::of(step, &e, e.is_retryable()))
    })
    .await
}

/// Tells every action controller the DIG names that its work succeeded. As in EMCO, an answer that is not
/// OK is logged and changes nothing.
pub async fn post_event(parts: &Parts, target: &Target, work: &Work) {
    let Target::Dig(d) = target else {
        return;
    };
    let event = match work.kind {
        WorkKind::Instantiate => EventKind::Instantiate,
        WorkKind::Terminate => EventKind::Terminate,
        WorkKind::Update | WorkKind::Rollback => EventKind::Update,
    };
    let (named, inputs) = match (
        controllers::named(parts, d, Step::Handoff).await,
        build::inputs(parts, d, work).await,
    ) {
        (Ok(n), Ok(i)) => (n, i),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(%target, error = %e, "PostEvent not sent");
            return;
        }
    };
    for call in &named.action {
        let request = EventRequest {
            dig: inputs.identity.clone(),
            intent: call.intent.clone(),
            event,
        };
        if let Err(e) = parts.remote.post_event(&call.info, request).await {
            tracing::warn!(%target, controller = %call.info.name, error = %e, "PostEvent failed");
        }
    }
}
