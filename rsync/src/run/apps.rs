//! The apps of one task on its cluster: installed (or updated) concurrently, each after its
//! dependencies; uninstalled concurrently, each after its dependents; or read back. Each app's status is
//! written as it goes.

use std::sync::Arc;

use canopy_engine::appcontext::{
    AppProgress, Connectivity, ContextKeys, Manifests, Phase, ResourceProgress,
};
use canopy_schemas::name::{AppName, ClusterRef};
use canopy_schemas::{ContextId, Timestamp};
use futures::future::join_all;
use tokio_util::sync::CancellationToken;

use super::collect::Collect;
use super::deps::{self, Blocked};
use super::plan::{AppPlan, ContextPlan};
use crate::cluster::{ApplyError, app};
use crate::monitor::{Watched, apply_readiness, deployment_id};
use crate::op::Outcome;
use crate::runtime::Runtime;
use crate::status::Slot;

/// How long an app's sequence runs before its status shows `Applying` (or `Deleting`).
pub const MARK_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// What one app's sequence came to.
pub enum AppResult {
    /// Done.
    Done,
    /// Failed for good on this cluster.
    Failed(String),
}

/// What the apps of a task came to: an outcome for the cluster, or an error to retry the task on.
pub type TaskResult = Result<Outcome, ApplyError>;

/// One task's apps on one cluster.
pub struct Apps<'a> {
    /// The runtime.
    pub rt: &'a Runtime,
    /// The cluster.
    pub cluster: &'a ClusterRef,
    /// Its watched handle.
    pub watched: &'a Arc<Watched>,
    /// The task's cancellation.
    pub cancel: &'a CancellationToken,
    /// The apps' status keys are expected to have no value yet: the first attempt of an install or update
    /// of a context (its keys are new). Their first write then skips the read before its swap.
    pub fresh: bool,
}

fn seed(manifests: &Manifests) -> impl Fn() -> AppProgress + '_ {
    move || AppProgress {
        phase: Phase::Pending,
        connectivity: Default::default(),
        last_error: None,
        resources: manifests
            .resources
            .iter()
            .map(ResourceProgress::pending)
            .collect(),
        updated_at: Timestamp::now(),
    }
}

/// Combines the apps' results into the cluster's.
fn combine(results: Vec<Result<AppResult, ApplyError>>) -> TaskResult {
    let mut failed = Vec::new();
    let mut stopped = false;
    let mut retry = None;
    for r in results {
        match r {
            Ok(AppResult::Done) => {}
            Ok(AppResult::Failed(why)) => failed.push(why),
            Err(ApplyError::Cancelled(_)) => stopped = true,
            Err(e) => retry = Some(e),
        }
    }
    if stopped {
        return Ok(Outcome::Stopped);
    }
    if let Some(e) = retry {
        return Err(e);
    }
    if failed.is_empty() {
        Ok(Outcome::Done)
    } else {
        Ok(Outcome::Failed(failed.join("; ")))
    }
}

