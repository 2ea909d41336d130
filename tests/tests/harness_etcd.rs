//! Self-tests of the etcd harness against a real etcd: the operations the context store will rely on
//! (put, get, compare-and-swap, watch) and the fault-test controls (kill, restart).

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use canopy_tests::EtcdServer;
use canopy_tests::harness::Error;
use etcd_client::{Client, Compare, CompareOp, EventType, GetOptions, Txn, TxnOp, WatchOptions};

async fn value(client: &mut Client, key: &str) -> Result<Option<String>> {
    let resp = client.get(key, None).await?;
    Ok(resp
        .kvs()
        .first()
        .map(|kv| kv.value_str().map(str::to_owned))
        .transpose()?)
}

#[tokio::test]
async fn etcd_serves_put_get_compare_and_swap_and_watch() -> Result<()> {
    let etcd = EtcdServer::start().await?;
    let mut client = etcd.connect().await?;
    let version = client.status().await?.version().to_owned();
    println!(
        "real etcd {version} at {} (pid {:?})",
        etcd.endpoint(),
        etcd.pid()
    );
    ensure!(
        version.starts_with("3.5."),
        "expected etcd 3.5, the server says {version}"
    );

    client.put("/canopy/test/a", "1", None).await?;
    assert_eq!(
        value(&mut client, "/canopy/test/a").await?.as_deref(),
        Some("1")
    );
    let rev = client.get("/canopy/test/a", None).await?.kvs()[0].mod_revision();

    // Compare-and-swap on the revision: the first writer wins, a second with the same stale revision loses.
    let cas = |new: &'static str| {
        Txn::new()
            .when([Compare::mod_revision(
                "/canopy/test/a",
                CompareOp::Equal,
                rev,
            )])
            .and_then([TxnOp::put("/canopy/test/a", new, None)])
    };
    assert!(
        client.txn(cas("2")).await?.succeeded(),
        "first CAS must win"
    );
    assert!(
        !client.txn(cas("3")).await?.succeeded(),
        "a CAS on a stale revision must lose"
    );
    assert_eq!(
        value(&mut client, "/canopy/test/a").await?.as_deref(),
        Some("2")
    );

    // A prefix watch sees a put made after it started.
    let mut stream = client
        .watch("/canopy/test/", Some(WatchOptions::new().with_prefix()))
        .await?;
    client.put("/canopy/test/b", "watched", None).await?;
    let event = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let resp = stream.message().await?.context("watch stream ended")?;
            if let Some(event) = resp.events().first() {
                return anyhow::Ok(event.clone());
            }
        }
    })
    .await
    .context("no watch event within 10 s")??;
    assert_eq!(event.event_type(), EventType::Put);
    let kv = event.kv().context("put event without kv")?;
    assert_eq!(
        (kv.key_str()?, kv.value_str()?),
        ("/canopy/test/b", "watched")
    );
    Ok(())
}

#[tokio::test]
async fn etcd_data_and_history_survive_kill_and_restart() -> Result<()> {
    let etcd = EtcdServer::start().await?;
    let endpoint = etcd.endpoint();
    let pid_before = etcd.pid();
    let mut client = etcd.connect().await?;
    let first_rev = client
        .put("/canopy/k/1", "one", None)
        .await?
        .header()
        .context("no header")?
        .revision();
    client.put("/canopy/k/2", "two", None).await?;

    etcd.kill();
    assert!(!etcd.is_running());
    let refused =
        tokio::time::timeout(Duration::from_secs(5), client.get("/canopy/k/1", None)).await;
    assert!(
        !matches!(refused, Ok(Ok(_))),
        "a killed etcd must not answer"
    );

    etcd.restart().await?;
    assert!(etcd.is_running());
    assert_eq!(etcd.endpoint(), endpoint, "restart keeps the port");
    assert_ne!(etcd.pid(), pid_before, "restart starts a new process");

    let mut client = etcd.connect().await?;
    let all = client
        .get("/canopy/k/", Some(GetOptions::new().with_prefix()))
        .await?;
    let pairs: Vec<(&str, &str)> = all
        .kvs()
        .iter()
        .map(|kv| Ok((kv.key_str()?, kv.value_str()?)))
        .collect::<Result<_>>()?;
    assert_eq!(pairs, [("/canopy/k/1", "one"), ("/canopy/k/2", "two")]);

    // The revision history survived too: a watch from the first write's revision replays both writes.
    let options = WatchOptions::new()
        .with_prefix()
        .with_start_revision(first_rev);
    let mut stream = client.watch("/canopy/k/", Some(options)).await?;
    let mut replayed = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while replayed.len() < 2 {
            let resp = stream.message().await?.context("watch stream ended")?;
            for event in resp.events() {
                replayed.push(event.kv().context("no kv")?.key_str()?.to_owned());
            }
        }
        anyhow::Ok(())
    })
    .await
    .context("history was not replayed within 10 s")??;
    assert_eq!(replayed, ["/canopy/k/1", "/canopy/k/2"]);
    Ok(())
}

#[tokio::test]
async fn an_etcd_that_fails_to_start_shows_its_log() {
    let err = EtcdServer::builder()
        .arg("--no-such-flag")
        .start()
        .await
        .err()
        .expect("etcd must refuse the flag");
    let text = format!("{err:?}");
    assert!(matches!(err, Error::Exited { .. }), "{text}");
    assert!(text.contains("etcd exited"), "{text}");
    assert!(
        text.contains("no-such-flag"),
        "the log should carry etcd's own complaint: {text}"
    );
}

#[tokio::test]
async fn a_binary_that_cannot_run_is_named_in_the_error() {
    let err = EtcdServer::builder()
        .binary("/nonexistent/etcd")
        .start()
        .await
        .err()
        .expect("must fail");
    let text = format!("{err:?}");
    assert!(matches!(err, Error::Spawn { .. }), "{text}");
    assert!(text.contains("/nonexistent/etcd"), "{text}");
}
