//! The DIG's runtime state in the context store (`/canopy/dig/<project>/<ca>/<version>/<dig>`, docs/DESIGN.md
//! §5): the current state, EMCO's action history, every revision with its AppContext, the work in flight,
//! and the answers kept for `Idempotency-Key`.

use canopy_schemas::{ContextId, DigState, Revision, Timestamp};
use serde::{Deserialize, Serialize};

use super::table::Operation;
use super::{Error, Result};
use crate::context::Key;

/// How many idempotent answers a DIG keeps; the oldest is forgotten first.
pub const MAX_ANSWERS: usize = 64;

/// The runtime state of one DIG. A DIG with no record is `Created`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigRecord {
    /// The current state.
    pub state: DigState,
    /// Every transition, oldest first: EMCO's `states.actions`.
    pub actions: Vec<Action>,
    /// Every revision ever made, oldest first. Revisions are never reused: a re-instantiate after terminate
    /// continues the count (EMCO restarts at 1, which makes rollback ambiguous).
    pub revisions: Vec<RevisionEntry>,
    /// The revision of the AppContext that is current (deployed, or being built).
    pub current: Option<RevisionEntry>,
    /// The AppContext rsync was last given and that has not been uninstalled, if any.
    pub deployed: Option<ContextId>,
    /// EMCO's `statusctxid`: the context of the first instantiate since the last terminate.
    pub status_context: Option<ContextId>,
    /// The saga in flight, when the state is `Instantiating` or `Terminating`.
    pub work: Option<Work>,
    /// Why the last saga failed or was stopped.
    pub reason: Option<String>,
    /// The answers of accepted lifecycle requests by `Idempotency-Key`, oldest first.
    pub answers: Vec<Answer>,
}

impl Default for DigRecord {
    fn default() -> Self {
        Self {
            state: DigState::Created,
            actions: Vec::new(),
            revisions: Vec::new(),
            current: None,
            deployed: None,
            status_context: None,
            work: None,
            reason: None,
            answers: Vec::new(),
        }
    }
}

/// One entry of the action history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The state entered.
    pub state: DigState,
    /// The AppContext concerned.
    pub instance: Option<ContextId>,
    /// When.
    pub time: Timestamp,
    /// The revision concerned.
    pub revision: Option<Revision>,
    /// Why, for failures and stops.
    pub reason: Option<String>,
}

/// One revision and the AppContext that deploys it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionEntry {
    /// The revision.
    pub revision: Revision,
    /// Its AppContext.
    pub context: ContextId,
}

/// What a saga does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkKind {
    /// Build a new AppContext and install it.
    Instantiate,
    /// Build a new AppContext and move rsync from the deployed one to it.
    Update,
    /// Move rsync back to the AppContext of an earlier revision (nothing is built).
    Rollback,
    /// Uninstall the deployed AppContext.
    Terminate,
}

/// The saga in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Work {
    /// What it does.
    pub kind: WorkKind,
    /// The AppContext it builds or uninstalls.
    pub context: ContextId,
    /// The revision it makes (for terminate: the revision being terminated).
    pub revision: Revision,
    /// For update and rollback: the AppContext rsync moves away from. For terminate: the AppContext rsync
    /// uninstalls, none when nothing was ever handed to rsync.
    pub from: Option<ContextId>,
}

/// A kept answer to an accepted request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The `Idempotency-Key`.
    pub key: String,
    /// The operation it was used for.
    pub op: Operation,
    /// The HTTP status answered.
    pub status: u16,
    /// The body answered, as JSON text.
    pub body: String,
}

impl DigRecord {
    /// Appends an action.
    pub fn push(
        &mut self,
        state: DigState,
        instance: Option<ContextId>,
        revision: Option<Revision>,
        reason: Option<String>,
    ) {
        self.state = state;
        self.actions.push(Action {
            state,
            instance,
            time: Timestamp::now(),
            revision,
            reason,
        });
    }

    /// The next revision: one more than the highest ever made.
    pub fn next_revision(&self) -> Revision {
        self.revisions
            .last()
            .map_or(Revision::FIRST, |r| r.revision.next())
    }

    /// The AppContext of `revision`.
    pub fn context_of(&self, revision: Revision) -> Option<ContextId> {
        self.revisions
            .iter()
            .find(|r| r.revision == revision)
            .map(|r| r.context)
    }

    /// The answer kept for `key`.
    pub fn answer(&self, key: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.key == key)
    }

    /// Keeps an answer, forgetting the oldest beyond [`MAX_ANSWERS`].
    pub fn keep_answer(&mut self, answer: Answer) {
        self.answers.retain(|a| a.key != answer.key);
        self.answers.push(answer);
        let excess = self.answers.len().saturating_sub(MAX_ANSWERS);
        self.answers.drain(..excess);
    }

    /// Encodes the record.
    pub fn encode(&self, key: &Key) -> Result<Vec<u8>> {
        rmp_serde::to_vec_named(self).map_err(|source| Error::Encode {
            key: key.clone(),
            source,
        })
    }

    /// Decodes a stored record.
    pub fn decode(key: &Key, bytes: &[u8]) -> Result<Self> {
        rmp_serde::from_slice(bytes).map_err(|source| Error::Decode {
            key: key.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_continue_after_every_kind_of_work() {
        let mut r = DigRecord::default();
        assert_eq!(r.next_revision(), Revision::FIRST);
        for id in 1..=3 {
            let revision = r.next_revision();
            r.revisions.push(RevisionEntry {
                revision,
                context: ContextId::new(id),
            });
        }
        assert_eq!(r.next_revision().get(), 4);
        assert_eq!(
            r.context_of(Revision::new(2).unwrap()),
            Some(ContextId::new(2))
        );
        assert_eq!(r.context_of(Revision::new(9).unwrap()), None);
    }

    #[test]
    fn answers_are_bounded_and_replaced_by_key() {
        let mut r = DigRecord::default();
        for i in 0..(MAX_ANSWERS + 5) {
            r.keep_answer(Answer {
                key: format!("k{i}"),
                op: Operation::Approve,
                status: 202,
                body: "{}".into(),
            });
        }
        assert_eq!(r.answers.len(), MAX_ANSWERS);
        assert!(r.answer("k0").is_none());
        assert!(r.answer(&format!("k{}", MAX_ANSWERS + 4)).is_some());
    }

    #[test]
    fn a_record_round_trips() {
        let key = Key::from("/canopy/dig/p/ca/v1/d");
        let mut r = DigRecord::default();
        r.push(DigState::Approved, None, None, None);
        r.work = Some(Work {
            kind: WorkKind::Update,
            context: ContextId::new(5),
            revision: Revision::FIRST.next(),
            from: Some(ContextId::new(4)),
        });
        let bytes = r.encode(&key).unwrap();
        assert_eq!(DigRecord::decode(&key, &bytes).unwrap(), r);
    }
}
