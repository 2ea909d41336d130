//! The embedded context store: redb, in the same file as the embedded resource store, with etcd's
//! revision model.
//!
//! Tables (all prefixed `context/`, beside the resource store's `resources/`):
//! - `context/kv`: key → its state (create revision, mod revision, version, value);
//! - `context/history`: (revision, index in the transaction) → the event, kept until [`compact`];
//! - `context/meta`: `revision` (the store revision) and `compacted` (the compaction revision).
//!
//! A watch replays history in pages of [`REPLAY_PAGE`] entries, each in its own read transaction.
//! Transactions that only read run in a redb read transaction. Writing transactions are serialised by a mutex held from `begin_write` until their events are sent to
//! live watchers, so watchers see batches in revision order. A watcher first subscribes to the live
//! events, then replays history up to the revision it read, then streams live batches after it.
//!
//! [`compact`]: ContextStore::compact

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, Table, TableDefinition};
use tokio::sync::{broadcast, mpsc};

use super::codec::{decode_event, decode_state, encode_event, encode_state};
use super::watch::Watch;
use super::{
    ContextStore, Error, Event, EventKind, Key, KeyValue, Op, OpResponse, Range, Result, Revision,
    Txn, TxnResponse,
};

const KV: TableDefinition<&[u8], &[u8]> = TableDefinition::new("context/kv");
const HISTORY: TableDefinition<(i64, u32), &[u8]> = TableDefinition::new("context/history");
const META: TableDefinition<&str, i64> = TableDefinition::new("context/meta");

const REVISION: &str = "revision";
const COMPACTED: &str = "compacted";

/// How many committed transactions a live watcher may fall behind before it is cancelled with
/// [`Error::WatchLagged`].
pub const LIVE_BUFFER: usize = 1024;

/// The redb-backed context store. Cheap to clone; clones share the live watchers.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
    shared: Arc<Shared>,
}

struct Shared {
    /// Held from the start of a writing transaction until its events are broadcast.
    write: Mutex<()>,
    /// Each committed writing transaction's events.
    events: broadcast::Sender<Arc<Vec<Event>>>,
}

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend {
        message: e.to_string(),
        retryable: false,
    }
}

impl EmbeddedStore {
    /// Opens (or creates) the store in the redb file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let db = Database::create(path.as_ref())
            .map_err(|e| backend(format!("opening {}: {e}", path.as_ref().display())))?;
        Self::with_database(Arc::new(db))
    }

    /// Uses an already open redb database, shared with other stores (the resource store's, for one).
    pub fn with_database(db: Arc<Database>) -> Result<Self> {
        let txn = db.begin_write().map_err(backend)?;
        {
            txn.open_table(KV).map_err(backend)?;
            txn.open_table(HISTORY).map_err(backend)?;
            let mut meta = txn.open_table(META).map_err(backend)?;
            if meta.get(REVISION).map_err(backend)?.is_none() {
                meta.insert(REVISION, 1).map_err(backend)?;
                meta.insert(COMPACTED, 0).map_err(backend)?;
            }
        }
        txn.commit().map_err(backend)?;
        let (events, _) = broadcast::channel(LIVE_BUFFER);
        let shared = Arc::new(Shared {
            write: Mutex::new(()),
            events,
        });
        Ok(Self { db, shared })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database, &Shared) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (db, shared) = (Arc::clone(&self.db), Arc::clone(&self.shared));
        tokio::task::spawn_blocking(move || f(&db, &shared))
            .await
            .map_err(backend)?
    }
}

fn meta(table: &impl ReadableTable<&'static str, i64>, name: &str) -> Result<i64> {
    Ok(table.get(name).map_err(backend)?.map_or(0, |v| v.value()))
}

fn read(
    kv: &impl ReadableTable<&'static [u8], &'static [u8]>,
    key: &Key,
) -> Result<Option<KeyValue>> {
    let Some(found) = kv.get(key.as_bytes()).map_err(backend)? else {
        return Ok(None);
    };
    decode_state(key.clone(), found.value())
        .map(Some)
        .ok_or_else(|| backend(format!("malformed state of {key}")))
}

