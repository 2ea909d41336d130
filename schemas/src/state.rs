//! Lifecycle states of a deployment intent group (DIG).
//!
//! The names are EMCO's, spelled as EMCO spells them in its status API, plus the four in-flight and failure
//! states canopy adds because its instantiate and terminate run as durable sagas rather than inside one HTTP
//! request. Which operation may move a DIG from which state is decided by the engine's transition table,
//! not here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A DIG lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigState {
    /// Created and editable.
    Created,
    /// Approved: the intents are frozen and the DIG may be instantiated.
    Approved,
    /// canopy: the AppContext is being built and handed to rsync.
    Instantiating,
    /// Handed to rsync; resources are being applied or are applied.
    Instantiated,
    /// canopy: building or handing off the AppContext failed; the reason is recorded.
    InstantiateFailed,
    /// canopy: terminate was accepted and is in progress.
    Terminating,
    /// Terminated.
    Terminated,
    /// canopy: terminate failed; the reason is recorded.
    TerminateFailed,
    /// An instantiate was stopped part way.
    InstantiateStopped,
    /// A terminate was stopped part way.
    TerminateStopped,
    /// Superseded by a newer revision (update or rollback).
    Updated,
}

impl DigState {
    /// Every state, in the order above.
    pub const ALL: [Self; 11] = [
        Self::Created,
        Self::Approved,
        Self::Instantiating,
        Self::Instantiated,
        Self::InstantiateFailed,
        Self::Terminating,
        Self::Terminated,
        Self::TerminateFailed,
        Self::InstantiateStopped,
        Self::TerminateStopped,
        Self::Updated,
    ];

    /// The state's name as EMCO's API spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "Created",
            Self::Approved => "Approved",
            Self::Instantiating => "Instantiating",
            Self::Instantiated => "Instantiated",
            Self::InstantiateFailed => "InstantiateFailed",
            Self::Terminating => "Terminating",
            Self::Terminated => "Terminated",
            Self::TerminateFailed => "TerminateFailed",
            Self::InstantiateStopped => "InstantiateStopped",
            Self::TerminateStopped => "TerminateStopped",
            Self::Updated => "Updated",
        }
    }
}

impl fmt::Display for DigState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string names no DIG state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a DIG state")]
pub struct UnknownState(pub String);

impl FromStr for DigState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, UnknownState> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_match_serde() {
        for st in DigState::ALL {
            assert_eq!(st.as_str().parse::<DigState>(), Ok(st));
            let bytes = rmp_serde::to_vec(&st).unwrap();
            assert_eq!(
                rmp_serde::from_slice::<String>(&bytes).unwrap(),
                st.as_str()
            );
        }
        assert_eq!(
            "instantiated".parse::<DigState>(),
            Err(UnknownState("instantiated".into()))
        );
    }
}
