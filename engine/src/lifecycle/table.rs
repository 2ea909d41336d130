//! The DIG transition table (docs/DESIGN.md §4): the one place that decides which operation may run in which
//! state and which state it leads to. EMCO's rules, plus canopy's in-flight and failure states.

use std::fmt;

use canopy_schemas::DigState::{self, *};
use serde::{Deserialize, Serialize};

/// A lifecycle operation a user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    /// `POST DIG/approve`.
    Approve,
    /// `POST DIG/instantiate`.
    Instantiate,
    /// `POST DIG/terminate`.
    Terminate,
    /// `POST DIG/stop`.
    Stop,
    /// `POST DIG/update`.
    Update,
    /// `POST DIG/rollback`.
    Rollback,
    /// `DELETE DIG`.
    Delete,
    /// `PUT DIG`.
    Replace,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Self; 8] = [
        Self::Approve,
        Self::Instantiate,
        Self::Terminate,
        Self::Stop,
        Self::Update,
        Self::Rollback,
        Self::Delete,
        Self::Replace,
    ];

    /// The operation's name as in its route.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Instantiate => "instantiate",
            Self::Terminate => "terminate",
            Self::Stop => "stop",
            Self::Update => "update",
            Self::Rollback => "rollback",
            Self::Delete => "delete",
            Self::Replace => "replace",
        }
    }

    /// The states the operation may start from.
    pub const fn allowed_from(self) -> &'static [DigState] {
        match self {
            // EMCO: Created, Terminated, Updated; approving an approved DIG is a no-op.
            Self::Approve => &[Created, Approved, Terminated, Updated],
            // EMCO: Approved, Terminated, TerminateStopped. canopy also retries a failed instantiate.
            Self::Instantiate => &[Approved, Terminated, TerminateStopped, InstantiateFailed],
            // EMCO: Instantiated, InstantiateStopped. canopy also cleans up after a failed instantiate
            // and retries a failed terminate.
            Self::Terminate => &[
                Instantiated,
                InstantiateStopped,
                InstantiateFailed,
                TerminateFailed,
            ],
            // Only while work is in flight: the saga's (here), or rsync's after the hand-off, when the DIG
            // is Instantiated or Terminated and its AppContext is Instantiating or Terminating (checked
            // against the context by the lifecycle service).
            Self::Stop => &[Instantiating, Terminating],
            Self::Update | Self::Rollback => &[Instantiated, InstantiateStopped],
            // Never while something is or may be deployed (Terminated is checked further against the
            // AppContext's own status).
            Self::Delete => &[
                Created,
                Approved,
                Terminated,
                TerminateStopped,
                TerminateFailed,
                Updated,
            ],
            Self::Replace => &[Created],
        }
    }

    /// The states the operation may start from for a logical cloud: a DIG's rules without `Approved`
    /// (instantiate starts from `Created`), and no approve or rollback.
    pub const fn allowed_from_cloud(self) -> &'static [DigState] {
        match self {
            Self::Approve | Self::Rollback => &[],
            Self::Instantiate => &[Created, Terminated, TerminateStopped, InstantiateFailed],
            Self::Update => &[Instantiated],
            _ => self.allowed_from(),
        }
    }

    /// Checks that the operation may run in `state` of a DIG, or of a logical cloud when `cloud`.
    pub fn check_for(self, cloud: bool, state: DigState) -> Result<(), Refused> {
        let allowed = if cloud {
            self.allowed_from_cloud()
        } else {
            self.allowed_from()
        };
        if allowed.contains(&state) {
            Ok(())
        } else {
            Err(Refused {
                op: self,
                state,
                cloud,
            })
        }
    }

    /// Checks that the operation may run in `state` of a DIG.
    pub fn check(self, state: DigState) -> Result<(), Refused> {
        if self.allowed_from().contains(&state) {
            Ok(())
        } else {
            Err(Refused {
                op: self,
                state,
                cloud: false,
            })
        }
    }

    /// The state the DIG enters when the operation is accepted in `state` (for `Stop`, which depends on
    /// the work being stopped). `None` for operations that do not change the state (`Delete`, `Replace`).
    pub fn target(self, state: DigState) -> Option<DigState> {
        match self {
            Self::Approve => Some(Approved),
            Self::Instantiate | Self::Update | Self::Rollback => Some(Instantiating),
            Self::Terminate => Some(Terminating),
            Self::Stop => Some(if matches!(state, Terminating | Terminated) {
                TerminateStopped
            } else {
                InstantiateStopped
            }),
            Self::Delete | Self::Replace => None,
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The current state forbids the operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot {op} a {} that is {state}; {op} is allowed from {}",
    if *cloud { "logical cloud" } else { "deployment intent group" },
    list(if *cloud { op.allowed_from_cloud() } else { op.allowed_from() })
)]
pub struct Refused {
    /// The operation.
    pub op: Operation,
    /// The current state.
    pub state: DigState,
    /// True for a logical cloud.
    pub cloud: bool,
}

