//! Accepting a lifecycle operation: read the runtime state, check the transition table, and commit the new
//! state with its events in one compare-and-swap transaction; then start or stop the saga. Two requests that
//! race are serialised by the compare on the record's mod revision: the loser re-reads and re-checks.

use std::sync::Arc;

use canopy_schemas::{ContextId, DigState, Revision};
use serde::Serialize;

use super::record::{Answer, DigRecord, RevisionEntry, Work, WorkKind};
use super::saga::Runner;
use super::table::Operation;
use super::{Error, Result, Target};
use crate::appcontext::{self, ContextKeys, Reader};
use crate::context::{Compare, ContextStore, KeyValue, Op, Txn};
use crate::events::outbox::Outbox;

/// A lifecycle request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The operation.
    pub op: Operation,
    /// The client's `Idempotency-Key`, if any.
    pub idempotency_key: Option<String>,
    /// For rollback: the revision to go back to.
    pub rollback_to: Option<Revision>,
}

impl Request {
    /// A request for `op` with no key.
    pub fn new(op: Operation) -> Self {
        Self {
            op,
            idempotency_key: None,
            rollback_to: None,
        }
    }
}

/// The answer to an accepted request (202).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Accepted {
    /// The state the DIG is in now.
    pub state: DigState,
    /// The revision being made (instantiate, update, rollback) or terminated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<Revision>,
    /// The AppContext concerned (EMCO's `instance`), in decimal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// The DIG lifecycle over a context store.
#[derive(Clone)]
pub struct Lifecycle {
    ctx: Arc<dyn ContextStore>,
    runner: Runner,
}

impl Lifecycle {
    /// A lifecycle whose sagas run on `runner`.
    pub fn new(ctx: Arc<dyn ContextStore>, runner: Runner) -> Self {
        Self { ctx, runner }
    }

    /// The saga runner.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// The runtime state of `dig`, `Created` when it has none yet.
    pub async fn record(&self, dig: &Target) -> Result<DigRecord> {
        Ok(self.read(dig).await?.0)
    }

    async fn read(&self, dig: &Target) -> Result<(DigRecord, Option<KeyValue>)> {
        let key = dig.key();
        match self.ctx.get(&key).await? {
            Some(kv) => Ok((DigRecord::decode(&key, &kv.value)?, Some(kv))),
            None => Ok((DigRecord::default(), None)),
        }
    }

    /// Accepts `request` for `dig` (which the caller has checked exists), or says why not. `precheck` runs
    /// on the current record before the transition (the API uses it for the logical-cloud rule).
    pub async fn apply(&self, dig: &Target, request: &Request) -> Result<(Accepted, bool)> {
        loop {
            let (record, kv) = self.read(dig).await?;
            if let Some(key) = &request.idempotency_key
                && let Some(answer) = record.answer(key)
            {
                if answer.op != request.op {
                    return Err(Error::KeyReused {
                        key: key.clone(),
                        first: answer.op,
                        now: request.op,
                    });
                }
                let accepted = serde_json::from_str(&answer.body).map_err(|e| {
                    Error::Corrupt(format!("kept answer for Idempotency-Key {key:?}: {e}"))
                })?;
                return Ok((accepted, true));
            }
            let rsync_stop = self.rsync_stop(request.op, &record).await?;
            if rsync_stop.is_none() {
                request.op.check_for(dig.is_cloud(), record.state)?;
            }
            let (next, events, accepted, work) =
                self.transition(dig, record, request, rsync_stop).await?;
            let mut next = next;
            if let Some(key) = &request.idempotency_key {
                next.keep_answer(Answer {
                    key: key.clone(),
                    op: request.op,
                    status: 202,
                    body: serde_json::to_string(&accepted).expect("Accepted serialises"),
                });
            }
            let rkey = dig.key();
            let guard = match &kv {
                Some(kv) => Compare::mod_revision(rkey.clone(), kv.mod_revision),
                None => Compare::absent(rkey.clone()),
            };
            let mut txn = Txn::new()
                .when([guard])
                .and_then([Op::put(rkey.clone(), next.encode(&rkey)?)]);
            txn.success.extend(Outbox::stage_all(&events)?);
            if let Some(context) = rsync_stop {
                txn.success
                    .push(Op::put(ContextKeys::new(context).stop(), Vec::new()));
            }
            if !self.ctx.txn(txn).await?.succeeded {
                continue;
            }
            match (request.op, work) {
                (Operation::Stop, _) => self.runner.cancel(dig),
                (_, Some(work)) => self.runner.start(dig.clone(), work),
                _ => {}
            }
            return Ok((accepted, false));
        }
    }

