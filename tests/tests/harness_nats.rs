//! Self-tests of the nats-server harness against a real nats-server with JetStream: publish with ack,
//! deduplication by message id, a durable consumer, and a message that outlives a server crash.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use async_nats::jetstream::{self, consumer::PullConsumer, consumer::pull, stream};
use canopy_tests::NatsServer;
use canopy_tests::harness::Error;
use futures::StreamExt;

const STREAM: &str = "HARNESS_TEST";

async fn make_stream(js: &jetstream::Context) -> Result<stream::Stream> {
    let config = stream::Config {
        name: STREAM.into(),
        subjects: vec!["harness.>".into()],
        storage: stream::StorageType::File,
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    };
    Ok(js.create_stream(config).await?)
}

async fn durable(stream: &stream::Stream) -> Result<PullConsumer> {
    let config = pull::Config {
        durable_name: Some("reader".into()),
        ..Default::default()
    };
    Ok(stream.get_or_create_consumer("reader", config).await?)
}

/// Reads `n` messages and acks each one, returning their payloads.
async fn read(consumer: &PullConsumer, n: usize) -> Result<Vec<String>> {
    let mut messages = consumer.messages().await?;
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), messages.next()).await;
        let msg = next
            .context("no message within 10 s")?
            .context("message stream ended")?;
        let msg = msg.map_err(|e| anyhow::anyhow!("{e}"))?;
        out.push(String::from_utf8(msg.payload.to_vec())?);
        // double_ack waits for the server's confirmation, so what follows sees the ack.
        msg.double_ack().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(out)
}

fn at_least_2_10(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (2, 10)
}

#[tokio::test]
async fn jetstream_acks_publishes_dedupes_by_id_and_feeds_a_durable_consumer() -> Result<()> {
    let nats = NatsServer::start().await?;
    let client = nats.connect().await?;
    let version = client.server_info().version;
    println!(
        "real nats-server {version} at {} (pid {:?})",
        nats.url(),
        nats.pid()
    );
    ensure!(
        at_least_2_10(&version),
        "expected nats-server 2.10 or newer, the server says {version}"
    );
    ensure!(client.server_info().jetstream, "JetStream must be enabled");

    let js = jetstream::new(client);
    let stream = make_stream(&js).await?;
    let ack = js.publish("harness.a", "first".into()).await?.await?;
    assert_eq!(
        (ack.stream.as_str(), ack.sequence, ack.duplicate),
        (STREAM, 1, false)
    );

    // The same Nats-Msg-Id twice is stored once: the outbox relies on this to never double an event.
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "event-42");
    let once = js
        .publish_with_headers("harness.b", headers.clone(), "second".into())
        .await?
        .await?;
    let twice = js
        .publish_with_headers("harness.b", headers, "second".into())
        .await?
        .await?;
    assert!(
        !once.duplicate && twice.duplicate,
        "the repeat must be flagged as a duplicate"
    );
    assert_eq!(twice.sequence, once.sequence);

    let consumer = durable(&stream).await?;
    assert_eq!(read(&consumer, 2).await?, ["first", "second"]);
    let mut consumer = consumer;
    let info = consumer.info().await?;
    assert_eq!(info.ack_floor.stream_sequence, 2, "both messages are acked");
    Ok(())
}

#[tokio::test]
async fn a_message_published_before_a_crash_is_consumed_after_restart() -> Result<()> {
    let nats = NatsServer::start().await?;
    let js = jetstream::new(nats.connect().await?);
    let stream = make_stream(&js).await?;
    durable(&stream).await?;
    for payload in ["before-1", "before-2"] {
        js.publish("harness.x", payload.into()).await?.await?;
    }

    nats.kill();
    assert!(!nats.is_running());
    nats.restart().await?;

    let js = jetstream::new(nats.connect().await?);
    let stream = js
        .get_stream(STREAM)
        .await
        .context("the stream must survive the crash")?;
    let consumer: PullConsumer = stream
        .get_consumer("reader")
        .await
        .map_err(|e| anyhow::anyhow!("the durable consumer must survive: {e}"))?;
    assert_eq!(read(&consumer, 2).await?, ["before-1", "before-2"]);
    Ok(())
}

#[tokio::test]
async fn a_nats_server_that_fails_to_start_shows_its_log() {
    let err = NatsServer::builder()
        .arg("--no-such-flag")
        .start()
        .await
        .err()
        .expect("nats-server must refuse the flag");
    let text = format!("{err:?}");
    assert!(matches!(err, Error::Exited { .. }), "{text}");
    assert!(
        text.contains("no-such-flag"),
        "the log should carry nats-server's own complaint: {text}"
    );
}
