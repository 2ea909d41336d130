use serde_json::json;

use super::*;

fn app(name: &str) -> Key {
    Key::parse(&key::APP, &["p", "ca", "v1", name]).unwrap()
}

#[test]
fn a_record_survives_the_trip_through_its_document() {
    let key = app("web");
    let want = Record {
        key: key.clone(),
        data: json!({"metadata": {"name": "web"}, "spec": {"replicas": 3, "ratio": 0.5}}),
        refs: vec![app("db"), app("cache")],
        claims: vec![Claim::new(&key.parent().unwrap(), "profile-for-app", "web")],
        blobs: vec!["chart".into(), "values".into()],
    };
    let blobs: BTreeSet<String> = ["values".into(), "chart".into()].into();
    let data = convert::to_bson(&want.data).unwrap();
    let doc = resource(&key, data, &want.refs, &want.claims, &blobs);

    let fields: Vec<&String> = doc.keys().collect();
    let want_fields = ["_id", "kind", "parent", "data", "refs", "claims", "blobs"];
    assert_eq!(fields, want_fields);
    assert_eq!(doc.get_str(ID).unwrap(), key.storage_key());
    assert_eq!(doc.get_str(KIND).unwrap(), "app");
    assert_eq!(
        doc.get_str(PARENT).unwrap(),
        "compositeApp:project/p/compositeApp/ca/version/v1"
    );
    assert_eq!(record(&doc).unwrap(), want);
}

#[test]
fn a_root_object_has_a_null_parent() {
    let key = Key::parse(&key::PROJECT, &["p"]).unwrap();
    let doc = resource(&key, Bson::Null, &[], &[], &BTreeSet::new());
    assert_eq!(doc.get(PARENT), Some(&Bson::Null));
    assert_eq!(record(&doc).unwrap().data, json!(null));
}

#[test]
fn a_malformed_stored_document_names_what_is_wrong() {
    let good = resource(&app("web"), Bson::Null, &[], &[], &BTreeSet::new());

    let mut no_data = good.clone();
    no_data.remove(DATA);
    let err = record(&no_data).unwrap_err().to_string();
    assert!(err.contains("field data"), "{err}");

    let mut bad_refs = good.clone();
    bad_refs.insert(REFS, vec![Bson::Int32(1)]);
    let err = record(&bad_refs).unwrap_err().to_string();
    assert!(err.contains("field refs"), "{err}");

    let mut bad_key = good.clone();
    bad_key.insert(ID, "nokind:x/y");
    assert!(matches!(record(&bad_key), Err(Error::Key(_))));

    let mut bad_body = good;
    bad_body.insert(DATA, Bson::Undefined);
    assert!(matches!(record(&bad_body), Err(Error::Data { .. })));
}

#[test]
fn claims_are_stored_under_their_own_string() {
    let key = app("web");
    let c = Claim::new(&key.parent().unwrap(), "profile-for-app", "web");
    let doc = claim(&c, &key);
    assert_eq!(doc.get_str(ID).unwrap(), c.as_str());
    assert_eq!(key_field(CLAIMS, &doc, HOLDER).unwrap(), key);
}

fn join_chunks(chunks: &[Document]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    for (want, chunk) in (0..).zip(chunks) {
        append_chunk(&mut out, want, chunk)?;
    }
    Ok(out)
}

/// Bytes that differ from chunk to chunk.
fn bytes(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / CHUNK) as u8)
        .collect()
}

#[test]
fn blobs_are_cut_into_numbered_chunks_and_joined_back() {
    let blob = bytes(2 * CHUNK + CHUNK / 2);
    let docs = chunks(&app("web"), "chart", &blob).unwrap();
    let sizes: Vec<usize> = docs
        .iter()
        .map(|d| d.get_binary_generic(DATA).unwrap().len())
        .collect();
    assert_eq!(sizes, [CHUNK, CHUNK, CHUNK / 2]);
    for (n, doc) in (0..).zip(&docs) {
        let id = doc.get_document(ID).unwrap();
        let want = "app:project/p/compositeApp/ca/version/v1/app/web#chart";
        assert_eq!(id.get_str(CHUNK_BLOB).unwrap(), want);
        assert_eq!(id.get_i32(CHUNK_N).unwrap(), n);
    }
    assert_eq!(join_chunks(&docs).unwrap(), blob);
}