fn scan(
    kv: &impl ReadableTable<&'static [u8], &'static [u8]>,
    prefix: &Key,
) -> Result<Vec<KeyValue>> {
    let mut out = Vec::new();
    for entry in kv.range::<&[u8]>(prefix.as_bytes()..).map_err(backend)? {
        let (k, v) = entry.map_err(backend)?;
        let key = Key::new(k.value());
        if !key.starts_with(prefix) {
            break;
        }
        let kv = decode_state(key, v.value()).ok_or_else(|| backend("malformed state"))?;
        out.push(kv);
    }
    Ok(out)
}

/// True when neither branch of `txn` writes.
fn read_only(txn: &Txn) -> bool {
    let reads = |op: &Op| matches!(op, Op::Get(_) | Op::Range(_));
    txn.success.iter().chain(&txn.failure).all(reads)
}

/// Runs a transaction that only reads in one redb read transaction, beside any writer.
fn run_read(db: &Database, txn: Txn) -> Result<TxnResponse> {
    let rtxn = db.begin_read().map_err(backend)?;
    let kv = rtxn.open_table(KV).map_err(backend)?;
    let revision = Revision(meta(&rtxn.open_table(META).map_err(backend)?, REVISION)?);
    let mut succeeded = true;
    for compare in &txn.compare {
        succeeded &= compare.holds(read(&kv, &compare.key)?.as_ref());
    }
    let ops = if succeeded { txn.success } else { txn.failure };
    let mut responses = Vec::with_capacity(ops.len());
    for op in ops {
        let kvs = match op {
            Op::Get(key) => read(&kv, &key)?.into_iter().collect(),
            Op::Range(prefix) => scan(&kv, &prefix)?,
            other => return Err(backend(format!("{other:?} in a read-only transaction"))),
        };
        responses.push(OpResponse::Range(Range { kvs, revision }));
    }
    Ok(TxnResponse {
        succeeded,
        revision,
        responses,
    })
}

/// Runs `txn` in one redb write transaction; commits and broadcasts only when it changed something.
fn run_txn(db: &Database, shared: &Shared, txn: Txn) -> Result<TxnResponse> {
    let _serial = shared.write.lock().unwrap_or_else(PoisonError::into_inner);
    let wtxn = db.begin_write().map_err(backend)?;
    let (mut response, events) = {
        let mut kv = wtxn.open_table(KV).map_err(backend)?;
        let mut meta_table = wtxn.open_table(META).map_err(backend)?;
        let current = Revision(meta(&meta_table, REVISION)?);
        let mut succeeded = true;
        for compare in &txn.compare {
            succeeded &= compare.holds(read(&kv, &compare.key)?.as_ref());
        }
        let ops = if succeeded { txn.success } else { txn.failure };
        let next = current.next();
        let mut events = Vec::new();
        let mut responses = Vec::with_capacity(ops.len());
        for op in ops {
            responses.push(apply(&mut kv, op, next, &mut events)?);
        }
        let revision = if events.is_empty() { current } else { next };
        if !events.is_empty() {
            let mut history = wtxn.open_table(HISTORY).map_err(backend)?;
            for (i, event) in events.iter().enumerate() {
                history
                    .insert((next.0, i as u32), encode_event(event).as_slice())
                    .map_err(backend)?;
            }
            meta_table.insert(REVISION, next.0).map_err(backend)?;
        }
        let response = TxnResponse {
            succeeded,
            revision,
            responses,
        };
        (response, events)
    };
    for r in &mut response.responses {
        if let OpResponse::Range(range) = r {
            range.revision = response.revision;
        }
    }
    if events.is_empty() {
        wtxn.abort().map_err(backend)?;
    } else {
        wtxn.commit().map_err(backend)?;
        // No receivers is not an error: nobody is watching.
        let _ = shared.events.send(Arc::new(events));
    }
    Ok(response)
}

