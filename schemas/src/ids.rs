//! Identifiers and instants: AppContext ids, DIG revisions, event ids and timestamps.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Why a string is not a valid id. Always terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An AppContext id must be a decimal number, as EMCO's are.
    #[error("AppContext id {0:?} must be a decimal number below 2^64")]
    ContextId(String),
    /// A revision must be a positive decimal number.
    #[error("revision {0:?} must be a whole number of at least 1")]
    Revision(String),
}

/// The id of one AppContext. EMCO ids are random 63-bit numbers written in decimal (`instance=` in the
/// status API takes them), and canopy keeps that form so EMCO scripts keep working.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct ContextId(u64);

impl ContextId {
    /// Wraps a raw id.
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// The raw id.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ContextId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ContextId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        // `u64::from_str` accepts a leading '+', which would give one id two spellings.
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::ContextId(s.to_owned()));
        }
        s.parse()
            .map(Self)
            .map_err(|_| Error::ContextId(s.to_owned()))
    }
}

/// A DIG revision: 1 for the first instantiate, one more for each update or rollback.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
#[schema(minimum = 1)]
pub struct Revision(u64);

impl Revision {
    /// The revision of a first instantiate.
    pub const FIRST: Self = Self(1);

    /// Wraps a raw revision; `None` for 0, which is not a revision.
    pub const fn new(n: u64) -> Option<Self> {
        if n == 0 { None } else { Some(Self(n)) }
    }

    /// The raw number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The revision after this one.
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Revision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::Revision(s.to_owned());
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().ok().and_then(Self::new).ok_or_else(bad)
    }
}

/// The id of one event: a UUID v7, so ids sort by creation time. It is also the `Nats-Msg-Id` that
/// JetStream deduplicates on. In JSON it is the hyphenated text form; in MessagePack, 16 raw bytes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
#[schema(
    value_type = String,
    format = "uuid",
    pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)]
pub struct EventId(Uuid);

impl EventId {
    /// A fresh id from the clock and the random generator.
    pub fn new_v7() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID.
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    /// The UUID.
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// An instant, as nanoseconds since the Unix epoch (UTC). Fits until the year 2262.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time of the system clock.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// An instant given in nanoseconds since the epoch.
    pub const fn from_unix_nanos(nanos: i64) -> Self {
        Self(nanos)
    }

    /// Nanoseconds since the epoch.
    pub const fn unix_nanos(self) -> i64 {
        self.0
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        let nanos = match t.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
        };
        Self(nanos)
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        let magnitude = Duration::from_nanos(t.0.unsigned_abs());
        if t.0 >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_ids_are_plain_decimal() {
        assert_eq!(
            "7071465946356373376".parse::<ContextId>().unwrap().get(),
            7_071_465_946_356_373_376
        );
        assert_eq!(ContextId::new(42).to_string(), "42");
        for bad in ["", "+1", "-1", "1a", "18446744073709551616"] {
            assert_eq!(
                bad.parse::<ContextId>(),
                Err(Error::ContextId(bad.into())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn revisions_start_at_one() {
        assert_eq!(Revision::new(0), None);
        assert_eq!(Revision::FIRST.next().get(), 2);
        assert_eq!("3".parse::<Revision>().unwrap().get(), 3);
        assert!("0".parse::<Revision>().is_err());
        assert!(" 1".parse::<Revision>().is_err());
    }

    #[test]
    fn event_ids_sort_by_creation() {
        let ids: Vec<EventId> = (0..64).map(|_| EventId::new_v7()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids[0].as_uuid().get_version_num(), 7);
    }

    #[test]
    fn timestamps_round_trip_through_system_time() {
        for nanos in [0, 1, 1_700_000_000_123_456_789, -5_000_000_001] {
            let t = Timestamp::from_unix_nanos(nanos);
            assert_eq!(Timestamp::from(SystemTime::from(t)), t);
        }
    }
}