impl Apps<'_> {
    fn slot(&self, ctx: ContextId, app: &AppName) -> Slot {
        Slot {
            ctx,
            cluster: self.cluster.clone(),
            app: app.clone(),
        }
    }

    /// Writes a change to the app's status. `first` says this is the app's first write in this task.
    async fn set(
        &self,
        ctx: ContextId,
        app: &AppPlan,
        first: bool,
        change: impl FnMut(&mut AppProgress),
    ) -> Result<AppProgress, ApplyError> {
        let slot = self.slot(ctx, &app.name);
        let written = if first && self.fresh {
            self.rt
                .status
                .create_or_update(&slot, seed(&app.manifests), change)
                .await
        } else {
            self.rt
                .status
                .update(&slot, seed(&app.manifests), change, Vec::new())
                .await
        };
        written.map_err(|e| {
            if e.retryable {
                ApplyError::Retryable(e.to_string())
            } else {
                ApplyError::Terminal(e.to_string())
            }
        })
    }

    /// Installs every app of `plan` on the cluster. With `old`, this is an update from `old`: apps in
    /// both are updated make before break, apps only in `plan` installed, and apps only in `old` deleted
    /// once the others are done.
    pub async fn install(&self, plan: &ContextPlan, old: Option<&ContextPlan>) -> TaskResult {
        // A retryable failure of one app aborts its siblings (an app waiting for it would wait forever),
        // and the whole task is tried again.
        let abort = self.cancel.child_token();
        let results = join_all(
            plan.apps
                .iter()
                .map(|a| self.install_app(plan, a, old, &abort)),
        )
        .await;
        let outcome = combine(results)?;
        let Some(old) = old else {
            return Ok(outcome);
        };
        if outcome != Outcome::Done {
            return Ok(outcome);
        }
        let gone: Vec<&AppPlan> = old
            .apps
            .iter()
            .filter(|a| plan.app(&a.name).is_none())
            .collect();
        let abort = self.cancel.child_token();
        let results = join_all(gone.into_iter().map(|a| self.uninstall_app(old, a, &abort))).await;
        combine(results)
    }

    async fn install_app(
        &self,
        plan: &ContextPlan,
        a: &AppPlan,
        old: Option<&ContextPlan>,
        abort: &CancellationToken,
    ) -> Result<AppResult, ApplyError> {
        let ctx = plan.ctx;
        match deps::before_install(self.rt, plan, self.cluster, &a.name, abort).await {
            Ok(()) => {}
            Err(Blocked::Cancelled) => return Err(self.cancelled(ctx, a).await),
            Err(Blocked::Failed(why)) => {
                self.set(ctx, a, true, |p| {
                    p.phase = Phase::Failed;
                    p.last_error = Some(why.clone());
                })
                .await?;
                return Ok(AppResult::Failed(why));
            }
        }
        let id = deployment_id(ctx, &a.name);
        let report = Collect::default();
        let previous = old.and_then(|o| o.app(&a.name));
        if previous.is_some() {
            self.rt
                .monitor
                .unregister(self.cluster, prev_ctx(old), &a.name);
        }
        let work = async {
            match previous {
                Some(prev) => app::update(
                    self.watched.watches(),
                    &prev.manifests,
                    &a.manifests,
                    &id,
                    &report,
                    abort,
                )
                .await
                .map(drop),
                None => {
                    app::install(self.watched.cluster(), &a.manifests, &id, &report, abort).await
                }
            }
        };
        let (result, marked) = self.marked(ctx, a, work, Phase::Applying).await?;
        let stopped = self.cancel.is_cancelled();
        let outcome = self.outcome(a, &result, stopped, abort);
        if result.is_ok() {
            // Followed before the write below, which records the readiness known at that moment; every
            // change after it is the monitor's to record.
            self.watched
                .follow(ctx, a.name.clone(), a.manifests.clone(), id)
                .await;
        }
        let written = self
            .set(ctx, a, !marked, |p| {
                report.fold_into(p);
                record_result(p, &result, stopped, |p| {
                    p.phase = Phase::Applied;
                    apply_readiness(p, &self.watched.readiness(ctx, &a.name));
                });
            })
            .await?;
        if result.is_ok() {
            self.watched.catch_up(ctx, &a.name, written);
        }
        outcome
    }

    /// Runs `work`; when it takes longer than [`MARK_AFTER`], `phase` (`Applying` or `Deleting`) is written
    /// into the app's status while the work goes on. Most apps are done sooner, and their
    /// status then goes from its previous phase straight to the result, in one write instead of two.
    /// Returns the work's result, and whether the marker was written.
    async fn marked<T>(
        &self,
        ctx: ContextId,
        a: &AppPlan,
        work: impl Future<Output = T>,
        phase: Phase,
    ) -> Result<(T, bool), ApplyError> {
        let mut work = std::pin::pin!(work);
        tokio::select! {
            done = &mut work => Ok((done, false)),
            () = tokio::time::sleep(MARK_AFTER) => {
                self.set(ctx, a, true, |p| {
                    p.phase = phase;
                    p.connectivity = Connectivity::Available;
                    p.last_error = None;
                })
                .await?;
                Ok((work.await, true))
            }
        }
    }

    /// What an app's sequence result means for the task. A retryable failure aborts the app's siblings.
    fn outcome(
        &self,
        a: &AppPlan,
        result: &Result<(), ApplyError>,
        stopped: bool,
        abort: &CancellationToken,
    ) -> Result<AppResult, ApplyError> {
        match result {
            Ok(()) => Ok(AppResult::Done),
            Err(ApplyError::Terminal(why)) => Ok(AppResult::Failed(format!("{}: {why}", a.name))),
            Err(ApplyError::Cancelled(_)) if !stopped => Err(aborted(a)),
            Err(e) => {
                if e.is_retryable() {
                    abort.cancel();
                }
                Err(e.clone())
            }
        }
    }

    /// The error of an app whose wait was cancelled: a stop (recorded as `Stopped`), or the abort of the
    /// task because a sibling app must be retried (recorded as nothing).
    async fn cancelled(&self, ctx: ContextId, a: &AppPlan) -> ApplyError {
        if !self.cancel.is_cancelled() {
            return aborted(a);
        }
        if let Err(e) = self.set(ctx, a, false, |p| p.phase = Phase::Stopped).await {
            return e;
        }
        ApplyError::Cancelled(format!("{} was stopped", a.name))
    }

    /// Uninstalls every app of `plan` on the cluster, each after its dependents.
    pub async fn uninstall(&self, plan: &ContextPlan) -> TaskResult {
        let abort = self.cancel.child_token();
        let results = join_all(
            plan.apps
                .iter()
                .map(|a| self.uninstall_app(plan, a, &abort)),
        )
        .await;
        combine(results)
    }

    async fn uninstall_app(
        &self,
        plan: &ContextPlan,
        a: &AppPlan,
        abort: &CancellationToken,
    ) -> Result<AppResult, ApplyError> {
        let ctx = plan.ctx;
        match deps::before_uninstall(self.rt, plan, self.cluster, &a.name, abort).await {
            Ok(()) => {}
            Err(Blocked::Cancelled) => return Err(self.cancelled(ctx, a).await),
            Err(Blocked::Failed(why)) => return Ok(AppResult::Failed(why)),
        }
        self.rt.monitor.unregister(self.cluster, ctx, &a.name);
        let report = Collect::default();
        let work = app::uninstall(self.watched.cluster(), &a.manifests, &report, abort);
        let (result, _) = self.marked(ctx, a, work, Phase::Deleting).await?;
        let stopped = self.cancel.is_cancelled();
        let outcome = self.outcome(a, &result, stopped, abort);
        self.set(ctx, a, false, |p| {
            report.fold_into(p);
            record_result(p, &result, stopped, |p| {
                p.phase = Phase::Deleted;
                for r in &mut p.resources {
                    r.deployed = canopy_engine::appcontext::Deployed::Deleted;
                    r.ready = canopy_engine::appcontext::Ready::NotPresent;
                }
            });
        })
        .await?;
        outcome
    }

    /// Reads every resource of every app back and stores the live objects at `live/<cluster>/<app>`
    /// (a JSON array, `null` for a missing object).
    pub async fn read(&self, plan: &ContextPlan) -> TaskResult {
        for a in &plan.apps {
            let mut live = Vec::with_capacity(a.manifests.resources.len());
            for m in &a.manifests.resources {
                live.push(self.watched.cluster().get(m).await?);
            }
            let key = ContextKeys::new(plan.ctx).live(self.cluster, &a.name);
            let body = serde_json::to_vec(&live).expect("JSON values encode");
            self.rt
                .store
                .put(&key, body)
                .await
                .map_err(|e| ApplyError::Retryable(format!("storing live objects: {e}")))?;
        }
        Ok(Outcome::Done)
    }
}