    /// For a stop once the saga has handed the work to rsync (the DIG is `Instantiated` or `Terminated`
    /// and rsync is still working on its AppContext), the context whose stop flag to set. EMCO allows a
    /// stop only while the AppContext is `Instantiating` or `Terminating` (reference §5.4); canopy also
    /// stops an update in flight (`Instantiating` on the new context). `None` for any other request.
    async fn rsync_stop(&self, op: Operation, record: &DigRecord) -> Result<Option<ContextId>> {
        if op != Operation::Stop
            || !matches!(record.state, DigState::Instantiated | DigState::Terminated)
        {
            return Ok(None);
        }
        let Some(context) = record.deployed else {
            return Ok(None);
        };
        let state = match Reader::open(self.ctx.as_ref(), context).await {
            Ok(reader) => reader.status.state,
            Err(appcontext::Error::Incomplete(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let in_flight = match record.state {
            DigState::Instantiated => state == appcontext::State::Instantiating,
            _ => state == appcontext::State::Terminating,
        };
        Ok(in_flight.then_some(context))
    }

    /// The record after `request`, its events, the answer, and the saga to start. `rsync_stop` is the
    /// context rsync is asked to stop work on, for a stop after the hand-off.
    async fn transition(
        &self,
        dig: &Target,
        mut record: DigRecord,
        request: &Request,
        rsync_stop: Option<ContextId>,
    ) -> Result<(
        DigRecord,
        Vec<canopy_schemas::event::Event>,
        Accepted,
        Option<Work>,
    )> {
        let from = record.state;
        let mut events = Vec::new();
        let mut work = None;
        match request.op {
            Operation::Approve => {
                if from != DigState::Approved {
                    record.push(DigState::Approved, None, None, None);
                    events.push(dig.event(from, DigState::Approved, None, None, None));
                }
            }
            Operation::Instantiate | Operation::Update => {
                let revision = record.next_revision();
                let context = self.new_context().await?;
                let kind = if request.op == Operation::Update {
                    WorkKind::Update
                } else {
                    WorkKind::Instantiate
                };
                if kind == WorkKind::Update
                    && let Some(current) = record.current
                {
                    record.push(
                        DigState::Updated,
                        Some(current.context),
                        Some(current.revision),
                        None,
                    );
                    events.push(dig.event(
                        from,
                        DigState::Updated,
                        Some(current.revision),
                        Some(current.context),
                        None,
                    ));
                }
                let w = Work {
                    kind,
                    context,
                    revision,
                    from: if kind == WorkKind::Update {
                        record.deployed
                    } else {
                        None
                    },
                };
                record.revisions.push(RevisionEntry { revision, context });
                record.current = Some(RevisionEntry { revision, context });
                record.reason = None;
                let before = record.state;
                record.push(DigState::Instantiating, Some(context), Some(revision), None);
                events.push(dig.event(
                    before,
                    DigState::Instantiating,
                    Some(revision),
                    Some(context),
                    None,
                ));
                work = Some(w);
            }
            Operation::Rollback => {
                let target = request.rollback_to.unwrap_or(Revision::FIRST);
                let Some(context) = record.context_of(target) else {
                    return Err(Error::NoRevision {
                        target: dig.to_string(),
                        revision: target,
                        known: known_revisions(&record),
                    });
                };
                let revision = record.next_revision();
                if let Some(current) = record.current {
                    record.push(
                        DigState::Updated,
                        Some(current.context),
                        Some(current.revision),
                        None,
                    );
                    events.push(dig.event(
                        from,
                        DigState::Updated,
                        Some(current.revision),
                        Some(current.context),
                        None,
                    ));
                }
                // The new revision deploys the old revision's AppContext again: nothing is rebuilt.
                record.revisions.push(RevisionEntry { revision, context });
                record.current = Some(RevisionEntry { revision, context });
                record.reason = None;
                let w = Work {
                    kind: WorkKind::Rollback,
                    context,
                    revision,
                    from: record.deployed,
                };
                record.push(
                    DigState::Instantiating,
                    Some(context),
                    Some(revision),
                    Some(format!("rollback to revision {target}")),
                );
                events.push(dig.event(
                    DigState::Updated,
                    DigState::Instantiating,
                    Some(revision),
                    Some(context),
                    Some(&format!("rollback to revision {target}")),
                ));
                work = Some(w);
            }
            Operation::Terminate => {
                let current = record.current;
                let uninstall = self.handed_to_rsync(&record).await?;
                let context = uninstall.or(current.map(|c| c.context)).ok_or_else(|| {
                    Error::Corrupt(format!(
                        "{dig} is {from} but has no AppContext to terminate"
                    ))
                })?;
                let w = Work {
                    kind: WorkKind::Terminate,
                    context,
                    revision: current.map_or(Revision::FIRST, |c| c.revision),
                    from: uninstall,
                };
                record.reason = None;
                record.push(
                    DigState::Terminating,
                    Some(w.context),
                    Some(w.revision),
                    None,
                );
                events.push(dig.event(
                    from,
                    DigState::Terminating,
                    Some(w.revision),
                    Some(w.context),
                    None,
                ));
                work = Some(w);
            }
            Operation::Stop if rsync_stop.is_some() => {
                let to = Operation::Stop.target(from).expect("stop has a target");
                let reason = format!("stopped by request while rsync worked on {from}");
                let revision = record.current.map(|c| c.revision);
                record.reason = Some(reason.clone());
                record.push(to, rsync_stop, revision, Some(reason.clone()));
                events.push(dig.event(from, to, revision, rsync_stop, Some(&reason)));
            }
            Operation::Stop => {
                let to = Operation::Stop.target(from).expect("stop has a target");
                let w = record.work.take();
                let reason = format!("stopped by request while {from}");
                record.reason = Some(reason.clone());
                record.push(
                    to,
                    w.map(|w| w.context),
                    w.map(|w| w.revision),
                    Some(reason.clone()),
                );
                events.push(dig.event(
                    from,
                    to,
                    w.map(|w| w.revision),
                    w.map(|w| w.context),
                    Some(&reason),
                ));
            }
            Operation::Delete | Operation::Replace => {}
        }
        if work.is_some() {
            record.work = work;
        }
        let accepted = Accepted {
            state: record.state,
            revision: work
                .map(|w| w.revision)
                .or(record.current.map(|c| c.revision)),
            instance: work
                .map(|w| w.context)
                .or(record.current.map(|c| c.context))
                .map(|c| c.to_string()),
        };
        Ok((record, events, accepted, work))
    }

    /// The AppContext rsync holds for `record`: the current one when its saga handed it over (even if the
    /// saga was stopped before it could record the end), otherwise the one last deployed; none when nothing
    /// was ever handed to rsync.
    async fn handed_to_rsync(&self, record: &DigRecord) -> Result<Option<ContextId>> {
        if let Some(current) = record.current {
            let keys = appcontext::ContextKeys::new(current.context);
            let progress = super::saga::Progress::load(self.ctx.as_ref(), &keys).await?;
            if progress.is_some_and(|p| p.is_done(super::saga::Step::Handoff)) {
                return Ok(Some(current.context));
            }
        }
        Ok(record.deployed)
    }

    /// A fresh AppContext id: random and 63 bits wide, as EMCO's, and not in use.
    async fn new_context(&self) -> Result<ContextId> {
        loop {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).expect("the OS random source works");
            let id = ContextId::new(u64::from_le_bytes(bytes) >> 1);
            if id.get() == 0 {
                continue;
            }
            let prefix = appcontext::ContextKeys::new(id).prefix();
            if self.ctx.range(&prefix).await?.kvs.is_empty() {
                return Ok(id);
            }
        }
    }

    /// Checks that `dig` may be deleted: its state allows it and, once terminated, rsync has finished
    /// uninstalling its AppContext.
    pub async fn check_delete(&self, dig: &Target) -> Result<()> {
        let record = self.record(dig).await?;
        Operation::Delete.check_for(dig.is_cloud(), record.state)?;
        if record.state == DigState::Terminated
            && let Some(context) = record.deployed
        {
            let state = match Reader::open(self.ctx.as_ref(), context).await {
                Ok(reader) => reader.status.state,
                Err(appcontext::Error::Incomplete(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            if !state.is_terminated() {
                return Err(Error::StillTerminating {
                    target: dig.to_string(),
                    context,
                    state: state.as_str().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Removes the runtime state of a deleted DIG and every AppContext it made.
    pub async fn forget(&self, dig: &Target) -> Result<()> {
        let record = self.record(dig).await?;
        self.runner.cancel(dig);
        for entry in &record.revisions {
            appcontext::delete(self.ctx.as_ref(), entry.context).await?;
        }
        self.ctx.delete(&dig.key()).await?;
        Ok(())
    }
}

fn known_revisions(record: &DigRecord) -> String {
    if record.revisions.is_empty() {
        return "no revisions".to_owned();
    }
    let list: Vec<String> = record
        .revisions
        .iter()
        .map(|r| r.revision.to_string())
        .collect();
    format!("revisions {}", list.join(", "))
}
