//! Building an AppContext, step by recorded step (docs/DESIGN.md §4): render the apps, resolve the generic
//! placement, call the placement controllers, select one cluster per group, call the action controllers, and
//! write the context. Each controller's answer is stored before it is used, so a resumed saga replays it
//! instead of calling the controller again; rendering and resolving have no effect outside the engine and are
//! simply redone on resume. A failed build writes what it had, with status `InstantiateFailed` and the reason,
//! so the failure can be inspected.

use std::collections::{BTreeMap, BTreeSet};

use canopy_schemas::DigState;
use canopy_schemas::controller::{
    DigIdentity, FilterRequest, FilterResponse, UpdateRequest, UpdateResponse,
};
use canopy_schemas::name::{ClusterProviderName, ClusterRef};
use canopy_schemas::proto::controller::v1 as pb;
use canopy_schemas::rest::dig::{AppIntent, Dig};
use canopy_schemas::rest::logical_cloud::{ClusterReference, LogicalCloud};

use super::controllers::{self, Call, decode, get, key_of, list};
use super::progress::{Progress, Step};
use super::{Parts, StepError, cloud, retrying};
use crate::appcontext::{self, App, AppContext, ContextKeys, Meta, Placement, State, Status};
use crate::lifecycle::record::{DigRecord, Work, WorkKind};
use crate::lifecycle::{DigId, Target};
use crate::scheduler::{catalog, edits, render, resolve, select};
use crate::store::key;

/// Builds and writes the AppContext of `work` for `target`, resuming from the recorded progress.
pub async fn build(parts: &Parts, target: &Target, work: &Work) -> Result<(), StepError> {
    let keys = ContextKeys::new(work.context);
    let mut progress = load_progress(parts, &keys, work.kind).await?;
    if progress.is_done(Step::Write) {
        return Ok(());
    }
    let mut partial = None;
    let composed = match target {
        Target::Cloud(c) => cloud::compose(parts, c, work).await,
        Target::Dig(d) => compose(parts, d, work, &mut progress, &mut partial).await,
    };
    let ctx = match composed {
        Ok(ctx) => ctx,
        Err(e) => {
            if let Some(ctx) = partial {
                let status = Status {
                    state: State::InstantiateFailed,
                    reason: Some(e.to_string()),
                };
                if let Err(w) = appcontext::write_as(parts.ctx.as_ref(), &ctx, &status).await {
                    tracing::error!(context = %work.context, error = %w, "writing the failed AppContext");
                }
            }
            return Err(e);
        }
    };
    retrying(&parts.config, target, || async {
        appcontext::write(parts.ctx.as_ref(), &ctx)
            .await
            .map(|_| ())
            .map_err(|e| StepError::of(Step::Write, &e, e.is_retryable()))
    })
    .await?;
    mark(parts, &keys, &mut progress, Step::Write).await
}

async fn load_progress(
    parts: &Parts,
    keys: &ContextKeys,
    kind: WorkKind,
) -> Result<Progress, StepError> {
    Progress::load(parts.ctx.as_ref(), keys)
        .await
        .map(|p| p.unwrap_or_else(|| Progress::new(kind)))
        .map_err(|e| StepError::of(Step::Render, &e, e.is_retryable()))
}

async fn mark(
    parts: &Parts,
    keys: &ContextKeys,
    progress: &mut Progress,
    step: Step,
) -> Result<(), StepError> {
    progress
        .mark(parts.ctx.as_ref(), keys, step)
        .await
        .map_err(|e| StepError::of(step, &e, e.is_retryable()))
}

/// Everything the DIG's build reads once.
pub(super) struct Inputs {
    /// The DIG's body.
    pub dig: Dig,
    /// The logical cloud's namespace.
    pub namespace: String,
    /// The logical cloud's clusters.
    pub allowed: BTreeSet<ClusterRef>,
    /// The DIG as controllers see it.
    pub identity: DigIdentity,
}

