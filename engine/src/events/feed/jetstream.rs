//! The feed of the JetStream bus: an ordered pull consumer (ephemeral, no acknowledgements, recreated by
//! the client when it sees a gap) on the stream `CANOPY_EVENTS`, whose filter subjects are the request's
//! patterns and whose deliver policy is its start. A delivery's sequence is the stream sequence.
//!
//! [`Start::New`] starts at the sequence after the stream's last when the subscription opens, so the
//! boundary is the same one [`Subscription::last`] reports. Without `follow`, the subscription ends at
//! that last sequence, or earlier when the consumer says nothing matching is pending.

use async_nats::jetstream::consumer::{DeliverPolicy, pull};
use async_trait::async_trait;
use canopy_schemas::event::filter::SubjectPattern;
use canopy_schemas::event::{Delivery, Event};
use futures::{Stream, StreamExt};

use super::{Error, Feed, Request, Result, Start, Subscription};
use crate::events::bus::JetStreamBus;
use crate::events::bus::jetstream::STREAM;

#[async_trait]
impl Feed for JetStreamBus {
    async fn open(&self, request: Request) -> Result<Subscription> {
        let open = |source: Box<dyn std::error::Error + Send + Sync>| Error::Open {
            stream: STREAM,
            source,
        };
        let stream = self
            .context()
            .get_stream(STREAM)
            .await
            .map_err(|e| open(Box::new(e)))?;
        let last = stream.cached_info().state.last_sequence;
        let deliver_policy = match request.start {
            Start::New => DeliverPolicy::ByStartSequence {
                start_sequence: last + 1,
            },
            Start::Sequence(n) => DeliverPolicy::ByStartSequence {
                start_sequence: n.max(1),
            },
            Start::Time(t) => DeliverPolicy::ByStartTime {
                start_time: async_nats::datetime::from_nanos(i128::from(t.unix_nanos()))
                    .map_err(open)?,
            },
        };
        let nothing_stored_from_start = match request.start {
            Start::New => true,
            Start::Sequence(n) => n > last,
            Start::Time(_) => false,
        };
        if !request.follow && nothing_stored_from_start {
            return Ok(empty(last));
        }
        let consumer = stream
            .create_consumer(pull::OrderedConfig {
                filter_subjects: filter_subjects(&request.subjects),
                deliver_policy,
                ..Default::default()
            })
            .await
            .map_err(|e| open(Box::new(e)))?;
        if !request.follow && consumer.cached_info().num_pending == 0 {
            return Ok(empty(last));
        }
        let messages = consumer.messages().await.map_err(|e| open(Box::new(e)))?;
        let until = (!request.follow).then_some(last);
        Ok(Subscription {
            last,
            deliveries: deliveries(messages, until).boxed(),
        })
    }
}

fn empty(last: u64) -> Subscription {
    Subscription {
        last,
        deliveries: futures::stream::empty().boxed(),
    }
}

/// The consumer's filter: the patterns, or none (the whole stream) when there are none or two of them
/// overlap, which JetStream refuses; the caller's filter then narrows what it gets.
fn filter_subjects(patterns: &[SubjectPattern]) -> Vec<String> {
    let overlapping = patterns
        .iter()
        .enumerate()
        .any(|(i, a)| patterns[i + 1..].iter().any(|b| overlap(a, b)));
    if overlapping {
        return Vec::new();
    }
    patterns.iter().map(|p| p.as_str().to_owned()).collect()
}

/// True when some subject matches both patterns.
fn overlap(a: &SubjectPattern, b: &SubjectPattern) -> bool {
    let (mut a, mut b) = (a.as_str().split('.'), b.as_str().split('.'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(">"), Some(_)) | (Some(_), Some(">")) => return true,
            (Some(x), Some(y)) if x == "*" || y == "*" || x == y => {}
            _ => return false,
        }
    }
}

/// The deliveries of an ordered consumer's messages; with `until`, they end once that sequence (or the
/// last matching message the consumer has) is given.
fn deliveries(messages: pull::Ordered, until: Option<u64>) -> impl Stream<Item = Result<Delivery>> {
    futures::stream::unfold(Some((messages, 0)), move |state| async move {
        let (mut messages, mut after) = state?;
        loop {
            let message = match messages.next().await? {
                Ok(m) => m,
                Err(e) => return Some((Err(read(after, Box::new(e))), None)),
            };
            let (sequence, pending) = match message.info() {
                Ok(info) => (info.stream_sequence, info.pending),
                Err(e) => return Some((Err(read(after, e)), None)),
            };
            if until.is_some_and(|last| sequence > last) {
                return None;
            }
            after = sequence;
            let done = until.is_some_and(|last| sequence == last || pending == 0);
            let next = (!done).then_some((messages, after));
            match Event::from_msgpack(&message.payload) {
                Ok(event) => {
                    let delivery = Delivery {
                        sequence,
                        subject: message.subject.to_string(),
                        event,
                    };
                    return Some((Ok(delivery), next));
                }
                Err(e) => {
                    // Not a canopy envelope (something else published on canopy.>): nothing to deliver.
                    tracing::warn!(sequence, subject = %message.subject, error = %e, "skipping a message that is not an event");
                    let (m, a) = next?;
                    (messages, after) = (m, a);
                }
            }
        }
    })
}

fn read(after: u64, source: Box<dyn std::error::Error + Send + Sync>) -> Error {
    Error::Read {
        stream: STREAM,
        after,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> SubjectPattern {
        s.parse().unwrap()
    }

    #[test]
    fn patterns_overlap_when_one_subject_matches_both() {
        assert!(overlap(&p("canopy.>"), &p("canopy.dig.a")));
        assert!(overlap(&p("canopy.*.a"), &p("canopy.dig.*")));
        assert!(overlap(&p("canopy.dig"), &p("canopy.dig")));
        assert!(!overlap(&p("canopy.dig.>"), &p("canopy.ctx.>")));
        assert!(!overlap(&p("canopy.*"), &p("canopy.dig.a")));
        assert!(!overlap(&p("canopy.dig"), &p("canopy.dig.>")));
    }

    #[test]
    fn overlapping_patterns_read_the_whole_stream() {
        assert_eq!(
            filter_subjects(&[p("canopy.dig.>"), p("canopy.cluster.>")]),
            ["canopy.dig.>", "canopy.cluster.>"]
        );
        assert!(filter_subjects(&[p("canopy.dig.>"), p("canopy.*.x.>")]).is_empty());
    }
}
