//! The conformance suite every [`ResourceStore`] implementation passes. It lives in the library, not under
//! `#[cfg(test)]`, so each implementation's tests call the same code: [`run`] on an empty store.
//!
//! It covers create, get, replace and delete; parent, child and reference rules; unique claims; atomic
//! multi-record writes; listing with pagination and under a grandparent; and blobs of 50 MB.

use bytes::Bytes;
use serde_json::json;

use super::key::{self, Key};
use super::{Claim, Error, Outcome, PageRequest, Put, ResourceStore, Write};

/// Runs every check against `store`, which must start empty. Panics on the first failure.
pub async fn run(store: &dyn ResourceStore) {
    crud(store).await;
    parents_and_children(store).await;
    references(store).await;
    claims(store).await;
    atomic_writes(store).await;
    pagination(store).await;
    blobs(store).await;
}

fn project(name: &str) -> Key {
    Key::parse(&key::PROJECT, &[name]).unwrap()
}

fn composite_app(project: &str, name: &str) -> Key {
    Key::parse(&key::COMPOSITE_APP, &[project, name, "v1"]).unwrap()
}

fn app(project: &str, ca: &str, name: &str) -> Key {
    Key::parse(&key::APP, &[project, ca, "v1", name]).unwrap()
}

fn create(key: &Key) -> Write {
    Write::Create(Put::new(
        key.clone(),
        json!({"metadata": {"name": key.name().as_str()}}),
    ))
}

async fn crud(store: &dyn ResourceStore) {
    let p = project("crud");
    assert_eq!(store.get(&p).await.unwrap(), None);
    assert_eq!(
        store.write(vec![create(&p)]).await.unwrap(),
        [Outcome::Created]
    );
    let got = store
        .get(&p)
        .await
        .unwrap()
        .expect("created project is readable");
    assert_eq!(got.data, json!({"metadata": {"name": "crud"}}));
    assert!(matches!(store.write(vec![create(&p)]).await, Err(Error::AlreadyExists(k)) if k == p));

    let v2 = json!({"metadata": {"name": "crud", "description": "v2"}});
    let outcome = store
        .write(vec![Write::Replace(Put::new(p.clone(), v2.clone()))])
        .await
        .unwrap();
    assert_eq!(outcome, [Outcome::Updated]);
    assert_eq!(store.get(&p).await.unwrap().unwrap().data, v2);

    let fresh = project("crud-upsert");
    let outcome = store
        .write(vec![Write::Replace(Put::new(fresh.clone(), json!({})))])
        .await
        .unwrap();
    assert_eq!(outcome, [Outcome::Created]);

    for key in [&p, &fresh] {
        assert_eq!(
            store.write(vec![Write::Delete(key.clone())]).await.unwrap(),
            [Outcome::Deleted]
        );
        assert_eq!(store.get(key).await.unwrap(), None);
    }
    assert!(
        matches!(store.write(vec![Write::Delete(p.clone())]).await, Err(Error::NotFound(k)) if k == p)
    );
}

async fn parents_and_children(store: &dyn ResourceStore) {
    let ca = composite_app("family", "ca");
    let err = store.write(vec![create(&ca)]).await.unwrap_err();
    assert!(
        matches!(&err, Error::ParentMissing { parent, .. } if *parent == project("family")),
        "{err}"
    );

    store
        .write(vec![create(&project("family")), create(&ca)])
        .await
        .unwrap();
    let err = store
        .write(vec![Write::Delete(project("family"))])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::HasChildren { child, .. } if *child == ca),
        "{err}"
    );

    store
        .write(vec![Write::Delete(ca), Write::Delete(project("family"))])
        .await
        .unwrap();
}

