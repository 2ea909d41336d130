//! `canopy serve --etcd --nats`: the same example over real etcd and NATS, with rsync's tasks on JetStream.

use canopy_tests::{EtcdServer, NatsServer};

use super::support::{CLUSTERS, Serve, deployed_objects};

#[tokio::test]
async fn with_etcd_and_nats_the_example_deploys_and_rsync_takes_its_tasks_from_jetstream() {
    let etcd = EtcdServer::start().await.unwrap();
    let nats = NatsServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let serve = Serve::start_with(
        &dir.path().join("data"),
        &dir.path().join("serve.log"),
        &[
            "--etcd".into(),
            etcd.endpoint(),
            "--nats".into(),
            nats.url(),
        ],
    )
    .await;
    serve.apply("http-demo.yaml").await;
    let status = serve.wait_ready().await;
    assert_eq!(status["readyCounts"]["Ready"], 15, "{status}");
    for cluster in CLUSTERS {
        assert_eq!(
            serve.objects(cluster).await,
            deployed_objects(),
            "{cluster}"
        );
    }
    // The AppContexts are in etcd, and rsync's tasks went through its JetStream work queue.
    let ctx = canopy_engine::context::etcd::Config::new([etcd.endpoint()])
        .connect()
        .await
        .unwrap();
    let contexts = canopy_engine::context::ContextStore::range(
        &ctx,
        &canopy_engine::context::Key::from("/canopy/ctx/"),
    )
    .await
    .unwrap();
    assert!(!contexts.kvs.is_empty(), "no AppContext keys in etcd");
    let js = async_nats::jetstream::new(nats.connect().await.unwrap());
    let mut stream = js
        .get_stream(canopy_rsync::queue::STREAM)
        .await
        .expect("rsync's task stream exists");
    let info = stream.info().await.unwrap();
    // One task per cluster for the logical cloud and one per cluster for the DIG, each acked and removed.
    assert!(
        info.state.last_sequence >= 2 * CLUSTERS.len() as u64,
        "{:?}",
        info.state
    );
    assert_eq!(info.state.messages, 0, "every task was acknowledged");
    assert!(serve.terminate().await);
}
