//! The conformance suite every [`ContextStore`] implementation passes. It lives in the library, not under
//! `#[cfg(test)]`, so each implementation's tests call the same code: [`run`] on an empty store.
//!
//! It covers single-key calls and their revisions, prefix range, compare-and-swap transactions, the
//! operation limit, watch (history replay, live events, prefix filtering, order without loss), a range
//! and a replay larger than one gRPC message, and compaction.

use std::time::Duration;

use super::{
    Compare, CompareOp, ContextStore, Error, Event, EventKind, Key, MAX_OPS, Op, OpResponse,
    Revision, Target, Txn, Watch,
};

/// How long a watch event may take to arrive.
const EVENT_DEADLINE: Duration = Duration::from_secs(10);

/// Runs every check against `store`, which must start empty. Panics on the first failure. Compaction runs
/// last, as on etcd it affects the whole store.
pub async fn run(store: &dyn ContextStore) {
    single_keys(store).await;
    revisions(store).await;
    prefix_range(store).await;
    compare_and_swap(store).await;
    operation_limit(store).await;
    watch_replays_history_then_streams_live_events(store).await;
    watch_delivers_many_events_in_order(store).await;
    large_range_and_replay(store).await;
    compaction(store).await;
}

fn key(s: &str) -> Key {
    Key::from(s)
}

async fn next(watch: &mut Watch) -> Result<Event, Error> {
    tokio::time::timeout(EVENT_DEADLINE, watch.next())
        .await
        .expect("a watch event within the deadline")
        .expect("the watch is still open")
}

async fn single_keys(store: &dyn ContextStore) {
    let k = key("/conf/single/a");
    assert_eq!(store.get(&k).await.unwrap(), None);
    let r1 = store.put(&k, b"1".to_vec()).await.unwrap();
    let kv = store.get(&k).await.unwrap().expect("put key is readable");
    assert_eq!(kv.key, k);
    assert_eq!(kv.value, b"1");
    assert_eq!(
        (kv.create_revision, kv.mod_revision, kv.version),
        (r1, r1, 1)
    );

    let r2 = store.put(&k, b"2".to_vec()).await.unwrap();
    assert!(r2 > r1);
    let kv = store.get(&k).await.unwrap().unwrap();
    assert_eq!(kv.value, b"2");
    assert_eq!(
        (kv.create_revision, kv.mod_revision, kv.version),
        (r1, r2, 2)
    );

    assert_eq!(store.delete(&k).await.unwrap(), 1);
    assert_eq!(store.get(&k).await.unwrap(), None);
    assert_eq!(store.delete(&k).await.unwrap(), 0);

    let r3 = store.put(&k, b"3".to_vec()).await.unwrap();
    let kv = store.get(&k).await.unwrap().unwrap();
    assert_eq!(
        (kv.create_revision, kv.version),
        (r3, 1),
        "a re-created key starts over"
    );

    let other = key("/conf/single/b");
    let missing = key("/conf/single/missing");
    store.put(&other, b"b".to_vec()).await.unwrap();
    let all = store
        .get_all(&[other.clone(), missing, k.clone()])
        .await
        .unwrap();
    let values: Vec<Option<Vec<u8>>> = all.into_iter().map(|kv| kv.map(|kv| kv.value)).collect();
    assert_eq!(
        values,
        [Some(b"b".to_vec()), None, Some(b"3".to_vec())],
        "several keys read at once, in order, absent ones as None"
    );
    store.delete(&other).await.unwrap();
}

async fn revisions(store: &dyn ContextStore) {
    let before = store.revision().await.unwrap();
    let (a, b) = (key("/conf/rev/a"), key("/conf/rev/b"));
    let both = store
        .txn(Txn::new().and_then([Op::put(a.clone(), "1"), Op::put(b.clone(), "1")]))
        .await
        .unwrap();
    assert!(both.succeeded);
    assert_eq!(
        both.revision,
        before.next(),
        "one transaction is one revision"
    );
    for k in [&a, &b] {
        assert_eq!(
            store.get(k).await.unwrap().unwrap().mod_revision,
            both.revision
        );
    }
    store.get(&a).await.unwrap();
    store.delete(&key("/conf/rev/absent")).await.unwrap();
    assert_eq!(
        store.revision().await.unwrap(),
        both.revision,
        "reads and deletes of absent keys change nothing"
    );
}