/// Applies one operation at revision `next`, recording its events.
fn apply(
    kv: &mut Table<&'static [u8], &'static [u8]>,
    op: Op,
    next: Revision,
    events: &mut Vec<Event>,
) -> Result<OpResponse> {
    let found = match op {
        Op::Get(key) => {
            let kvs = read(kv, &key)?.into_iter().collect();
            return Ok(OpResponse::Range(Range {
                kvs,
                revision: next,
            }));
        }
        Op::Range(prefix) => {
            let kvs = scan(kv, &prefix)?;
            return Ok(OpResponse::Range(Range {
                kvs,
                revision: next,
            }));
        }
        Op::Put { key, value } => {
            let prev = read(kv, &key)?;
            let new = KeyValue {
                key,
                value,
                create_revision: prev.as_ref().map_or(next, |p| p.create_revision),
                mod_revision: next,
                version: prev.as_ref().map_or(0, |p| p.version) + 1,
            };
            kv.insert(new.key.as_bytes(), encode_state(&new).as_slice())
                .map_err(backend)?;
            events.push(Event {
                kind: EventKind::Put,
                kv: new,
                prev,
            });
            return Ok(OpResponse::Put);
        }
        Op::Delete(key) => read(kv, &key)?.into_iter().collect::<Vec<_>>(),
        Op::DeletePrefix(prefix) => scan(kv, &prefix)?,
    };
    for prev in &found {
        kv.remove(prev.key.as_bytes()).map_err(backend)?;
        events.push(Event {
            kind: EventKind::Delete,
            kv: KeyValue {
                key: prev.key.clone(),
                value: Vec::new(),
                create_revision: Revision(0),
                mod_revision: next,
                version: 0,
            },
            prev: Some(prev.clone()),
        });
    }
    Ok(OpResponse::Delete(found.len() as u64))
}

/// Where a watch starts: the history position to replay from (none for a live-only watch), and the
/// store revision its replay runs up to. Fails with [`Error::Compacted`] when `from` is compacted.
fn start(db: &Database, from: Option<Revision>) -> Result<(Option<Position>, Revision)> {
    let rtxn = db.begin_read().map_err(backend)?;
    let meta_table = rtxn.open_table(META).map_err(backend)?;
    let current = Revision(meta(&meta_table, REVISION)?);
    let Some(from) = from else {
        return Ok((None, current));
    };
    let compacted = Revision(meta(&meta_table, COMPACTED)?);
    if from < compacted {
        return Err(Error::Compacted {
            requested: from,
            compacted,
        });
    }
    // Live events before `from` are not wanted either.
    Ok((Some((from.0, 0)), current.max(Revision(from.0 - 1))))
}

/// A position in the history table: (revision, index in its transaction).
type Position = (i64, u32);

/// Up to [`REPLAY_PAGE`] history entries from `at` up to revision `upto`: the events under `prefix`, and
/// where the next page starts (none when done). Fails with [`Error::Compacted`] if a compaction removed
/// entries not yet replayed.
fn replay_page(
    db: &Database,
    prefix: &Key,
    at: Position,
    upto: Revision,
) -> Result<(Vec<Event>, Option<Position>)> {
    let rtxn = db.begin_read().map_err(backend)?;
    let compacted = Revision(meta(&rtxn.open_table(META).map_err(backend)?, COMPACTED)?);
    if Revision(at.0) < compacted {
        return Err(Error::Compacted {
            requested: Revision(at.0),
            compacted,
        });
    }
    let history = rtxn.open_table(HISTORY).map_err(backend)?;
    let mut events = Vec::new();
    let entries = history.range(at..=(upto.0, u32::MAX)).map_err(backend)?;
    for (read, entry) in entries.enumerate() {
        let (k, v) = entry.map_err(backend)?;
        if read == REPLAY_PAGE {
            return Ok((events, Some(k.value())));
        }
        let event = decode_event(v.value()).ok_or_else(|| backend("malformed history event"))?;
        if event.kv.key.starts_with(prefix) {
            events.push(event);
        }
    }
    Ok((events, None))
}

/// How many history entries a watch reads per redb read transaction while it replays.
pub const REPLAY_PAGE: usize = 1024;

fn compact(db: &Database, shared: &Shared, revision: Revision) -> Result<()> {
    let _serial = shared.write.lock().unwrap_or_else(PoisonError::into_inner);
    let wtxn = db.begin_write().map_err(backend)?;
    {
        let mut meta_table = wtxn.open_table(META).map_err(backend)?;
        let compacted = Revision(meta(&meta_table, COMPACTED)?);
        if revision > Revision(meta(&meta_table, REVISION)?) {
            return Err(Error::FutureRevision(revision));
        }
        if revision <= compacted {
            return Err(Error::Compacted {
                requested: revision,
                compacted,
            });
        }
        let mut history = wtxn.open_table(HISTORY).map_err(backend)?;
        history
            .retain_in((compacted.0, 0)..(revision.0, 0), |_, _| false)
            .map_err(backend)?;
        meta_table.insert(COMPACTED, revision.0).map_err(backend)?;
    }
    wtxn.commit().map_err(backend)
}