pub(super) async fn inputs(parts: &Parts, d: &DigId, work: &Work) -> Result<Inputs, StepError> {
    let step = Step::Render;
    let names = [
        d.project.as_str(),
        d.composite_app.as_str(),
        d.version.as_str(),
        d.dig.as_str(),
    ];
    let dig_key = key_of(&key::DIG, &names, step)?;
    let record = get(parts, &dig_key, step).await?.ok_or_else(|| {
        StepError::terminal(
            step,
            format!("deployment intent group {} no longer exists", d.dig),
        )
    })?;
    let dig: Dig = decode(step, &record)?;
    let lc_key = key_of(
        &key::LOGICAL_CLOUD,
        &[d.project.as_str(), &dig.spec.logical_cloud],
        step,
    )?;
    let lc_record = get(parts, &lc_key, step).await?.ok_or_else(|| {
        StepError::terminal(
            step,
            format!("logical cloud {} no longer exists", dig.spec.logical_cloud),
        )
    })?;
    let lc: LogicalCloud = decode(step, &lc_record)?;
    let namespace = if lc.spec.namespace.is_empty() {
        cloud::DEFAULT_NAMESPACE.to_owned()
    } else {
        lc.spec.namespace.clone()
    };
    let mut allowed = BTreeSet::new();
    for r in list(parts, &key::LC_CLUSTER_REF, &lc_key, step).await? {
        let reference: ClusterReference = decode(step, &r)?;
        let cluster = format!(
            "{}+{}",
            reference.spec.cluster_provider, reference.spec.cluster
        )
        .parse()
        .map_err(|e| StepError::terminal(step, format!("cluster reference {}: {e}", r.key)))?;
        allowed.insert(cluster);
    }
    let identity = DigIdentity {
        project: d.project.clone(),
        composite_app: d.composite_app.clone(),
        composite_app_version: d.version.clone(),
        dig: d.dig.clone(),
        app_context_id: work.context,
        revision: work.revision,
        namespace: namespace.clone(),
        logical_cloud: dig
            .spec
            .logical_cloud
            .parse()
            .map_err(|e| StepError::terminal(step, format!("spec.logicalCloud: {e}")))?,
        release: dig.spec.version.clone(),
    };
    Ok(Inputs {
        dig,
        namespace,
        allowed,
        identity,
    })
}

