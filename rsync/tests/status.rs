//! Status writes: a compare-and-swap per change; the first write of a new slot takes one round trip, and
//! one that finds a value already goes on from that value, which its failed swap returned.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use canopy_engine::appcontext::{AppProgress, ContextKeys, Phase};
use canopy_engine::context::Key;
use canopy_engine::context::{
    ContextStore, EmbeddedStore, Result, Revision, Txn, TxnResponse, Watch,
};
use canopy_engine::events::Outbox;
use canopy_rsync::status::{Slot, StatusWriter};
use canopy_schemas::event::Event;
use canopy_schemas::{ContextId, Timestamp};

/// A store that counts its round trips (every read and write is one transaction).
struct Counting {
    inner: EmbeddedStore,
    calls: AtomicUsize,
}

#[async_trait]
impl ContextStore for Counting {
    async fn txn(&self, txn: Txn) -> Result<TxnResponse> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.txn(txn).await
    }

    async fn watch(&self, prefix: &Key, from: Option<Revision>) -> Result<Watch> {
        self.inner.watch(prefix, from).await
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.inner.compact(revision).await
    }
}

struct Fixture {
    store: Arc<Counting>,
    writer: StatusWriter,
    slot: Slot,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Counting {
            inner: EmbeddedStore::open(dir.path().join("c.redb")).unwrap(),
            calls: AtomicUsize::new(0),
        });
        let writer = StatusWriter::new(store.clone());
        let slot = Slot {
            ctx: ContextId::new(3),
            cluster: "sim+edge-1".parse().unwrap(),
            app: "web".parse().unwrap(),
        };
        Self {
            store,
            writer,
            slot,
            _dir: dir,
        }
    }

    fn calls(&self) -> usize {
        self.store.calls.swap(0, Ordering::SeqCst)
    }

    async fn stored(&self) -> AppProgress {
        let key =
            ContextKeys::new(self.slot.ctx).cluster_status(&self.slot.cluster, &self.slot.app);
        AppProgress::decode(&self.store.inner.get(&key).await.unwrap().unwrap()).unwrap()
    }

    /// Every event staged in the outbox, oldest first.
    async fn events(&self) -> Vec<Event> {
        let entries = self.store.inner.range(&Outbox::prefix()).await.unwrap();
        entries
            .kvs
            .iter()
            .flat_map(|kv| Outbox::decode(kv).unwrap())
            .collect()
    }
}

fn pending() -> AppProgress {
    AppProgress {
        phase: Phase::Pending,
        connectivity: Default::default(),
        last_error: None,
        resources: Vec::new(),
        updated_at: Timestamp::now(),
    }
}

#[tokio::test]
async fn the_first_write_of_a_new_slot_is_one_round_trip() {
    let f = Fixture::new();
    let written = f
        .writer
        .create_or_update(&f.slot, pending, |p| p.phase = Phase::Applied)
        .await
        .unwrap();
    assert_eq!(f.calls(), 1, "one transaction, no read before it");
    assert_eq!(written.phase, Phase::Applied);
    assert_eq!(f.stored().await.phase, Phase::Applied);
    let events = f.events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].to, "Applied");
    assert_eq!(events[0].from, None);
}