async fn prefix_range(store: &dyn ContextStore) {
    for k in [
        "/conf/range/b",
        "/conf/range/a",
        "/conf/range/c/d",
        "/conf/rangex",
    ] {
        store.put(&key(k), k.as_bytes().to_vec()).await.unwrap();
    }
    let range = store.range(&key("/conf/range/")).await.unwrap();
    let keys: Vec<_> = range.kvs.iter().map(|kv| kv.key.to_string()).collect();
    assert_eq!(keys, ["/conf/range/a", "/conf/range/b", "/conf/range/c/d"]);
    assert_eq!(range.kvs[0].value, b"/conf/range/a");
    assert_eq!(range.revision, store.revision().await.unwrap());
    assert_eq!(store.count(&key("/conf/range/")).await.unwrap(), 3);
    assert_eq!(store.count(&key("/conf/nothing/")).await.unwrap(), 0);

    assert_eq!(store.delete_prefix(&key("/conf/range/")).await.unwrap(), 3);
    assert_eq!(store.count(&key("/conf/range/")).await.unwrap(), 0);
    assert!(
        store
            .range(&key("/conf/range/"))
            .await
            .unwrap()
            .kvs
            .is_empty()
    );
    assert!(store.get(&key("/conf/rangex")).await.unwrap().is_some());
}

async fn compare_and_swap(store: &dyn ContextStore) {
    let k = key("/conf/cas/k");
    let create = Txn::new()
        .when([Compare::absent(k.clone())])
        .and_then([Op::put(k.clone(), "v1")])
        .or_else([Op::Get(k.clone())]);
    let first = store.txn(create.clone()).await.unwrap();
    assert!(first.succeeded);
    assert_eq!(first.responses, [OpResponse::Put]);
    let second = store.txn(create).await.unwrap();
    assert!(!second.succeeded, "the key exists now");
    assert_eq!(second.revision, first.revision);
    let OpResponse::Range(range) = &second.responses[0] else {
        panic!("the failure branch's get returns a range: {second:?}");
    };
    assert_eq!(range.kvs[0].value, b"v1");

    let swap = |rev: Revision, value: &str| {
        Txn::new()
            .when([Compare::mod_revision(k.clone(), rev)])
            .and_then([Op::put(k.clone(), value)])
    };
    assert!(
        !store
            .txn(swap(Revision(first.revision.0 - 1), "stale"))
            .await
            .unwrap()
            .succeeded
    );
    let swapped = store.txn(swap(first.revision, "v2")).await.unwrap();
    assert!(swapped.succeeded);
    assert!(
        !store
            .txn(swap(first.revision, "v3"))
            .await
            .unwrap()
            .succeeded
    );

    let holds = |compare: Compare| async move {
        store
            .txn(Txn::new().when([compare]))
            .await
            .unwrap()
            .succeeded
    };
    let cmp = |op, target| Compare::new(k.clone(), op, target);
    assert!(holds(cmp(CompareOp::Equal, Target::Version(2))).await);
    assert!(holds(cmp(CompareOp::Greater, Target::Version(1))).await);
    assert!(
        holds(cmp(
            CompareOp::Less,
            Target::ModRevision(swapped.revision.next())
        ))
        .await
    );
    assert!(
        holds(cmp(
            CompareOp::Equal,
            Target::CreateRevision(first.revision)
        ))
        .await
    );
    assert!(holds(cmp(CompareOp::Equal, Target::Value(b"v2".to_vec()))).await);
    assert!(holds(cmp(CompareOp::NotEqual, Target::Value(b"v1".to_vec()))).await);
    assert!(holds(cmp(CompareOp::Greater, Target::Value(b"v1".to_vec()))).await);
    assert!(!holds(cmp(CompareOp::Less, Target::Value(b"v1".to_vec()))).await);
    let absent = key("/conf/cas/absent");
    let on_absent = |op, target| Compare::new(absent.clone(), op, target);
    assert!(holds(on_absent(CompareOp::Equal, Target::Version(0))).await);
    assert!(
        holds(on_absent(
            CompareOp::Equal,
            Target::ModRevision(Revision(0))
        ))
        .await
    );
    assert!(!holds(on_absent(CompareOp::NotEqual, Target::Value(b"x".to_vec()))).await);

    // Operations run in order, and a get sees the branch's earlier writes.
    let (a, b) = (key("/conf/cas/p/a"), key("/conf/cas/p/b"));
    let txn = Txn::new().and_then([
        Op::put(a.clone(), "1"),
        Op::Get(a.clone()),
        Op::put(b.clone(), "1"),
        Op::Range(key("/conf/cas/p/")),
    ]);
    let done = store.txn(txn).await.unwrap();
    assert_eq!(done.responses.len(), 4);
    assert_eq!(done.responses[1].clone().into_range().kvs[0].value, b"1");
    assert_eq!(done.responses[3].clone().into_range().kvs.len(), 2);
    let cleared = Txn::new().and_then([Op::DeletePrefix(key("/conf/cas/p/"))]);
    assert_eq!(
        store.txn(cleared).await.unwrap().responses,
        [OpResponse::Delete(2)]
    );

    // Like etcd, a branch may not write a key twice.
    for ops in [
        vec![Op::put(a.clone(), "1"), Op::put(a.clone(), "2")],
        vec![Op::put(a.clone(), "1"), Op::DeletePrefix(key("/conf/cas/"))],
        vec![Op::Delete(a.clone()), Op::put(a.clone(), "1")],
    ] {
        let e = store.txn(Txn::new().and_then(ops)).await.unwrap_err();
        assert!(matches!(&e, Error::DuplicateKey(k) if *k == a), "{e:?}");
    }
    assert_eq!(
        store.get(&a).await.unwrap(),
        None,
        "a refused transaction writes nothing"
    );
}