async fn compose(
    parts: &Parts,
    d: &DigId,
    work: &Work,
    progress: &mut Progress,
    partial: &mut Option<AppContext>,
) -> Result<AppContext, StepError> {
    let keys = ContextKeys::new(work.context);
    let inputs = inputs(parts, d, work).await?;

    // 1. Render.
    let rendered = render::render_apps(
        parts.store.as_ref(),
        render::Request {
            project: &d.project,
            composite_app: &d.composite_app,
            version: &d.version,
            dig: &inputs.dig.spec,
            namespace: &inputs.namespace,
        },
    )
    .await
    .map_err(|e| StepError::of(Step::Render, &e, e.is_retryable()))?;
    let mut ctx = AppContext {
        id: work.context,
        meta: Meta {
            project: d.project.clone(),
            composite_app: d.composite_app.clone(),
            version: d.version.clone(),
            dig: d.dig.clone(),
            revision: work.revision,
            namespace: inputs.namespace.clone(),
            logical_cloud: Some(inputs.identity.logical_cloud.clone()),
            for_cloud: false,
        },
        apps: rendered
            .iter()
            .map(|r| App {
                name: r.name.clone(),
                depends_on: r.depends_on.clone(),
                placement: Placement::default(),
                clusters: BTreeMap::new(),
            })
            .collect(),
    };
    *partial = Some(ctx.clone());
    mark(parts, &keys, progress, Step::Render).await?;

    // 2. Resolve the generic placement.
    let named = controllers::named(parts, d, Step::Resolve).await?;
    let providers: BTreeSet<ClusterProviderName> =
        inputs.allowed.iter().map(|c| c.provider.clone()).collect();
    let providers: Vec<ClusterProviderName> = providers.into_iter().collect();
    let mut catalog = catalog::load(parts.store.as_ref(), &providers)
        .await
        .map_err(|e| StepError::of(Step::Resolve, &e, e.is_retryable()))?;
    catalog::set_placed_apps(&mut catalog, &placed_apps(parts).await?);
    let intents = app_intents(parts, d, named.generic_placement.as_deref()).await?;
    let app_names: Vec<_> = rendered.iter().map(|r| r.name.clone()).collect();
    let candidates = resolve::resolve(&app_names, &intents, &catalog, Some(&inputs.allowed))
        .map_err(|e| StepError::of(Step::Resolve, &e, e.is_retryable()))?;
    mark(parts, &keys, progress, Step::Resolve).await?;

    // 3. Placement controllers, by priority.
    let mut scores = select::Scores::new(candidates);
    for (i, call) in named.placement.iter().enumerate() {
        let request = FilterRequest {
            dig: inputs.identity.clone(),
            intent: call.intent.clone(),
            apps: scores.candidates().to_vec(),
        };
        let answer = answer::<FilterResponse, pb::FilterClustersResponse, _, _>(
            parts,
            &keys,
            Step::Placement,
            i,
            call,
            || async {
                parts
                    .remote
                    .filter_clusters(&call.info, request.clone())
                    .await
            },
        )
        .await?;
        scores
            .apply(&call.info.name, &answer)
            .map_err(|e| StepError::of(Step::Placement, &e, false))?;
    }
    mark(parts, &keys, progress, Step::Placement).await?;

    // 4. One cluster per group, by score.
    let selected = scores
        .select()
        .map_err(|e| StepError::of(Step::Select, &e, false))?;
    let mut placements: BTreeMap<_, _> = selected.into_iter().collect();
    for (app, r) in ctx.apps.iter_mut().zip(&rendered) {
        let placement = placements.remove(&app.name).unwrap_or_default();
        for placed in &placement.clusters {
            app.clusters
                .insert(placed.cluster.clone(), r.manifests.clone());
        }
        app.placement = placement;
    }
    *partial = Some(ctx.clone());
    mark(parts, &keys, progress, Step::Select).await?;

    // 5. Action controllers, by priority; each one's edits apply all or none.
    for (i, call) in named.action.iter().enumerate() {
        let apps = edits::app_resources(&ctx, &catalog)
            .map_err(|e| StepError::of(Step::Action, &e, false))?;
        let request = UpdateRequest {
            dig: inputs.identity.clone(),
            intent: call.intent.clone(),
            apps,
            update_from: work.from,
        };
        let answer = answer::<UpdateResponse, pb::UpdateAppContextResponse, _, _>(
            parts,
            &keys,
            Step::Action,
            i,
            call,
            || async {
                parts
                    .remote
                    .update_app_context(&call.info, request.clone())
                    .await
            },
        )
        .await?;
        edits::apply(&mut ctx, &call.info.name, &answer.edits, &catalog)
            .map_err(|e| StepError::of(Step::Action, &e, false))?;
        *partial = Some(ctx.clone());
    }
    mark(parts, &keys, progress, Step::Action).await?;
    Ok(ctx)
}

/// The `n`-th controller's answer for `step`: replayed when stored, otherwise asked for (with retries) and
/// stored before it is used.
async fn answer<T, M, F, Fut>(
    parts: &Parts,
    keys: &ContextKeys,
    step: Step,
    n: usize,
    call: &Call,
    ask: F,
) -> Result<T, StepError>
where
    T: Clone + TryFrom<M>,
    <T as TryFrom<M>>::Error: std::error::Error + 'static,
    M: prost::Message + Default + From<T>,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, crate::remote::CallError>>,
{
    let key = keys.saga_answer(step.as_str(), n);
    let stored = parts
        .ctx
        .get(&key)
        .await
        .map_err(|e| StepError::of(step, &e, e.is_retryable()))?;
    if let Some(kv) = stored {
        let message = M::decode(kv.value.as_slice())
            .map_err(|e| StepError::terminal(step, format!("stored answer {key}: {e}")))?;
        return T::try_from(message).map_err(|e| StepError::of(step, &e, false));
    }
    let value = retrying(&parts.config, &call.info.name, || async {
        ask().await.map_err(|e| {
            let retryable = e.is_retryable();
            StepError::of(step, &e, retryable)
        })
    })
    .await?;
    let bytes = M::from(value.clone()).encode_to_vec();
    parts
        .ctx
        .put(&key, bytes)
        .await
        .map_err(|e| StepError::of(step, &e, e.is_retryable()))?;
    Ok(value)
}

