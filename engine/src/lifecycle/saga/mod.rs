//! The sagas that carry out accepted operations (docs/DESIGN.md §4). One task per DIG or logical cloud; each
//! step records its completion in the context store ([`progress`]), so that [`Runner::resume_all`] in a
//! restarted engine continues every unfinished saga from its last recorded step.
//!
//! A saga ends with one compare-and-swap transaction that moves the target out of `Instantiating` or
//! `Terminating`, together with its event. That transaction only commits while the record still names the
//! saga's work: a saga that was stopped, or overtaken by a newer operation, ends without touching anything.
//!
//! - [`progress`]: the steps done, and the answers of the controllers;
//! - [`build`]: instantiate and update: render, resolve, placement, select, action, write;
//! - [`cloud`]: the AppContext of a logical cloud (its namespace and quotas on every referenced cluster);
//! - [`controllers`]: the controllers a DIG names, in call order, with their intents;
//! - [`handoff`]: the calls to rsync and the controllers' `PostEvent`;
//! - [`finish`]: the final transition.

pub mod build;
pub mod cloud;
pub mod controllers;
pub mod finish;
pub mod handoff;
pub mod progress;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::AbortHandle;

use super::record::{DigRecord, Work};
use super::{Result, Target};
use crate::context::ContextStore;
use crate::remote::Remote;
use crate::store::ResourceStore;
use canopy_schemas::DigState;

pub use progress::{Progress, Step};

/// How sagas retry.
#[derive(Clone, Debug)]
pub struct Config {
    /// How many times a step that failed with a retryable error is tried in all.
    pub step_attempts: u32,
    /// The first delay before a retry; it doubles up to `backoff_cap`.
    pub backoff_base: Duration,
    /// The longest delay between two tries.
    pub backoff_cap: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            step_attempts: 5,
            backoff_base: Duration::from_millis(200),
            backoff_cap: Duration::from_secs(5),
        }
    }
}

/// A step failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{step} step failed: {message}")]
pub struct StepError {
    /// The step.
    pub step: &'static str,
    /// What failed, naming the controller, app or cluster.
    pub message: String,
    /// True when trying the step again may succeed.
    pub retryable: bool,
}

impl StepError {
    /// A failure of `step` that retrying will not fix.
    pub fn terminal(step: Step, message: impl Into<String>) -> Self {
        Self {
            step: step.as_str(),
            message: message.into(),
            retryable: false,
        }
    }

    /// A failure of `step` from an error that says whether a retry helps.
    pub fn of(step: Step, e: &(dyn std::error::Error + 'static), retryable: bool) -> Self {
        Self {
            step: step.as_str(),
            message: chain(e),
            retryable,
        }
    }
}

/// `e` with its sources, `: `-separated.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

/// What every saga uses.
pub struct Parts {
    /// The context store.
    pub ctx: Arc<dyn ContextStore>,
    /// The resource store (intents, charts, clusters, controllers).
    pub store: Arc<dyn ResourceStore>,
    /// Calls to controllers and rsync.
    pub remote: Arc<Remote>,
    /// Retry policy.
    pub config: Config,
}

/// Runs sagas: one task per target at a time.
#[derive(Clone)]
pub struct Runner {
    parts: Arc<Parts>,
    tasks: Arc<Mutex<HashMap<Target, AbortHandle>>>,
}

impl Runner {
    /// A runner over `parts`.
    pub fn new(parts: Parts) -> Self {
        Self {
            parts: Arc::new(parts),
            tasks: Arc::default(),
        }
    }

    /// What the sagas use.
    pub fn parts(&self) -> &Arc<Parts> {
        &self.parts
    }