fn list(states: &[DigState]) -> String {
    if states.is_empty() {
        return "no state".to_owned();
    }
    states
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The state a finished saga leaves: `ok` for success, otherwise the failure state.
pub const fn outcome(work_state: DigState, ok: bool) -> DigState {
    match (work_state, ok) {
        (Terminating, true) => Terminated,
        (Terminating, false) => TerminateFailed,
        (_, true) => Instantiated,
        (_, false) => InstantiateFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EMCO's table (reference §6.1) with canopy's additions, spelled out pair by pair, so a change to
    /// `allowed_from` that breaks a rule fails here.
    #[test]
    fn every_operation_in_every_state() {
        let allowed = |op: Operation, st: DigState| op.check(st).is_ok();
        for st in DigState::ALL {
            assert_eq!(
                allowed(Operation::Approve, st),
                matches!(st, Created | Approved | Terminated | Updated),
                "approve from {st}"
            );
            assert_eq!(
                allowed(Operation::Instantiate, st),
                matches!(
                    st,
                    Approved | Terminated | TerminateStopped | InstantiateFailed
                ),
                "instantiate from {st}"
            );
            assert_eq!(
                allowed(Operation::Update, st),
                matches!(st, Instantiated | InstantiateStopped),
                "update from {st}"
            );
            assert_eq!(
                allowed(Operation::Rollback, st),
                matches!(st, Instantiated | InstantiateStopped),
                "rollback from {st}"
            );
            assert_eq!(
                allowed(Operation::Terminate, st),
                matches!(
                    st,
                    Instantiated | InstantiateStopped | InstantiateFailed | TerminateFailed
                ),
                "terminate from {st}"
            );
            assert_eq!(
                allowed(Operation::Stop, st),
                matches!(st, Instantiating | Terminating),
                "stop from {st}"
            );
            assert_eq!(
                allowed(Operation::Delete, st),
                !matches!(
                    st,
                    Instantiating
                        | Instantiated
                        | InstantiateStopped
                        | InstantiateFailed
                        | Terminating
                ),
                "delete from {st}"
            );
            assert_eq!(
                allowed(Operation::Replace, st),
                st == Created,
                "replace from {st}"
            );
        }
    }

    #[test]
    fn a_refusal_names_the_state_and_the_allowed_ones() {
        let e = Operation::Terminate.check(Approved).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot terminate a deployment intent group that is Approved; terminate is allowed from \
             Instantiated, InstantiateStopped, InstantiateFailed, TerminateFailed"
        );
    }

    #[test]
    fn logical_clouds_have_no_approve_and_start_from_created() {
        assert!(Operation::Instantiate.check_for(true, Created).is_ok());
        assert!(Operation::Instantiate.check_for(false, Created).is_err());
        assert!(Operation::Approve.check_for(true, Created).is_err());
        assert!(Operation::Rollback.check_for(true, Instantiated).is_err());
        assert!(Operation::Terminate.check_for(true, Instantiated).is_ok());
        let e = Operation::Update.check_for(true, Created).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot update a logical cloud that is Created; update is allowed from Instantiated"
        );
    }

    #[test]
    fn stop_leads_to_the_stopped_state_of_the_work() {
        assert_eq!(
            Operation::Stop.target(Instantiating),
            Some(InstantiateStopped)
        );
        assert_eq!(Operation::Stop.target(Terminating), Some(TerminateStopped));
        // After the hand-off, a stop of rsync's terminate.
        assert_eq!(Operation::Stop.target(Terminated), Some(TerminateStopped));
        assert_eq!(outcome(Instantiating, false), InstantiateFailed);
        assert_eq!(outcome(Terminating, true), Terminated);
    }
}
