//! The calls around the main ones: `TerminateAppContext`, `PostEvent` and `ValidateIntent`.

use super::convert::message;
use super::dig::{DigIdentity, Intent};
use super::error::{Error, Problem, Result};
use crate::proto::controller::v1 as pb;
use crate::rest::Violation;

/// Request to `TerminateAppContext`: release whatever the controller holds for this AppContext.
#[derive(Debug, Clone, PartialEq)]
pub struct TerminateRequest {
    /// The DIG.
    pub dig: DigIdentity,
    /// The controller's intent for this DIG.
    pub intent: Intent,
}

/// A lifecycle event a controller is told about after the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The DIG was instantiated.
    Instantiate,
    /// The DIG was terminated.
    Terminate,
    /// The DIG was updated or rolled back.
    Update,
}

/// Request to `PostEvent`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRequest {
    /// The DIG.
    pub dig: DigIdentity,
    /// The controller's intent for this DIG.
    pub intent: Intent,
    /// What happened.
    pub event: EventKind,
}

/// Request to `ValidateIntent`: sent when a user creates or replaces an intent for this controller.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidateRequest {
    /// The intent to check.
    pub intent: Intent,
}

impl TryFrom<pb::TerminateAppContextRequest> for TerminateRequest {
    type Error = Error;
    fn try_from(m: pb::TerminateAppContextRequest) -> Result<Self> {
        Ok(Self {
            dig: message("dig", m.dig)?,
            intent: message("intent", m.intent)?,
        })
    }
}

impl From<TerminateRequest> for pb::TerminateAppContextRequest {
    fn from(r: TerminateRequest) -> Self {
        Self {
            dig: Some(r.dig.into()),
            intent: Some(r.intent.into()),
        }
    }
}

impl TryFrom<i32> for EventKind {
    type Error = Error;
    fn try_from(n: i32) -> Result<Self> {
        match pb::EventType::try_from(n) {
            Ok(pb::EventType::Instantiate) => Ok(Self::Instantiate),
            Ok(pb::EventType::Terminate) => Ok(Self::Terminate),
            Ok(pb::EventType::Update) => Ok(Self::Update),
            Ok(pb::EventType::Unspecified) | Err(_) => Err(Error::new("event", Problem::Enum(n))),
        }
    }
}

impl From<EventKind> for pb::EventType {
    fn from(k: EventKind) -> Self {
        match k {
            EventKind::Instantiate => Self::Instantiate,
            EventKind::Terminate => Self::Terminate,
            EventKind::Update => Self::Update,
        }
    }
}

impl TryFrom<pb::PostEventRequest> for EventRequest {
    type Error = Error;
    fn try_from(m: pb::PostEventRequest) -> Result<Self> {
        Ok(Self {
            event: EventKind::try_from(m.event)?,
            dig: message("dig", m.dig)?,
            intent: message("intent", m.intent)?,
        })
    }
}

impl From<EventRequest> for pb::PostEventRequest {
    fn from(r: EventRequest) -> Self {
        Self {
            dig: Some(r.dig.into()),
            intent: Some(r.intent.into()),
            event: pb::EventType::from(r.event).into(),
        }
    }
}

impl TryFrom<pb::ValidateIntentRequest> for ValidateRequest {
    type Error = Error;
    fn try_from(m: pb::ValidateIntentRequest) -> Result<Self> {
        Ok(Self {
            intent: message("intent", m.intent)?,
        })
    }
}

impl From<ValidateRequest> for pb::ValidateIntentRequest {
    fn from(r: ValidateRequest) -> Self {
        Self {
            intent: Some(r.intent.into()),
        }
    }
}

impl From<pb::Violation> for Violation {
    fn from(m: pb::Violation) -> Self {
        Self::new(m.field, m.rule)
    }
}

impl From<Violation> for pb::Violation {
    fn from(v: Violation) -> Self {
        Self {
            field: v.field,
            rule: v.rule,
        }
    }
}