    /// Starts the saga for `work` on `target`, replacing any saga still running for it.
    pub fn start(&self, target: Target, work: Work) {
        let parts = self.parts.clone();
        let tasks = self.tasks.clone();
        let key = target.clone();
        let mut guard = self.tasks.lock().expect("the task table is never poisoned");
        if let Some(old) = guard.remove(&key) {
            old.abort();
        }
        let handle = tokio::spawn(async move {
            run(&parts, &target, work).await;
            // Forget this task, not a newer one started for the same target since.
            let me = tokio::task::id();
            let mut tasks = tasks.lock().expect("the task table is never poisoned");
            if tasks.get(&target).is_some_and(|t| t.id() == me) {
                tasks.remove(&target);
            }
        });
        guard.insert(key, handle.abort_handle());
    }

    /// Stops the saga running for `target`, if any. Its recorded steps stay.
    pub fn cancel(&self, target: &Target) {
        if let Some(task) = self
            .tasks
            .lock()
            .expect("the task table is never poisoned")
            .remove(target)
        {
            task.abort();
        }
    }

    /// Stops every saga, as a dying engine would; a runner on the same stores resumes them.
    pub fn abort_all(&self) {
        for (_, task) in self
            .tasks
            .lock()
            .expect("the task table is never poisoned")
            .drain()
        {
            task.abort();
        }
    }

    /// How many sagas are running.
    pub fn running(&self) -> usize {
        self.tasks
            .lock()
            .expect("the task table is never poisoned")
            .len()
    }

    /// Starts every saga that a previous engine left unfinished; returns how many.
    pub async fn resume_all(&self) -> Result<usize> {
        let mut resumed = 0;
        for prefix in [
            crate::appcontext::keys::digs(),
            crate::appcontext::keys::logical_clouds(),
        ] {
            for kv in self.parts.ctx.range(&prefix).await?.kvs {
                let Some(target) = Target::from_key(&kv.key) else {
                    tracing::warn!(key = %kv.key, "a runtime-state key that names no DIG or logical cloud");
                    continue;
                };
                let record = DigRecord::decode(&kv.key, &kv.value)?;
                if let (Some(work), DigState::Instantiating | DigState::Terminating) =
                    (record.work, record.state)
                {
                    tracing::info!(%target, context = %work.context, kind = ?work.kind, "resuming saga");
                    self.start(target, work);
                    resumed += 1;
                }
            }
        }
        Ok(resumed)
    }
}

/// One saga, start to end.
async fn run(parts: &Parts, target: &Target, work: Work) {
    let outcome = match work.kind {
        super::WorkKind::Instantiate | super::WorkKind::Update => {
            match build::build(parts, target, &work).await {
                Ok(()) => handoff::handoff(parts, target, &work).await,
                Err(e) => Err(e),
            }
        }
        super::WorkKind::Rollback => handoff::handoff(parts, target, &work).await,
        super::WorkKind::Terminate => handoff::terminate(parts, target, &work).await,
    };
    if let Err(e) = &outcome {
        tracing::warn!(%target, context = %work.context, error = %e, "saga failed");
        if let Err(record_error) = build::record_failure(parts, target, &work, e).await {
            tracing::error!(%target, error = %record_error, "recording the saga's failure");
        }
    }
    let mut delay = parts.config.backoff_base;
    loop {
        match finish::finish(parts, target, &work, outcome.as_ref().map(|_| ())).await {
            Ok(()) => break,
            Err(e) if e.is_retryable() => {
                tracing::warn!(%target, error = %e, "finishing the saga; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(parts.config.backoff_cap);
            }
            Err(e) => {
                tracing::error!(%target, error = %e, "finishing the saga");
                break;
            }
        }
    }
}

/// Runs `step` until it succeeds, fails for good, or has used up its attempts; `what` names it in logs.
pub async fn retrying<T, F, Fut>(
    config: &Config,
    what: &(dyn std::fmt::Display + Sync),
    mut step: F,
) -> Result<T, StepError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StepError>>,
{
    let mut delay = config.backoff_base;
    let mut attempt = 1;
    loop {
        match step().await {
            Err(e) if e.retryable && attempt < config.step_attempts => {
                tracing::warn!(%what, attempt, error = %e, "retryable failure; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(config.backoff_cap);
                attempt += 1;
            }
            other => return other,
        }
    }
}
