//! The events read straight from JetStream (`--nats`): an ordered, ephemeral consumer on the stream
//! CANOPY_EVENTS, narrowed to [`Filter::nats_subjects`], starting where [`Start`] says, with the
//! [`Filter`] applied here to every message in order, exactly as the server applies it.
//!
//! Without `--follow` the consumer is read until it has nothing pending: what the stream held, plus what
//! arrived meanwhile. With `--dig`, the DIG's own events in the stream are read first, so that the app and
//! resource events of its AppContexts pass even when the subscription starts after the DIG's transitions
//! (the server knows those AppContexts from the DIG itself).

use std::io::Write;

use async_nats::jetstream::{self, consumer};
use canopy_schemas::event::filter::DigRef;
use canopy_schemas::event::{Delivery, Event, Filter};
use canopy_schemas::subject::{STREAM, Subject};
use futures::StreamExt;
use time::OffsetDateTime;

use super::args::Start;
use super::output::Sink;
use super::{Error, Result};

/// Reads the events of `filter` from the NATS server at `url`, giving each that passes to `sink`.
pub async fn stream(
    url: &str,
    mut filter: Filter,
    start: &Start,
    follow: bool,
    sink: &mut (dyn Sink + Send),
    notes: &mut (dyn Write + Send),
) -> Result<()> {
    let client = async_nats::connect(url)
        .await
        .map_err(|source| Error::NatsUnreachable {
            url: url.to_owned(),
            source,
        })?;
    let js = jetstream::new(client);
    let stream = js
        .get_stream(STREAM)
        .await
        .map_err(|source| Error::StreamMissing {
            url: url.to_owned(),
            source,
        })?;
    if let Some(dig) = filter.dig_ref().cloned() {
        let pattern = dig_subjects(&dig);
        let config = ordered(vec![pattern], consumer::DeliverPolicy::All);
        read(&stream, config, false, notes, |_, event| {
            if let Some(ctx) = event.context {
                filter.know_context(ctx);
            }
            Ok(())
        })
        .await?;
    }
    let policy = match start {
        Start::New => consumer::DeliverPolicy::New,
        Start::All => consumer::DeliverPolicy::All,
        Start::Sequence(n) => consumer::DeliverPolicy::ByStartSequence { start_sequence: *n },
        Start::Since(since) => consumer::DeliverPolicy::ByStartTime {
            start_time: since.instant(OffsetDateTime::now_utc()),
        },
    };
    let config = ordered(filter.nats_subjects(), policy);
    read(&stream, config, follow, notes, |delivery, event| {
        if filter.pass(&delivery.subject, event) {
            sink.deliver(delivery.clone()).map_err(Error::Output)?;
        }
        Ok(())
    })
    .await
}

/// Every subject of `dig`'s own transitions: its subject with `*` for the state.
fn dig_subjects(dig: &DigRef) -> String {
    // The subject module builds every subject; the state token is swapped for a wildcard here.
    let one = Subject::dig(
        &dig.project,
        &dig.composite_app,
        &dig.version,
        &dig.dig,
        "x",
    );
    let prefix = one
        .as_str()
        .strip_suffix(".x")
        .expect("the state is the last token");
    [prefix, "*"].join(".")
}

fn ordered(
    subjects: Vec<String>,
    policy: consumer::DeliverPolicy,
) -> consumer::pull::OrderedConfig {
    let mut config = consumer::pull::OrderedConfig {
        deliver_policy: policy,
        ..Default::default()
    };
    match <[String; 1]>::try_from(subjects) {
        Ok([one]) => config.filter_subject = one,
        Err(many) => config.filter_subjects = many,
    }
    config
}

/// Reads the consumer `config` describes, calling `each` with every message's delivery and event in
/// order; unless `follow`, stops when nothing is pending. A message that is not an event is skipped with
/// a note.
async fn read(
    stream: &jetstream::stream::Stream,
    config: consumer::pull::OrderedConfig,
    follow: bool,
    notes: &mut (dyn Write + Send),
    mut each: impl FnMut(&Delivery, &Event) -> Result<()> + Send,
) -> Result<()> {
    let consumer = stream
        .create_consumer(config)
        .await
        .map_err(|e| Error::Consumer(Box::new(e)))?;
    if !follow && consumer.cached_info().num_pending == 0 {
        return Ok(());
    }
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| Error::Consumer(Box::new(e)))?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(|e| Error::Consumer(Box::new(e)))?;
        let info = message.info().map_err(Error::Consumer)?;
        let (sequence, pending) = (info.stream_sequence, info.pending);
        match Event::from_msgpack(&message.payload) {
            Ok(event) => {
                let delivery = Delivery {
                    sequence,
                    subject: message.subject.to_string(),
                    event,
                };
                each(&delivery, &delivery.event)?;
            }
            Err(e) => writeln!(
                notes,
                "canopy events: skipping message {sequence} on {}: {e}",
                message.subject
            )
            .map_err(Error::Output)?,
        }
        if !follow && pending == 0 {
            break;
        }
    }
    Ok(())
}
