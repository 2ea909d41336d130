//! The documents of the three collections, and the `_id` ranges that find them. This module is the only
//! place their field names are spelled.

use std::collections::BTreeSet;

use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Binary, Bson, Document, doc};

use super::convert;
use crate::store::key::{self, Key};
use crate::store::{Claim, Error as StoreError, Record};

/// The collection of objects.
pub(super) const RESOURCES: &str = "resources";
/// The collection of unique claims.
pub(super) const CLAIMS: &str = "claims";
/// The collection of blob chunks.
pub(super) const CHUNKS: &str = "blob_chunks";

/// Blobs are stored in chunks of this many bytes, far below MongoDB's 16 MB document limit.
pub(super) const CHUNK: usize = 1 << 20;

pub(super) const ID: &str = "_id";
pub(super) const KIND: &str = "kind";
pub(super) const PARENT: &str = "parent";
pub(super) const DATA: &str = "data";
pub(super) const REFS: &str = "refs";
pub(super) const CLAIMS_FIELD: &str = "claims";
pub(super) const BLOBS: &str = "blobs";
/// Bumped by every transaction that relies on the object existing (as a parent or a reference target), so
/// that a concurrent delete of the object conflicts with it. Not part of the record.
pub(super) const GUARD: &str = "guard";
pub(super) const HOLDER: &str = "holder";
const CHUNK_BLOB: &str = "blob";
const CHUNK_N: &str = "n";

/// A stored document that does not read back as a record, claim or chunk.
#[derive(Debug, thiserror::Error)]
pub(super) enum Error {
    /// A field is missing or of the wrong type.
    #[error("stored {collection} document {id}: field {field} is missing or not {want}")]
    Field {
        /// The collection.
        collection: &'static str,
        /// The document's `_id`, as far as it could be read.
        id: String,
        /// The field.
        field: &'static str,
        /// The type wanted.
        want: &'static str,
    },
    /// A stored storage key that no kind produces.
    #[error("stored key: {0}")]
    Key(#[from] key::Error),
    /// The body has no JSON form.
    #[error("stored body of {id}: {source}")]
    Data {
        /// The document's `_id`.
        id: String,
        /// What is wrong.
        #[source]
        source: convert::Error,
    },
    /// The chunks of a blob are not numbered 0, 1, 2, ...
    #[error("blob {blob}: expected chunk {want}, found chunk {found}")]
    ChunkGap {
        /// The blob's id.
        blob: String,
        /// The chunk number expected next.
        want: i32,
        /// The chunk number found.
        found: i32,
    },
}

/// The `resources` document of `key`. `data` is the body already converted with [`convert::to_bson`].
pub(super) fn resource(
    key: &Key,
    data: Bson,
    refs: &[Key],
    claims: &[Claim],
    blobs: &BTreeSet<String>,
) -> Document {
    doc! {
        ID: key.storage_key(),
        KIND: key.kind().name,
        PARENT: key.parent().map(|p| p.storage_key()),
        DATA: data,
        REFS: refs.iter().map(Key::storage_key).collect::<Vec<_>>(),
        CLAIMS_FIELD: claims.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        BLOBS: blobs.iter().collect::<Vec<_>>(),
    }
}

/// Reads a `resources` document back as a record.
pub(super) fn record(doc: &Document) -> Result<Record, Error> {
    let field = |field, want| field_error(RESOURCES, doc, field, want);
    let id = doc.get_str(ID).map_err(|_| field(ID, "a string"))?;
    let data = doc.get(DATA).ok_or_else(|| field(DATA, "present"))?;
    let data = convert::to_json(data).map_err(|source| Error::Data {
        id: id.to_owned(),
        source,
    })?;
    Ok(Record {
        key: Key::from_storage_key(id)?,
        data,
        refs: strings(doc, REFS)?
            .map(Key::from_storage_key)
            .collect::<Result<_, _>>()?,
        claims: strings(doc, CLAIMS_FIELD)?
            .map(|c| Claim::from_stored(c.to_owned()))
            .collect(),
        blobs: strings(doc, BLOBS)?.map(str::to_owned).collect(),
    })
}

/// The strings of the array field `field` of a `resources` document.
pub(super) fn strings<'d>(
    doc: &'d Document,
    field: &'static str,
) -> Result<impl Iterator<Item = &'d str>, Error> {
    let wrong = || field_error(RESOURCES, doc, field, "an array of strings");
    let items = doc.get_array(field).map_err(|_| wrong())?;
    if items.iter().any(|b| b.as_str().is_none()) {
        return Err(wrong());
    }
    Ok(items.iter().filter_map(Bson::as_str))
}

