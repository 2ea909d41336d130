//! The rsync service's contract (schemas/proto/canopy/rsync/v1/rsync.proto): a call is answered once its
//! work is recorded and queued; a repeat queues nothing twice; a missing context is NOT_FOUND and a state
//! that forbids the call is FAILED_PRECONDITION.

mod common;

use std::sync::Arc;
use std::time::Duration;

use canopy_engine::appcontext::{self, ContextKeys, Reader, State};
use canopy_engine::context::{ContextStore, EmbeddedStore};
use canopy_rsync::intake::{Intake, IntakeError};
use canopy_rsync::op::{self, OpKind, OpRecord};
use canopy_rsync::queue::{EmbeddedQueue, Queue};
use canopy_schemas::ContextId;
use common::context;

async fn setup() -> (
    tempfile::TempDir,
    Arc<dyn ContextStore>,
    Arc<EmbeddedQueue>,
    Intake,
) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ContextStore> =
        Arc::new(EmbeddedStore::open(dir.path().join("c.redb")).unwrap());
    let queue = Arc::new(EmbeddedQueue::open(store.clone()).await.unwrap());
    let intake = Intake::new(store.clone(), queue.clone());
    (dir, store, queue, intake)
}

async fn pull_all(queue: &EmbeddedQueue) -> Vec<String> {
    let mut ids = Vec::new();
    while let Ok(Ok(d)) = tokio::time::timeout(Duration::from_millis(200), queue.pull(3)).await {
        ids.extend(d.iter().map(|d| d.task().id()));
    }
    ids
}

#[tokio::test]
async fn an_install_is_recorded_split_per_cluster_and_a_repeat_queues_nothing_twice() {
    let (_dir, store, queue, intake) = setup().await;
    appcontext::write(store.as_ref(), &context(7, 3))
        .await
        .unwrap();
    let ctx = ContextId::new(7);

    let first = intake.install(ctx).await.unwrap();
    assert!(first.newly_queued);
    assert_eq!(first.clusters, 3);
    let status = Reader::open(store.as_ref(), ctx).await.unwrap().status;
    assert_eq!(status.state, State::Instantiating);
    let kv = store
        .get(&ContextKeys::new(ctx).rsync_op())
        .await
        .unwrap()
        .unwrap();
    let record: OpRecord = op::decode(&kv).unwrap();
    assert_eq!((record.kind, record.clusters.len()), (OpKind::Install, 3));

    let again = intake.install(ctx).await.unwrap();
    assert!(!again.newly_queued, "a repeat is recognised");
    let tasks = pull_all(&queue).await;
    assert_eq!(
        tasks.len(),
        3,
        "one task per cluster, none twice: {tasks:?}"
    );
    assert!(
        tasks
            .iter()
            .all(|t| t.starts_with(&format!("7.{}.", record.id)))
    );
}

#[tokio::test]
async fn a_missing_context_is_not_found_and_a_forbidden_state_is_refused() {
    let (_dir, store, _queue, intake) = setup().await;
    assert!(matches!(
        intake.install(ContextId::new(99)).await,
        Err(IntakeError::NotFound(_))
    ));
    appcontext::write(store.as_ref(), &context(8, 1))
        .await
        .unwrap();
    let ctx = ContextId::new(8);
    intake.uninstall(ctx).await.unwrap();
    // Terminating: neither an install nor an update may start.
    let refused = intake.install(ctx).await.unwrap_err();
    assert!(
        matches!(
            refused,
            IntakeError::Refused {
                state: "Terminating",
                ..
            }
        ),
        "{refused}"
    );
    appcontext::write(store.as_ref(), &context(9, 1))
        .await
        .unwrap();
    assert!(matches!(
        intake.update(ctx, ContextId::new(9)).await,
        Ok(a) if a.newly_queued
    ));
    // The update marks the old context Updating until it is done.
    let from = Reader::open(store.as_ref(), ctx).await.unwrap().status;
    assert_eq!(from.state, State::Updating);
}

/// Puts `state` as the context's status, as the end of an operation would.
async fn set_state(store: &dyn ContextStore, ctx: ContextId, state: State) {
    let key = ContextKeys::new(ctx).status();
    let value = appcontext::Status::new(state).encode(&key).unwrap();
    store.put(&key, value).await.unwrap();
}

#[tokio::test]
async fn a_read_back_neither_replaces_an_operation_in_flight_nor_revives_a_failed_context() {
    let (_dir, store, queue, intake) = setup().await;
    appcontext::write(store.as_ref(), &context(10, 2))
        .await
        .unwrap();
    let ctx = ContextId::new(10);
    let op_key = ContextKeys::new(ctx).rsync_op();
    intake.install(ctx).await.unwrap();
    let install = store.get(&op_key).await.unwrap().unwrap();

    // The install runs: a read is refused, and the install's record (whose id its tasks carry) stays.
    let refused = intake.read(ctx).await.unwrap_err();
    assert!(
        matches!(
            refused,
            IntakeError::Refused {
                state: "Instantiating",
                op: OpKind::Read,
                ..
            }
        ),
        "{refused}"
    );
    let still = store.get(&op_key).await.unwrap().unwrap();
    assert_eq!(still.mod_revision, install.mod_revision);

    // A failed install stays failed.
    set_state(store.as_ref(), ctx, State::InstantiateFailed).await;
    assert!(matches!(
        intake.read(ctx).await,
        Err(IntakeError::Refused {
            state: "InstantiateFailed",
            ..
        })
    ));
    let status = Reader::open(store.as_ref(), ctx).await.unwrap().status;
    assert_eq!(status.state, State::InstantiateFailed);
    pull_all(&queue).await;

    // An instantiated context is read, one task per cluster; a repeat while it runs queues nothing
    // twice, and a read after the first has finished reads again.
    set_state(store.as_ref(), ctx, State::Instantiated).await;
    let read = intake.read(ctx).await.unwrap();
    assert!(read.newly_queued);
    let record: OpRecord = op::decode(&store.get(&op_key).await.unwrap().unwrap()).unwrap();
    assert_eq!(record.kind, OpKind::Read);
    assert!(!intake.read(ctx).await.unwrap().newly_queued);
    assert_eq!(pull_all(&queue).await.len(), 2);
    set_state(store.as_ref(), ctx, State::Instantiated).await;
    assert!(intake.read(ctx).await.unwrap().newly_queued);
    assert_eq!(pull_all(&queue).await.len(), 2);
}

#[tokio::test]
async fn the_embedded_queue_hands_out_again_what_a_dead_process_left() {
    let (dir, store, queue, intake) = setup().await;
    appcontext::write(store.as_ref(), &context(5, 2))
        .await
        .unwrap();
    intake.install(ContextId::new(5)).await.unwrap();
    let mut delivered = queue.pull(1).await.unwrap();
    assert_eq!(delivered.len(), 1);
    let delivered = delivered.pop().unwrap();
    delivered.ack().await.unwrap();
    drop((queue, intake));
    // A new process over the same store: the acked task is gone, the other one comes back.
    let reopened = EmbeddedQueue::open(store.clone()).await.unwrap();
    let left = pull_all(&reopened).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_ne!(left[0], delivered.task().id());
    drop(dir);
}