/// Writes a sequence's result into its app's status: `done` after success; `Failed` with the reason after a
/// terminal error; `Stopped` after a stop; the error after any other failure (the task is tried again).
fn record_result(
    p: &mut AppProgress,
    result: &Result<(), ApplyError>,
    stopped: bool,
    done: impl Fn(&mut AppProgress),
) {
    match result {
        Ok(()) => {
            p.connectivity = Connectivity::Available;
            p.last_error = None;
            done(p);
        }
        Err(ApplyError::Terminal(why)) => {
            p.phase = Phase::Failed;
            p.connectivity = Connectivity::Available;
            p.last_error = Some(why.clone());
        }
        Err(ApplyError::Cancelled(_)) if stopped => p.phase = Phase::Stopped,
        Err(ApplyError::Cancelled(_)) => {}
        Err(e) => p.last_error = Some(e.to_string()),
    }
}

/// The error of an app whose task is tried again because a sibling app failed in a retryable way.
fn aborted(a: &AppPlan) -> ApplyError {
    ApplyError::Retryable(format!(
        "{} waits for the next attempt: another app on the cluster must be retried",
        a.name
    ))
}

fn prev_ctx(old: Option<&ContextPlan>) -> ContextId {
    old.map(|o| o.ctx).expect("an update has an old context")
}
