//! The context store: the conformance suite on the embedded store and on a real etcd, the etcd store
//! carrying on after etcd is killed and restarted, and the embedded context store sharing one redb file
//! with the resource store.

use std::sync::Arc;
use std::time::Duration;

use canopy_engine::context::{self, ContextStore, Key, conformance, etcd, retry};
use canopy_engine::store::{self, Put, ResourceStore, Write};
use canopy_tests::EtcdServer;

#[tokio::test]
async fn embedded_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = context::EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
    conformance::run(&store).await;
}

#[tokio::test]
async fn etcd_store_passes_the_conformance_suite() {
    let server = EtcdServer::start().await.unwrap();
    let store = etcd::Config::new([server.endpoint()])
        .connect()
        .await
        .unwrap();
    conformance::run(&store).await;
}

#[tokio::test]
async fn etcd_store_calls_succeed_again_after_etcd_is_killed_and_restarted() {
    let server = EtcdServer::start().await.unwrap();
    let store = etcd::Config::new([server.endpoint()])
        .connect()
        .await
        .unwrap();
    let mut impatient = etcd::Config::new([server.endpoint()]);
    impatient.retry = retry::Policy {
        total: Duration::from_millis(300),
        ..retry::Policy::default()
    };
    let impatient = impatient.connect().await.unwrap();
    let k = Key::from("/restart/k");
    let before = store.put(&k, b"before".to_vec()).await.unwrap();

    let mut cut = store.watch(&Key::from("/restart/"), None).await.unwrap();
    server.kill();
    let ended = tokio::time::timeout(Duration::from_secs(10), cut.next())
        .await
        .expect("the watch notices etcd is gone")
        .expect("the watch ends with an error")
        .expect_err("no event while etcd is down");
    assert!(ended.is_retryable(), "re-watching may help: {ended:?}");
    let down = impatient.get(&k).await.expect_err("etcd is down");
    assert!(
        down.is_retryable(),
        "a lost server is worth retrying: {down:?}"
    );

    // This call starts while etcd is down and retries until it is back.
    let pending = tokio::spawn({
        let store = store.clone();
        let k = k.clone();
        async move { store.put(&k, b"after".to_vec()).await }
    });
    server.restart().await.unwrap();
    let after = pending
        .await
        .unwrap()
        .expect("the put succeeds once etcd is back");
    assert!(after > before);

    let kv = store
        .get(&k)
        .await
        .unwrap()
        .expect("the key survived the restart");
    assert_eq!(kv.value, b"after");
    assert_eq!(kv.create_revision, before);
    let mut watch = store
        .watch(&Key::from("/restart/"), Some(before))
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(
        first.revision(),
        before,
        "history from before the restart is replayed"
    );
}

#[tokio::test]
async fn embedded_context_and_resource_stores_share_one_redb_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("canopy.redb");
    let project = store::Key::parse(&store::key::PROJECT, &["shared"]).unwrap();
    let k = Key::from("/canopy/ctx/1/meta");
    let written = {
        let db = Arc::new(redb::Database::create(&path).unwrap());
        let resources = store::embedded::EmbeddedStore::with_database(Arc::clone(&db)).unwrap();
        let contexts = context::EmbeddedStore::with_database(db).unwrap();
        let put = Put::new(
            project.clone(),
            serde_json::json!({"metadata": {"name": "shared"}}),
        );
        resources.write(vec![Write::Create(put)]).await.unwrap();
        contexts.put(&k, b"meta".to_vec()).await.unwrap()
    };

    let db = Arc::new(redb::Database::create(&path).unwrap());
    let resources = store::embedded::EmbeddedStore::with_database(Arc::clone(&db)).unwrap();
    let contexts = context::EmbeddedStore::with_database(db).unwrap();
    assert!(resources.get(&project).await.unwrap().is_some());
    let kv = contexts
        .get(&k)
        .await
        .unwrap()
        .expect("the context key is in the same file");
    assert_eq!(
        (kv.value.as_slice(), kv.mod_revision),
        (&b"meta"[..], written)
    );
    assert_eq!(
        contexts.revision().await.unwrap(),
        written,
        "the revision persists"
    );
}
