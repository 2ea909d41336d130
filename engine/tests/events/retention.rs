//! The stream's retention comes from `canopy engine`'s flags and is applied at start-up, and a NATS server
//! without JetStream is refused with a message that says how to enable it.

use std::time::Duration;

use async_nats::jetstream;
use canopy_engine::events::bus::jetstream::STREAM;
use canopy_engine::server::{self, Args, BusConfig, open_bus};
use canopy_tests::NatsServer;
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    engine: Args,
}

fn config(flags: &[&str]) -> server::Config {
    let argv = std::iter::once("canopy-engine").chain(flags.iter().copied());
    server::Config::from(Cli::try_parse_from(argv).unwrap().engine)
}

async fn stream_limits(nats: &NatsServer) -> (Duration, i64) {
    let js = jetstream::new(nats.connect().await.unwrap());
    let mut stream = js.get_stream(STREAM).await.unwrap();
    let info = stream.info().await.unwrap();
    (info.config.max_age, info.config.max_bytes)
}

#[tokio::test]
async fn the_stream_takes_its_retention_from_the_flags_and_is_updated_at_each_start() {
    let nats = NatsServer::start().await.unwrap();
    let url = nats.url();
    let first = config(&[
        "--nats",
        &url,
        "--events-max-age",
        "12h",
        "--events-max-bytes",
        "1048576",
    ]);
    assert!(matches!(&first.bus, BusConfig::Nats { .. }));
    open_bus(&first.bus).await.unwrap();
    assert_eq!(
        stream_limits(&nats).await,
        (Duration::from_secs(12 * 3600), 1_048_576)
    );

    // A restart with other flags updates the stream; no --events-max-bytes is no limit (-1).
    open_bus(&config(&["--nats", &url, "--events-max-age", "30m"]).bus)
        .await
        .unwrap();
    assert_eq!(stream_limits(&nats).await, (Duration::from_secs(1800), -1));

    // The default keeps events for 7 days.
    open_bus(&config(&["--nats", &url]).bus).await.unwrap();
    assert_eq!(
        stream_limits(&nats).await.0,
        Duration::from_secs(7 * 86_400)
    );
}

#[test]
fn a_malformed_max_age_is_refused_naming_the_rule() {
    let e = Cli::try_parse_from(["canopy-engine", "--events-max-age", "7 days"])
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("--events-max-age") && e.contains("unit"), "{e}");
}

#[tokio::test]
async fn a_nats_server_without_jetstream_is_refused_saying_how_to_enable_it() {
    let nats = NatsServer::builder()
        .arg("--jetstream=false")
        .start()
        .await
        .unwrap();
    let e = open_bus(&config(&["--nats", &nats.url()]).bus)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("has no JetStream"), "{e}");
    assert!(e.contains("-js"), "{e}");
}