#[tokio::test]
async fn a_first_write_that_finds_a_value_goes_on_from_that_value() {
    let f = Fixture::new();
    f.writer
        .update(
            &f.slot,
            pending,
            |p| {
                p.phase = Phase::Applying;
                p.last_error = Some("an earlier attempt".into());
            },
            Vec::new(),
        )
        .await
        .unwrap();
    f.calls();

    let written = f
        .writer
        .create_or_update(&f.slot, pending, |p| p.phase = Phase::Applied)
        .await
        .unwrap();
    // The guess "no value yet" failed; the failed swap returned the value, and the second swap won.
    assert_eq!(f.calls(), 2);
    assert_eq!(written.phase, Phase::Applied);
    let stored = f.stored().await;
    assert_eq!(stored.phase, Phase::Applied);
    assert_eq!(
        stored.last_error.as_deref(),
        Some("an earlier attempt"),
        "the change was made to the stored value, not to the seed"
    );
    let events = f.events().await;
    let last = events.last().unwrap();
    assert_eq!(
        (last.from.as_deref(), last.to.as_str()),
        (Some("Applying"), "Applied")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_of_a_key_it_does_not_remember_reads_first_and_a_lost_swap_needs_no_second_read()
{
    let f = Fixture::new();
    // Written by another process: this writer has no memory of the key.
    StatusWriter::new(f.store.clone())
        .update(&f.slot, pending, |p| p.phase = Phase::Applying, Vec::new())
        .await
        .unwrap();
    assert_eq!(f.calls(), 2, "a read, then the swap");

    // Another writer changes the slot between this writer's read and its swap: the change closure runs
    // once per attempt, and the first attempt writes behind the writer's back.
    let other = StatusWriter::new(f.store.clone());
    let slot = f.slot.clone();
    let mut attempts = 0;
    let written = f
        .writer
        .update(
            &f.slot,
            pending,
            |p| {
                attempts += 1;
                if attempts == 1 {
                    let other = other.clone();
                    let slot = slot.clone();
                    // Runs the other write to completion on this thread before the swap below.
                    tokio::task::block_in_place(|| {
                        tokio::runtime::Handle::current().block_on(other.update(
                            &slot,
                            pending,
                            |q| q.last_error = Some("from the other writer".into()),
                            Vec::new(),
                        ))
                    })
                    .unwrap();
                }
                p.phase = Phase::Applied;
            },
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    // read, failed swap (which returned the other writer's value), swap; plus the other writer's 2.
    assert_eq!(f.calls(), 5);
    assert_eq!(written.last_error.as_deref(), Some("from the other writer"));
    assert_eq!(f.stored().await.phase, Phase::Applied);
}

#[tokio::test]
async fn a_writer_swaps_against_the_value_it_wrote_last_without_reading_until_the_app_is_ready() {
    let f = Fixture::new();
    f.writer
        .create_or_update(&f.slot, pending, |p| p.phase = Phase::Applied)
        .await
        .unwrap();
    f.calls();
    f.writer
        .update(&f.slot, pending, |p| p.phase = Phase::Ready, Vec::new())
        .await
        .unwrap();
    assert_eq!(
        f.calls(),
        1,
        "the swap against the value written last, no read"
    );
    assert_eq!(f.stored().await.phase, Phase::Ready);
    // A Ready app's key is forgotten: its next write, rare, reads first.
    f.writer
        .update(&f.slot, pending, |p| p.phase = Phase::Applied, Vec::new())
        .await
        .unwrap();
    assert_eq!(f.calls(), 2, "a read, then the swap");
    assert_eq!(f.stored().await.phase, Phase::Applied);
}

#[tokio::test]
async fn a_remembered_value_another_writer_replaced_costs_a_failed_swap_and_loses_nothing() {
    let f = Fixture::new();
    f.writer
        .create_or_update(&f.slot, pending, |p| p.phase = Phase::Applying)
        .await
        .unwrap();
    StatusWriter::new(f.store.clone())
        .update(
            &f.slot,
            pending,
            |p| p.last_error = Some("from the other writer".into()),
            Vec::new(),
        )
        .await
        .unwrap();
    f.calls();
    let written = f
        .writer
        .update(&f.slot, pending, |p| p.phase = Phase::Applied, Vec::new())
        .await
        .unwrap();
    assert_eq!(
        f.calls(),
        2,
        "the failed swap (which returned the value), then the swap"
    );
    let stored = f.stored().await;
    assert_eq!(stored.phase, Phase::Applied);
    assert_eq!(
        stored.last_error.as_deref(),
        Some("from the other writer"),
        "the change was made to the stored value, not to the remembered one"
    );
    assert_eq!(written, stored);
    let last = f.events().await.pop().unwrap();
    assert_eq!(
        (last.from.as_deref(), last.to.as_str()),
        (Some("Applying"), "Applied")
    );
}

#[tokio::test]
async fn a_change_that_is_nothing_against_a_stale_memory_is_checked_against_the_store() {
    let f = Fixture::new();
    f.writer
        .create_or_update(&f.slot, pending, |p| p.phase = Phase::Applying)
        .await
        .unwrap();
    // Another writer moves the app on behind this writer's back.
    StatusWriter::new(f.store.clone())
        .update(&f.slot, pending, |p| p.phase = Phase::Failed, Vec::new())
        .await
        .unwrap();
    f.calls();
    // Against what this writer remembers, `Applying` changes nothing; against the store it does.
    let written = f
        .writer
        .update(&f.slot, pending, |p| p.phase = Phase::Applying, Vec::new())
        .await
        .unwrap();
    assert_eq!(f.calls(), 2, "a read, then the swap");
    assert_eq!(written.phase, Phase::Applying);
    assert_eq!(f.stored().await.phase, Phase::Applying);
}