async fn operation_limit(store: &dyn ContextStore) {
    let puts = |n: usize| {
        (0..n)
            .map(|i| Op::put(key(&format!("/conf/limit/{i:03}")), "x"))
            .collect::<Vec<_>>()
    };
    let too_many = store.txn(Txn::new().and_then(puts(MAX_OPS + 1))).await;
    match too_many {
        Err(e @ Error::TooManyOps { count, .. }) => {
            assert_eq!(count, MAX_OPS + 1);
            assert!(!e.is_retryable());
        }
        other => panic!(
            "{} operations must fail with TooManyOps: {other:?}",
            MAX_OPS + 1
        ),
    }
    let at_limit = store.txn(Txn::new().and_then(puts(MAX_OPS))).await.unwrap();
    assert!(at_limit.succeeded);
    let range = store.range(&key("/conf/limit/")).await.unwrap();
    assert_eq!(range.kvs.len(), MAX_OPS);
    assert!(
        range
            .kvs
            .iter()
            .all(|kv| kv.mod_revision == at_limit.revision)
    );
}

async fn watch_replays_history_then_streams_live_events(store: &dyn ContextStore) {
    let prefix = key("/conf/watch/");
    let (a, b) = (key("/conf/watch/a"), key("/conf/watch/b"));
    let start = store.put(&a, b"1".to_vec()).await.unwrap();
    store.put(&b, b"1".to_vec()).await.unwrap();
    store
        .put(&key("/conf/watchx"), b"x".to_vec())
        .await
        .unwrap();
    let deleted_at = store
        .txn(Txn::new().and_then([Op::Delete(a.clone())]))
        .await
        .unwrap()
        .revision;

    let mut watch = store.watch(&prefix, Some(start)).await.unwrap();
    let e = next(&mut watch).await.unwrap();
    assert_eq!(
        (e.kind, &e.kv.key, e.revision()),
        (EventKind::Put, &a, start)
    );
    let e = next(&mut watch).await.unwrap();
    assert_eq!((e.kind, &e.kv.key, e.kv.version), (EventKind::Put, &b, 1));
    let e = next(&mut watch).await.unwrap();
    assert_eq!(
        (e.kind, &e.kv.key, e.revision()),
        (EventKind::Delete, &a, deleted_at)
    );
    assert_eq!(e.prev.as_ref().map(|p| p.value.as_slice()), Some(&b"1"[..]));

    let live = store.put(&b, b"2".to_vec()).await.unwrap();
    let e = next(&mut watch).await.unwrap();
    assert_eq!(
        (e.kind, &e.kv.key, e.revision(), e.kv.version),
        (EventKind::Put, &b, live, 2)
    );
    assert_eq!(e.kv.value, b"2");
    assert_eq!(e.prev.map(|p| p.value), Some(b"1".to_vec()));

    // A live-only watch sees the next change and nothing before it.
    let mut from_now = store.watch(&prefix, None).await.unwrap();
    let batch = store
        .txn(Txn::new().and_then([Op::put(a.clone(), "2"), Op::Delete(b.clone())]))
        .await
        .unwrap();
    for w in [&mut watch, &mut from_now] {
        let put = next(w).await.unwrap();
        let delete = next(w).await.unwrap();
        assert_eq!(
            (put.kind, &put.kv.key, put.revision()),
            (EventKind::Put, &a, batch.revision)
        );
        assert_eq!((delete.kind, &delete.kv.key), (EventKind::Delete, &b));
        assert_eq!(delete.revision(), batch.revision);
    }

    // A watch from a revision not reached yet starts there.
    let now = store.revision().await.unwrap();
    let mut later = store
        .watch(&prefix, Some(Revision(now.0 + 2)))
        .await
        .unwrap();
    store.put(&a, b"skipped".to_vec()).await.unwrap();
    let wanted = store.put(&a, b"wanted".to_vec()).await.unwrap();
    let e = next(&mut later).await.unwrap();
    assert_eq!(
        (e.revision(), e.kv.value.as_slice()),
        (wanted, &b"wanted"[..])
    );

    // Dropping a watch cancels it; the store carries on.
    drop(watch);
    drop(from_now);
    drop(later);
    store.put(&a, b"3".to_vec()).await.unwrap();
}

