//! The events read straight from JetStream (`--nats`), through the same feed the server's `GET /v2/events`
//! reads ([`crate::events::feed`] over [`JetStreamBus`]): an ordered, ephemeral consumer on the stream
//! CANOPY_EVENTS, narrowed to the filter's subject patterns, starting where [`Start`] says, with the
//! [`Filter`] applied here to every delivery in order, exactly as the server applies it.
//!
//! Without `--follow` the subscription ends with the last event stored when it opened. With `--dig`, the
//! DIG's own events in the stream are read first, so that the app and resource events of its AppContexts
//! pass even when the subscription starts after the DIG's transitions (the server knows those AppContexts
//! from the DIG itself).

use canopy_schemas::Timestamp;
use canopy_schemas::event::Filter;
use futures::StreamExt;

use super::args::Start;
use super::output::Sink;
use super::{Error, Result};
use crate::events::bus::JetStreamBus;
use crate::events::feed::{self, Feed, Request};

/// Reads the events of `filter` from the NATS server at `url`, giving each that passes to `sink`.
pub async fn stream(
    url: &str,
    mut filter: Filter,
    start: &Start,
    follow: bool,
    sink: &mut (dyn Sink + Send),
) -> Result<()> {
    let client = async_nats::connect(url)
        .await
        .map_err(|source| Error::NatsUnreachable {
            url: url.to_owned(),
            source,
        })?;
    let bus = JetStreamBus::existing(client)
        .await
        .map_err(|source| Error::StreamMissing {
            url: url.to_owned(),
            source,
        })?;
    if let Some(dig) = filter.dig_ref().cloned() {
        let every_transition = Request {
            start: feed::Start::Sequence(1),
            subjects: vec![dig.states_pattern()],
            follow: false,
        };
        let mut deliveries = bus
            .open(every_transition)
            .await
            .map_err(Error::Feed)?
            .deliveries;
        while let Some(delivery) = deliveries.next().await {
            if let Some(ctx) = delivery.map_err(Error::Feed)?.event.context {
                filter.know_context(ctx);
            }
        }
    }
    let start = match start {
        Start::New => feed::Start::New,
        Start::All => feed::Start::Sequence(1),
        Start::Sequence(n) => feed::Start::Sequence(*n),
        Start::Since(since) => feed::Start::Time(since.instant(Timestamp::now())),
    };
    let request = Request {
        start,
        subjects: filter.patterns().to_vec(),
        follow,
    };
    let mut deliveries = bus.open(request).await.map_err(Error::Feed)?.deliveries;
    while let Some(delivery) = deliveries.next().await {
        let delivery = delivery.map_err(Error::Feed)?;
        if filter.pass(&delivery.subject, &delivery.event) {
            sink.deliver(delivery).map_err(Error::Output)?;
        }
    }
    Ok(())
}