impl EmbeddedStore {
    /// A watch's task: replays history from `at` up to `upto` page by page, then forwards live batches
    /// after `upto`. Ends at the first error, or when the watch is dropped.
    async fn feed(
        self,
        prefix: Key,
        mut at: Option<Position>,
        upto: Revision,
        mut live: broadcast::Receiver<Arc<Vec<Event>>>,
        tx: mpsc::Sender<Result<Event>>,
    ) {
        while let Some(position) = at {
            let key = prefix.clone();
            let page = self
                .blocking(move |db, _| replay_page(db, &key, position, upto))
                .await;
            let events = match page {
                Ok((events, next)) => {
                    at = next;
                    events
                }
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            for event in events {
                if tx.send(Ok(event)).await.is_err() {
                    return;
                }
            }
        }
        loop {
            let batch = tokio::select! {
                _ = tx.closed() => return,
                batch = live.recv() => batch,
            };
            let batch = match batch {
                Ok(batch) => batch,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    let _ = tx.send(Err(Error::WatchLagged(n))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            for event in batch.iter() {
                if event.revision() > upto
                    && event.kv.key.starts_with(&prefix)
                    && tx.send(Ok(event.clone())).await.is_err()
                {
                    return;
                }
            }
        }
    }
}

#[async_trait]
impl ContextStore for EmbeddedStore {
    async fn txn(&self, txn: Txn) -> Result<TxnResponse> {
        txn.check()?;
        if read_only(&txn) {
            return self.blocking(move |db, _| run_read(db, txn)).await;
        }
        self.blocking(move |db, shared| run_txn(db, shared, txn))
            .await
    }

    async fn watch(&self, prefix: &Key, from: Option<Revision>) -> Result<Watch> {
        // Subscribe first: every batch committed after the revision read below is then in `live`.
        let live = self.shared.events.subscribe();
        let (at, upto) = self.blocking(move |db, _| start(db, from)).await?;
        let (tx, watch) = Watch::channel();
        tokio::spawn(self.clone().feed(prefix.clone(), at, upto, live, tx));
        Ok(watch)
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.blocking(move |db, shared| compact(db, shared, revision))
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::context::MAX_OPS;
    use crate::context::watch::BUFFER;

    fn store() -> (tempfile::TempDir, EmbeddedStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_replay_longer_than_a_page_delivers_every_event_in_order() {
        let (_dir, store) = store();
        let first = store.revision().await.unwrap().next();
        let txns = REPLAY_PAGE / MAX_OPS * 2 + 1;
        for t in 0..txns {
            let ops: Vec<_> = (0..MAX_OPS)
                .map(|i| Op::put(Key::new(format!("/page/{t:03}/{i:03}")), "x"))
                .collect();
            store.txn(Txn::new().and_then(ops)).await.unwrap();
        }
        let mut watch = store
            .watch(&Key::from("/page/"), Some(first))
            .await
            .unwrap();
        for t in 0..txns {
            for i in 0..MAX_OPS {
                let event = watch.next().await.unwrap().unwrap();
                assert_eq!(event.kv.key, Key::new(format!("/page/{t:03}/{i:03}")));
                assert_eq!(event.revision(), Revision(first.0 + t as i64));
            }
        }
    }

    #[tokio::test]
    async fn dropping_a_watch_stops_its_task() {
        let (_dir, store) = store();
        let watch = store.watch(&Key::from("/"), None).await.unwrap();
        assert_eq!(store.shared.events.receiver_count(), 1);
        drop(watch);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while store.shared.events.receiver_count() > 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the watch task did not stop"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn a_watcher_that_falls_behind_gets_an_error_after_the_events_it_kept() {
        let (_dir, store) = store();
        let k = Key::from("/lag");
        let mut watch = store.watch(&k, None).await.unwrap();
        let writes = LIVE_BUFFER + BUFFER + 16;
        for i in 0..writes {
            store.put(&k, i.to_string().into_bytes()).await.unwrap();
        }
        let mut seen = 0;
        let end = loop {
            match watch.next().await.expect("the watch ends with an error") {
                Ok(event) => {
                    assert_eq!(
                        event.kv.value,
                        seen.to_string().into_bytes(),
                        "no event is skipped"
                    );
                    seen += 1;
                }
                Err(e) => break e,
            }
        };
        assert!(matches!(end, Error::WatchLagged(_)), "{end:?}");
        assert!(seen < writes);
        assert!(watch.next().await.is_none());
    }
}