async fn references(store: &dyn ResourceStore) {
    let (p, ca) = (project("refs"), composite_app("refs", "ca"));
    let (target, referrer) = (app("refs", "ca", "target"), app("refs", "ca", "referrer"));
    store.write(vec![create(&p), create(&ca)]).await.unwrap();

    let referring = Write::Create(Put::new(referrer.clone(), json!({})).refs([target.clone()]));
    let err = store.write(vec![referring.clone()]).await.unwrap_err();
    assert!(
        matches!(&err, Error::ReferenceMissing { target: t, .. } if *t == target),
        "{err}"
    );

    store.write(vec![create(&target), referring]).await.unwrap();
    assert_eq!(
        store.get(&referrer).await.unwrap().unwrap().refs,
        std::slice::from_ref(&target)
    );
    assert_eq!(
        store.referrers(&target, 10).await.unwrap(),
        std::slice::from_ref(&referrer)
    );
    let err = store
        .write(vec![Write::Delete(target.clone())])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Referenced { by, .. } if *by == referrer),
        "{err}"
    );
    assert!(
        err.to_string().contains("referrer"),
        "the message names the referrer: {err}"
    );

    // Replacing the referrer without the reference releases the target.
    store
        .write(vec![Write::Replace(Put::new(referrer.clone(), json!({})))])
        .await
        .unwrap();
    assert_eq!(store.referrers(&target, 10).await.unwrap(), []);
    store
        .write(vec![
            Write::Delete(target),
            Write::Delete(referrer),
            Write::Delete(ca),
            Write::Delete(p),
        ])
        .await
        .unwrap();
}

async fn claims(store: &dyn ResourceStore) {
    let (p, ca) = (project("claims"), composite_app("claims", "ca"));
    store.write(vec![create(&p), create(&ca)]).await.unwrap();
    let claim = Claim::new(&ca, "profile-for-app", "web");
    let holder =
        |name: &str| Put::new(app("claims", "ca", name), json!({})).claims([claim.clone()]);

    store
        .write(vec![Write::Create(holder("first"))])
        .await
        .unwrap();
    let err = store
        .write(vec![Write::Create(holder("second"))])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ClaimTaken { holder: h, .. } if *h == app("claims", "ca", "first")),
        "{err}"
    );
    assert_eq!(
        store.get(&app("claims", "ca", "second")).await.unwrap(),
        None,
        "a failed write leaves nothing"
    );

    // The holder may replace itself and keep its claim; once it is deleted the claim is free.
    store
        .write(vec![Write::Replace(holder("first"))])
        .await
        .unwrap();
    store
        .write(vec![Write::Delete(app("claims", "ca", "first"))])
        .await
        .unwrap();
    store
        .write(vec![Write::Create(holder("second"))])
        .await
        .unwrap();
    store
        .write(vec![
            Write::Delete(app("claims", "ca", "second")),
            Write::Delete(ca),
            Write::Delete(p),
        ])
        .await
        .unwrap();
}

async fn atomic_writes(store: &dyn ResourceStore) {
    let p = project("atomic");
    let orphan = composite_app("atomic-missing", "ca");
    assert!(
        store
            .write(vec![create(&p), create(&orphan)])
            .await
            .is_err()
    );
    assert_eq!(
        store.get(&p).await.unwrap(),
        None,
        "the first write of a failed batch must not persist"
    );

    let ca = composite_app("atomic", "ca");
    let outcomes = store
        .write(vec![
            create(&p),
            create(&ca),
            create(&app("atomic", "ca", "a")),
        ])
        .await
        .unwrap();
    assert_eq!(outcomes, [Outcome::Created; 3]);
    store
        .write(vec![
            Write::Delete(app("atomic", "ca", "a")),
            Write::Delete(ca),
            Write::Delete(p),
        ])
        .await
        .unwrap();
}

