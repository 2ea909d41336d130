//! Subscribes to canopy's lifecycle events on NATS and prints one line per event.
//!
//! ```text
//! cargo run -p canopy-engine --example subscribe -- nats://127.0.0.1:4222 'canopy.dig.>'
//! ```

use canopy_schemas::event::{CONTENT_TYPE, CONTENT_TYPE_HEADER, Event};
use futures::StreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let subject = args.next().unwrap_or_else(|| "canopy.>".into());
    let client = async_nats::connect(&url).await?;
    // Core NATS: events published from now on. For replay, read the stream CANOPY_EVENTS with a
    // JetStream consumer instead; the payload is the same.
    let mut events = client.subscribe(subject).await?;
    while let Some(msg) = events.next().await {
        let msgpack = msg
            .headers
            .as_ref()
            .and_then(|h| h.get(CONTENT_TYPE_HEADER));
        if msgpack.is_none_or(|v| v.as_str() != CONTENT_TYPE) {
            continue; // not a canopy envelope
        }
        match Event::from_msgpack(&msg.payload) {
            Ok(e) => println!(
                "{} {} {} -> {} rev={:?} ctx={:?} {}",
                e.id,
                msg.subject,
                e.from.as_deref().unwrap_or("-"),
                e.to,
                e.revision.map(|r| r.get()),
                e.context.map(|c| c.get()),
                e.message
            ),
            Err(err) => eprintln!("{}: {err}", msg.subject),
        }
    }
    Ok(())
}
