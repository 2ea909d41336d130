//! Tests against a real MongoDB deployment (a replica set), named by `CANOPY_TEST_MONGODB_URI`. Each test
//! uses a fresh database and drops it at the end. Without the variable each test says loudly that it was
//! skipped and passes, because no MongoDB server can be installed on the development machines.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::MongoStore;
use crate::store::key::{self, Key};
use crate::store::{Error, Put, ResourceStore, Write, conformance};

const URI_VAR: &str = "CANOPY_TEST_MONGODB_URI";

/// The deployment's URI, or `None` after printing the skip notice.
fn test_uri() -> Option<String> {
    match std::env::var(URI_VAR) {
        Ok(uri) if !uri.trim().is_empty() => Some(uri),
        _ => {
            eprintln!(
                "SKIPPED: MongoDB conformance suite not run: {URI_VAR} is not set (no MongoDB server \
                 can be installed on this machine)"
            );
            None
        }
    }
}

/// A database name no other run or test uses: `canopy_conformance_<pid>_<nanos>_<n>`.
fn fresh_database() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_nanos();
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("canopy_conformance_{}_{nanos}_{n}", std::process::id())
}

/// A store on a fresh database, or `None` when the test is skipped.
async fn fresh_store() -> Option<(String, String, MongoStore)> {
    let uri = test_uri()?;
    let name = fresh_database();
    let store = MongoStore::connect(&uri, &name)
        .await
        .expect("connecting to CANOPY_TEST_MONGODB_URI");
    Some((uri, name, store))
}

async fn drop_database(store: &MongoStore) {
    store
        .database
        .drop()
        .await
        .expect("dropping the test database");
}

fn project(name: &str) -> Key {
    Key::parse(&key::PROJECT, &[name]).unwrap()
}

fn composite_app(project: &str, name: &str) -> Key {
    Key::parse(&key::COMPOSITE_APP, &[project, name, "v1"]).unwrap()
}

#[tokio::test]
async fn mongo_store_passes_the_conformance_suite() {
    let Some((_, _, store)) = fresh_store().await else {
        return;
    };
    conformance::run(&store).await;
    drop_database(&store).await;
}

#[tokio::test]
async fn data_survives_reconnecting_with_a_new_client() {
    let Some((uri, name, store)) = fresh_store().await else {
        return;
    };
    conformance::write_fixture(&store).await;
    let reconnected = MongoStore::connect(&uri, &name).await.unwrap();
    conformance::check_fixture(&reconnected).await;
    drop_database(&store).await;
}

#[tokio::test]
async fn tricky_bodies_read_back_equal_through_the_server() {
    let Some((_, _, store)) = fresh_store().await else {
        return;
    };
    let body = json!({
        "ints": [0, -1, i64::MIN, i64::MAX, u64::MAX],
        "floats": [1.0, -0.5, 1e300, 0.1],
        "strings": ["", "ünïcödé ✓ 🚀 日本語", "nul \u{0} inside"],
        "nested": [[[]], [{}], {"a": {"b": [null, true, [1, [2.0]]]}}],
        "labels": {"app.kubernetes.io/name": "web", "$dollar": "kept"},
    });
    let p = project("tricky");
    store
        .write(vec![Write::Create(Put::new(p.clone(), body.clone()))])
        .await
        .unwrap();
    assert_eq!(store.get(&p).await.unwrap().unwrap().data, body);
    drop_database(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_deleted_while_its_child_is_created_never_leaves_an_orphan() {
    let Some((_, _, store)) = fresh_store().await else {
        return;
    };
    for i in 0..20 {
        let name = format!("race{i}");
        let (p, ca) = (project(&name), composite_app(&name, "ca"));
        store
            .write(vec![Write::Create(Put::new(p.clone(), json!({})))])
            .await
            .unwrap();
        let (deleted, created) = tokio::join!(
            store.write(vec![Write::Delete(p.clone())]),
            store.write(vec![Write::Create(Put::new(ca.clone(), json!({})))]),
        );
        match (deleted, created) {
            (Ok(_), Err(Error::ParentMissing { .. })) => {}
            (Err(Error::HasChildren { .. }), Ok(_)) => {
                store
                    .write(vec![Write::Delete(ca.clone()), Write::Delete(p.clone())])
                    .await
                    .unwrap();
            }
            other => {
                panic!("round {i}: the delete and the create both committed or failed: {other:?}")
            }
        }
        assert_eq!(
            store.get(&ca).await.unwrap(),
            None,
            "round {i}: orphan left"
        );
    }
    drop_database(&store).await;
}

/// Needs no server: nothing listens at the address, so server selection times out.
#[tokio::test]
async fn an_unreachable_server_is_a_retryable_backend_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri =
        format!("mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=300&connectTimeoutMS=300");
    let Err(err) = MongoStore::connect(&uri, &fresh_database()).await else {
        panic!("connected to a closed port");
    };
    assert!(
        matches!(
            err,
            Error::Backend {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("listing collections"), "{err}");
}
