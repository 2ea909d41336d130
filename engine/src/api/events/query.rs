//! The query of `GET /v2/events` and its `Last-Event-ID` header, checked into a [`Query`]. A bad value is
//! a [`Violation`] naming the parameter (or the header) and the rule it breaks.

use std::time::Duration;

use axum::http::HeaderValue;
use canopy_schemas::event::filter::{DigRef, SubjectPattern, parse_cluster};
use canopy_schemas::rest::Violation;
use canopy_schemas::{ClusterRef, Timestamp};

use crate::api::time::parse_rfc3339;
use crate::duration;
use crate::events::feed::Start;

/// The header an SSE client sends when it reconnects: the id of the last event it received.
pub const LAST_EVENT_ID: &str = "last-event-id";

/// The parameters the route takes, as the error for an unknown one lists them.
pub const PARAMETERS: &str = "subject, dig, cluster, since, from_seq, follow";

/// What a subscriber asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Subject patterns (`subject`, repeated or comma-separated); none: every subject.
    pub subjects: Vec<SubjectPattern>,
    /// Only this DIG's events (`dig`).
    pub dig: Option<DigRef>,
    /// Only this cluster's events (`cluster`).
    pub cluster: Option<ClusterRef>,
    /// Where to start: `Last-Event-ID` + 1, else `from_seq`, else `since`, else only new events.
    pub start: Start,
    /// Go on with new events (`follow`, true by default).
    pub follow: bool,
}

/// Checks the query `params` and the `Last-Event-ID` header; `now` anchors a `since` duration.
pub fn parse(
    params: &[(String, String)],
    last_event_id: Option<&HeaderValue>,
    now: Timestamp,
) -> Result<Query, Violation> {
    let mut subjects = Vec::new();
    let (mut dig, mut cluster, mut since, mut from_seq, mut follow) =
        (None, None, None, None, None);
    for (name, value) in params {
        match name.as_str() {
            "subject" => {
                for pattern in value.split(',') {
                    subjects.push(pattern.parse().map_err(|e| invalid("subject", e))?);
                }
            }
            "dig" => once(&mut dig, name, value.parse().map_err(|e| invalid(name, e))?)?,
            "cluster" => once(
                &mut cluster,
                name,
                parse_cluster(value).map_err(|e| invalid(name, e))?,
            )?,
            "since" => once(&mut since, name, parse_since(value, now)?)?,
            "from_seq" => once(&mut from_seq, name, parse_sequence(value)?)?,
            "follow" => once(&mut follow, name, parse_bool(value)?)?,
            _ => {
                return Err(Violation::new(
                    name.as_str(),
                    format!("is not a parameter of GET /v2/events ({PARAMETERS})"),
                ));
            }
        }
    }
    if since.is_some() && from_seq.is_some() {
        return Err(Violation::new(
            "since",
            "cannot be combined with from_seq; give at most one of them",
        ));
    }
    let resume = last_event_id.map(parse_last_event_id).transpose()?;
    let start = match (resume, from_seq, since) {
        (Some(last), _, _) => Start::Sequence(last.saturating_add(1)),
        (None, Some(n), _) => Start::Sequence(n),
        (None, None, Some(t)) => Start::Time(t),
        (None, None, None) => Start::New,
    };
    Ok(Query {
        subjects,
        dig,
        cluster,
        start,
        follow: follow.unwrap_or(true),
    })
}

fn invalid(field: &str, e: impl std::fmt::Display) -> Violation {
    Violation::new(field, e.to_string())
}

fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), Violation> {
    if slot.replace(value).is_some() {
        return Err(Violation::new(
            name,
            "is given more than once; give it once",
        ));
    }
    Ok(())
}

/// `since`: a duration back from `now` (`10m`, `2h`, `7d`) or an RFC 3339 time.
fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, Violation> {
    let looks_like_a_time = text.len() > 10 && text.as_bytes().get(4) == Some(&b'-');
    if looks_like_a_time {
        return parse_rfc3339(text).map_err(|rule| Violation::new("since", rule));
    }
    let back = duration::parse(text).map_err(|e| {
        Violation::new(
            "since",
            format!("must be a duration such as 10m, 2h or 7d, or an RFC 3339 time: {e}"),
        )
    })?;
    Ok(before(now, back))
}

fn before(now: Timestamp, back: Duration) -> Timestamp {
    let nanos = i64::try_from(back.as_nanos()).unwrap_or(i64::MAX);
    Timestamp::from_unix_nanos(now.unix_nanos().saturating_sub(nanos))
}

fn parse_sequence(text: &str) -> Result<u64, Violation> {
    match text.parse::<u64>() {
        Ok(n) if n >= 1 && !text.starts_with('+') => Ok(n),
        _ => Err(Violation::new(
            "from_seq",
            "must be a whole number of at least 1 (a sequence of the event stream)",
        )),
    }
}

fn parse_bool(text: &str) -> Result<bool, Violation> {
    match text {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Violation::new("follow", "must be true or false")),
    }
}

fn parse_last_event_id(value: &HeaderValue) -> Result<u64, Violation> {
    value
        .to_str()
        .ok()
        .filter(|s| !s.starts_with('+'))
        .and_then(|s| s.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            Violation::new(
                "Last-Event-ID",
                "must be the id of an event this endpoint sent (a whole number)",
            )
        })
}

#[cfg(test)]
mod tests;