async fn pagination(store: &dyn ResourceStore) {
    let p = project("pages");
    let mut writes = vec![create(&p)];
    let names: Vec<String> = (0..25).map(|i| format!("ca{i:02}")).collect();
    writes.extend(names.iter().map(|n| create(&composite_app("pages", n))));
    // A deeper object and a neighbouring project must not show up in the listing.
    writes.push(create(&app("pages", "ca00", "deep")));
    writes.extend([
        create(&project("pages2")),
        create(&composite_app("pages2", "other")),
        create(&app("pages2", "other", "stray")),
    ]);
    store.write(writes).await.unwrap();

    let mut seen = Vec::new();
    let mut request = PageRequest {
        after: None,
        limit: Some(10),
    };
    let mut pages = 0;
    loop {
        let page = store
            .list(&key::COMPOSITE_APP, Some(&p), request.clone())
            .await
            .unwrap();
        pages += 1;
        assert!(page.items.len() <= 10);
        seen.extend(
            page.items
                .iter()
                .map(|r| r.key.names()[1].as_str().to_owned()),
        );
        match page.next {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, names, "pages cover every item once, in name order");
    assert_eq!(pages, 3);

    let all = store
        .list(&key::COMPOSITE_APP, Some(&p), PageRequest::default())
        .await
        .unwrap();
    assert_eq!((all.items.len(), all.next), (25, None));
    let roots = store
        .list(&key::PROJECT, None, PageRequest::default())
        .await
        .unwrap();
    let root_names: Vec<&str> = roots.items.iter().map(|r| r.key.name().as_str()).collect();
    assert_eq!(root_names, ["pages", "pages2"]);

    let deep = store
        .list(&key::APP, Some(&p), PageRequest::default())
        .await
        .unwrap();
    let deep: Vec<&Key> = deep.items.iter().map(|r| &r.key).collect();
    assert_eq!(
        deep,
        [&app("pages", "ca00", "deep")],
        "a listing under a grandparent spans its grandchildren, and only those"
    );

    let foreign = PageRequest {
        after: Some(project("pages2").storage_key()),
        limit: Some(5),
    };
    assert!(matches!(
        store.list(&key::COMPOSITE_APP, Some(&p), foreign).await,
        Err(Error::BadContinue)
    ));

    let mut cleanup = vec![Write::Delete(app("pages", "ca00", "deep"))];
    cleanup.extend(
        names
            .iter()
            .map(|n| Write::Delete(composite_app("pages", n))),
    );
    cleanup.extend([
        Write::Delete(app("pages2", "other", "stray")),
        Write::Delete(composite_app("pages2", "other")),
        Write::Delete(project("pages2")),
        Write::Delete(p),
    ]);
    store.write(cleanup).await.unwrap();
}

/// 50 MB of bytes that differ from chunk to chunk, so a misordered or dropped chunk is noticed.
fn big_blob() -> Bytes {
    let mut state: u32 = 0x9e37_79b9;
    (0..50_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

async fn blobs(store: &dyn ResourceStore) {
    let (p, ca, a) = (
        project("blobs"),
        composite_app("blobs", "ca"),
        app("blobs", "ca", "chart"),
    );
    store.write(vec![create(&p), create(&ca)]).await.unwrap();
    let big = big_blob();
    store
        .write(vec![Write::Create(
            Put::new(a.clone(), json!({})).blob("chart", big.clone()),
        )])
        .await
        .unwrap();
    assert_eq!(store.get(&a).await.unwrap().unwrap().blobs, ["chart"]);
    assert!(
        store.blob(&a, "chart").await.unwrap().unwrap() == big,
        "50 MB blob must round-trip byte for byte"
    );
    assert_eq!(store.blob(&a, "other").await.unwrap(), None);

    // Replace without the blob keeps it; replace with it swaps it.
    store
        .write(vec![Write::Replace(Put::new(a.clone(), json!({"v": 2})))])
        .await
        .unwrap();
    assert!(store.blob(&a, "chart").await.unwrap().unwrap() == big);
    let small = Bytes::from_static(b"small chart");
    store
        .write(vec![Write::Replace(
            Put::new(a.clone(), json!({})).blob("chart", small.clone()),
        )])
        .await
        .unwrap();
    assert_eq!(store.blob(&a, "chart").await.unwrap(), Some(small));

    // Delete removes the blob: a new object under the same key starts without it.
    store.write(vec![Write::Delete(a.clone())]).await.unwrap();
    store.write(vec![create(&a)]).await.unwrap();
    assert_eq!(store.blob(&a, "chart").await.unwrap(), None);
    store
        .write(vec![Write::Delete(a), Write::Delete(ca), Write::Delete(p)])
        .await
        .unwrap();
}

/// Writes a small fixture, for tests that reopen or restart a store and check it with [`check_fixture`].
pub async fn write_fixture(store: &dyn ResourceStore) {
    let (p, ca, a) = (
        project("durable"),
        composite_app("durable", "ca"),
        app("durable", "ca", "web"),
    );
    let put =
        Put::new(a, json!({"metadata": {"name": "web"}})).blob("chart", Bytes::from_static(b"tgz"));
    store
        .write(vec![create(&p), create(&ca), Write::Create(put)])
        .await
        .unwrap();
}

/// Checks what [`write_fixture`] wrote, including the parent rule on the reopened store.
pub async fn check_fixture(store: &dyn ResourceStore) {
    let a = app("durable", "ca", "web");
    assert_eq!(
        store.get(&a).await.unwrap().unwrap().data,
        json!({"metadata": {"name": "web"}})
    );
    assert_eq!(
        store.blob(&a, "chart").await.unwrap(),
        Some(Bytes::from_static(b"tgz"))
    );
    let err = store
        .write(vec![Write::Delete(project("durable"))])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::HasChildren { .. }), "{err}");
}