/// Reads a storage key from the string field `field` of a document of `collection`.
pub(super) fn key_field(
    collection: &'static str,
    doc: &Document,
    field: &'static str,
) -> Result<Key, Error> {
    let s = doc
        .get_str(field)
        .map_err(|_| field_error(collection, doc, field, "a string"))?;
    Ok(Key::from_storage_key(s)?)
}

/// The `claims` document of `claim` held by `holder`.
pub(super) fn claim(claim: &Claim, holder: &Key) -> Document {
    doc! { ID: claim.as_str(), HOLDER: holder.storage_key() }
}

/// The id shared by the chunks of blob `name` of `key`.
fn blob_id(key: &Key, name: &str) -> String {
    format!("{}#{name}", key.storage_key())
}

fn chunk_id(blob: &str, n: i32) -> Document {
    doc! { CHUNK_BLOB: blob, CHUNK_N: n }
}

/// The `blob_chunks` documents holding `bytes` as blob `name` of `key`, in order. None for an empty blob.
pub(super) fn chunks(key: &Key, name: &str, bytes: &[u8]) -> Result<Vec<Document>, StoreError> {
    let blob = blob_id(key, name);
    bytes
        .chunks(CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            let n = i32::try_from(n).map_err(|_| StoreError::Backend {
                message: format!("blob {blob} has more than 2^31 chunks"),
                retryable: false,
            })?;
            let data = Binary {
                subtype: BinarySubtype::Generic,
                bytes: chunk.to_vec(),
            };
            Ok(doc! { ID: chunk_id(&blob, n), DATA: data })
        })
        .collect()
}

/// The filter matching every chunk of blob `name` of `key`: an `_id` range, which the `_id` index serves
/// (documents compare field by field, so `{blob, n}` orders by blob, then chunk number).
pub(super) fn chunk_range(key: &Key, name: &str) -> Document {
    let blob = blob_id(key, name);
    doc! { ID: { "$gte": chunk_id(&blob, 0), "$lte": chunk_id(&blob, i32::MAX) } }
}

/// Appends chunk number `want` of a blob, read in `_id` order, to `out`; fails if it has another number.
pub(super) fn append_chunk(out: &mut Vec<u8>, want: i32, chunk: &Document) -> Result<(), Error> {
    let wrong = |field, shape| field_error(CHUNKS, chunk, field, shape);
    let id = chunk
        .get_document(ID)
        .map_err(|_| wrong(ID, "a document"))?;
    let found = id.get_i32(CHUNK_N).map_err(|_| wrong(ID, "{blob, n}"))?;
    if found != want {
        return Err(Error::ChunkGap {
            blob: id.get_str(CHUNK_BLOB).unwrap_or_default().to_owned(),
            want,
            found,
        });
    }
    let bytes = chunk
        .get_binary_generic(DATA)
        .map_err(|_| wrong(DATA, "generic binary"))?;
    out.extend_from_slice(bytes);
    Ok(())
}

/// The exclusive upper bound of the strings that start with `prefix`: its last character incremented, the
/// rest dropped. `None` when there is none (empty, or only `char::MAX`).
pub(super) fn upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // `char::from_u32` fails only inside the surrogate gap, which holds no strings to skip over.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The filter of a listing: `_id`s under `prefix`, after the continue token `after` if there is one.
pub(super) fn listing(prefix: &str, after: Option<&str>) -> Result<Document, StoreError> {
    let mut range = match after {
        Some(after) if after.starts_with(prefix) => doc! { "$gt": after },
        Some(_) => return Err(StoreError::BadContinue),
        None => doc! { "$gte": prefix },
    };
    if let Some(end) = upper_bound(prefix) {
        range.insert("$lt", end);
    }
    Ok(doc! { ID: range })
}

fn field_error(
    collection: &'static str,
    doc: &Document,
    field: &'static str,
    want: &'static str,
) -> Error {
    Error::Field {
        collection,
        id: doc.get(ID).map(ToString::to_string).unwrap_or_default(),
        field,
        want,
    }
}

#[cfg(test)]
mod tests;