#[test]
fn an_empty_blob_has_no_chunks_and_reads_back_empty() {
    assert!(chunks(&app("web"), "chart", &[]).unwrap().is_empty());
    assert_eq!(join_chunks(&[]).unwrap(), Vec::<u8>::new());
}

#[test]
fn a_missing_chunk_is_noticed() {
    let mut docs = chunks(&app("web"), "chart", &bytes(3 * CHUNK)).unwrap();
    docs.remove(1);
    assert!(matches!(
        join_chunks(&docs),
        Err(Error::ChunkGap {
            want: 1,
            found: 2,
            ..
        })
    ));
}

#[test]
fn the_chunk_range_brackets_every_chunk_number_of_one_blob() {
    let filter = chunk_range(&app("web"), "chart");
    let range = filter.get_document(ID).unwrap();
    let low = range.get_document("$gte").unwrap();
    let high = range.get_document("$lte").unwrap();
    // Field order matters: documents compare field by field, so `blob` must come first.
    assert_eq!(low.keys().collect::<Vec<_>>(), [CHUNK_BLOB, CHUNK_N]);
    assert_eq!(low.get_str(CHUNK_BLOB), high.get_str(CHUNK_BLOB));
    assert_eq!(
        (low.get_i32(CHUNK_N), high.get_i32(CHUNK_N)),
        (Ok(0), Ok(i32::MAX))
    );
    // The chunks use the same shape, so they fall inside the range.
    let doc = &chunks(&app("web"), "chart", b"x").unwrap()[0];
    assert_eq!(
        doc.get_document(ID).unwrap(),
        &chunk_id(low.get_str(CHUNK_BLOB).unwrap(), 0)
    );
}

#[test]
fn the_upper_bound_of_a_prefix_increments_its_last_character() {
    assert_eq!(upper_bound("project:").as_deref(), Some("project;"));
    assert_eq!(
        upper_bound("compositeApp:project/p/").as_deref(),
        Some("compositeApp:project/p0")
    );
    assert_eq!(upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
    assert_eq!(upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
    assert_eq!(upper_bound(""), None);
    assert_eq!(upper_bound("\u{10FFFF}\u{10FFFF}"), None);
}

#[test]
fn the_range_from_prefix_to_upper_bound_holds_exactly_the_prefixed_strings() {
    let prefix = "compositeApp:project/pages/";
    let end = upper_bound(prefix).unwrap();
    for s in [
        "compositeApp:project/pages/compositeApp/ca00/version/v1",
        "compositeApp:project/pages/",
        "compositeApp:project/pages2/compositeApp/other/version/v1",
        "compositeApp:project/pages",
        "compositeApp:project/pagesz",
        "compositeApp:project/pages0",
        "app:project/pages/compositeApp/ca00/version/v1/app/deep",
        "project:project/pages",
    ] {
        let in_range = prefix <= s && s < end.as_str();
        assert_eq!(in_range, s.starts_with(prefix), "{s}");
    }
}

#[test]
fn a_listing_filters_an_id_range_and_refuses_a_foreign_token() {
    let prefix = "compositeApp:project/p/";
    assert_eq!(
        listing(prefix, None).unwrap(),
        doc! { ID: { "$gte": prefix, "$lt": "compositeApp:project/p0" } }
    );
    let token = "compositeApp:project/p/compositeApp/ca09/version/v1";
    assert_eq!(
        listing(prefix, Some(token)).unwrap(),
        doc! { ID: { "$gt": token, "$lt": "compositeApp:project/p0" } }
    );
    assert!(matches!(
        listing(prefix, Some("project:project/p2")),
        Err(StoreError::BadContinue)
    ));
}