/// The app intents of the DIG's generic placement intent.
async fn app_intents(
    parts: &Parts,
    d: &DigId,
    gpi: Option<&str>,
) -> Result<Vec<AppIntent>, StepError> {
    let step = Step::Resolve;
    let Some(gpi) = gpi else {
        return Err(StepError::terminal(
            step,
            "no DIG intent names a genericPlacementIntent, so no app has a placement",
        ));
    };
    let names = [
        d.project.as_str(),
        d.composite_app.as_str(),
        d.version.as_str(),
        d.dig.as_str(),
        gpi,
    ];
    let gkey = key_of(&key::PLACEMENT_INTENT, &names, step)?;
    if get(parts, &gkey, step).await?.is_none() {
        return Err(StepError::terminal(
            step,
            format!("generic placement intent {gpi}, named by the DIG intents, does not exist"),
        ));
    }
    list(parts, &key::APP_INTENT, &gkey, step)
        .await?
        .iter()
        .map(|r| decode(step, r))
        .collect()
}

/// How many canopy apps each cluster runs now: every app of every deployed AppContext.
async fn placed_apps(parts: &Parts) -> Result<BTreeMap<ClusterRef, u64>, StepError> {
    let step = Step::Resolve;
    let err = |e: &(dyn std::error::Error + 'static), r: bool| StepError::of(step, e, r);
    let mut placed = BTreeMap::new();
    let records = parts
        .ctx
        .range(&appcontext::keys::digs())
        .await
        .map_err(|e| err(&e, e.is_retryable()))?;
    for kv in records.kvs {
        let record = DigRecord::decode(&kv.key, &kv.value).map_err(|e| err(&e, false))?;
        // A terminated DIG keeps the id of the context rsync uninstalled; it runs nothing now.
        let Some(context) = record
            .deployed
            .filter(|_| record.state != DigState::Terminated)
        else {
            continue;
        };
        let reader = match appcontext::Reader::open(parts.ctx.as_ref(), context).await {
            Ok(r) => r,
            Err(appcontext::Error::Incomplete(_)) => continue,
            Err(e) => return Err(err(&e, e.is_retryable())),
        };
        for (app, _) in reader.apps().await.map_err(|e| err(&e, e.is_retryable()))? {
            let placement = reader
                .placement(&app)
                .await
                .map_err(|e| err(&e, e.is_retryable()))?;
            for p in placement.clusters {
                *placed.entry(p.cluster).or_default() += 1;
            }
        }
    }
    Ok(placed)
}

/// Records a failed saga in its progress and, when its context was already written, in the context's status.
pub async fn record_failure(
    parts: &Parts,
    _target: &Target,
    work: &Work,
    error: &StepError,
) -> crate::lifecycle::Result<()> {
    if matches!(work.kind, WorkKind::Rollback | WorkKind::Terminate) {
        return Ok(());
    }
    let keys = ContextKeys::new(work.context);
    let mut progress = Progress::load(parts.ctx.as_ref(), &keys)
        .await?
        .unwrap_or_else(|| Progress::new(work.kind));
    let step = progress.done.last().map_or(Step::Render, |d| d.step);
    progress.failed = Some((step, error.to_string()));
    progress.save(parts.ctx.as_ref(), &keys).await?;
    if progress.is_done(Step::Write) {
        let status = Status {
            state: State::InstantiateFailed,
            reason: Some(error.to_string()),
        };
        let value =
            rmp_serde::to_vec_named(&status).map_err(|source| crate::lifecycle::Error::Encode {
                key: keys.status(),
                source,
            })?;
        parts.ctx.put(&keys.status(), value).await?;
    }
    Ok(())
}
