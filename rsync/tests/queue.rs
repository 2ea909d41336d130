//! The JetStream task queue against a real nats-server: an operation on more clusters than async-nats lets
//! wait for their acknowledgements at once (5,000) is queued whole.

use std::time::Duration;

use async_nats::jetstream;
use canopy_rsync::queue::{JetStreamQueue, Queue, STREAM};
use canopy_rsync::task::Task;
use canopy_schemas::ContextId;
use canopy_tests::NatsServer;

#[tokio::test]
async fn ten_thousand_tasks_are_queued_whole() {
    let nats = NatsServer::start().await.unwrap();
    let queue = JetStreamQueue::open(nats.connect().await.unwrap(), Duration::from_secs(30))
        .await
        .unwrap();
    let tasks: Vec<Task> = (0..10_000)
        .map(|i| Task {
            ctx: ContextId::new(9),
            op: 1,
            cluster: format!("sim+edge-{i:05}").parse().unwrap(),
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(60), queue.push(&tasks))
        .await
        .expect("the push finishes")
        .unwrap();
    let js = jetstream::new(nats.connect().await.unwrap());
    let mut stream = js.get_stream(STREAM).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 10_000);

    // Pushing them again (a retried intake) stores nothing twice.
    queue.push(&tasks).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 10_000);
}