async fn watch_delivers_many_events_in_order(store: &dyn ContextStore) {
    const EVENTS: usize = 300;
    let prefix = key("/conf/many/");
    let mut watch = store.watch(&prefix, None).await.unwrap();
    let mut revisions = Vec::new();
    for i in 0..EVENTS {
        let k = key(&format!("/conf/many/{}", i % 7));
        revisions.push(store.put(&k, i.to_string().into_bytes()).await.unwrap());
    }
    for (i, revision) in revisions.into_iter().enumerate() {
        let e = next(&mut watch).await.unwrap();
        assert_eq!(e.revision(), revision, "event {i} in revision order");
        assert_eq!(e.kv.value, i.to_string().into_bytes());
    }
}

/// A status range over 10,000 clusters, or an outbox backlog after a NATS outage, is many megabytes: more
/// than one gRPC message may carry by default (4 MiB). A range must still return every key, and a watch
/// must still replay such a history.
async fn large_range_and_replay(store: &dyn ContextStore) {
    const BIG: usize = 48;
    const SMALL: usize = 2_500;
    let prefix = key("/conf/large/");
    let value = |i: usize| {
        let mut v = vec![b'a' + (i % 26) as u8; 100 * 1024];
        v[..8].copy_from_slice(&(i as u64).to_be_bytes());
        v
    };
    let start = store.revision().await.unwrap().next();
    for i in 0..BIG {
        store
            .put(&key(&format!("/conf/large/big/{i:03}")), value(i))
            .await
            .unwrap();
    }
    let small: Vec<Op> = (0..SMALL)
        .map(|i| Op::put(key(&format!("/conf/large/small/{i:05}")), i.to_string()))
        .collect();
    for chunk in small.chunks(MAX_OPS) {
        store
            .txn(Txn::new().and_then(chunk.to_vec()))
            .await
            .unwrap();
    }
    let written = store.revision().await.unwrap();

    let range = store.range(&prefix).await.unwrap();
    assert_eq!(range.kvs.len(), BIG + SMALL, "every key, past 4 MiB");
    assert_eq!(range.revision, written);
    for (i, kv) in range.kvs[..BIG].iter().enumerate() {
        assert_eq!(kv.key, key(&format!("/conf/large/big/{i:03}")));
        assert_eq!(kv.value, value(i), "big value {i}");
    }
    for (i, kv) in range.kvs[BIG..].iter().enumerate() {
        assert_eq!(kv.key, key(&format!("/conf/large/small/{i:05}")));
        assert_eq!(kv.value, i.to_string().into_bytes());
    }
    assert_eq!(store.count(&prefix).await.unwrap(), BIG + SMALL);

    let mut watch = store.watch(&prefix, Some(start)).await.unwrap();
    for i in 0..BIG {
        let e = next(&mut watch).await.unwrap();
        assert_eq!(
            e.revision(),
            Revision(start.0 + i as i64),
            "replayed in order"
        );
        assert_eq!(e.kv.value, value(i), "replayed big value {i}");
    }
    for i in 0..SMALL {
        let e = next(&mut watch).await.unwrap();
        assert_eq!(
            e.kv.value,
            i.to_string().into_bytes(),
            "replayed small value {i}"
        );
    }
    drop(watch);
    assert_eq!(
        store.delete_prefix(&prefix).await.unwrap(),
        (BIG + SMALL) as u64
    );
}

async fn compaction_error(store: &dyn ContextStore, prefix: &Key, from: Revision) -> Error {
    match store.watch(prefix, Some(from)).await {
        Err(e) => e,
        Ok(mut watch) => next(&mut watch)
            .await
            .expect_err("a watch from a compacted revision fails"),
    }
}

async fn compaction(store: &dyn ContextStore) {
    let prefix = key("/conf/compact/");
    let k = key("/conf/compact/k");
    let r1 = store.put(&k, b"1".to_vec()).await.unwrap();
    let r2 = store.put(&k, b"2".to_vec()).await.unwrap();
    store.compact(r2).await.unwrap();

    let e = compaction_error(store, &prefix, r1).await;
    assert!(
        matches!(e, Error::Compacted { requested, .. } if requested == r1),
        "watch from before the compaction: {e:?}"
    );
    assert!(!e.is_retryable());

    let mut watch = store.watch(&prefix, Some(r2)).await.unwrap();
    let e = next(&mut watch).await.unwrap();
    assert_eq!((e.revision(), e.kv.value.as_slice()), (r2, &b"2"[..]));

    assert!(matches!(
        store.compact(r1).await,
        Err(Error::Compacted { .. })
    ));
    let future = Revision(store.revision().await.unwrap().0 + 100);
    assert!(matches!(store.compact(future).await, Err(Error::FutureRevision(r)) if r == future));
    assert_eq!(
        store.get(&k).await.unwrap().unwrap().value,
        b"2",
        "compaction keeps current values"
    );
}
