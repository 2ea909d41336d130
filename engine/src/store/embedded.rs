//! The embedded resource store: redb, one file, ACID. The default for a single node.
//!
//! Tables (all prefixed `resources/`, so the context store can share the file):
//! - `objects`: storage key → the record as JSON (`data`, `refs`, `claims`, `blobs`);
//! - `refs`: `target|referrer` → (), the reverse index that makes "who references this?" one prefix scan;
//! - `claims`: claim → holder's storage key;
//! - `blobs`: (`storage key#blob name`, chunk number) → up to [`CHUNK`] bytes.
//!
//! Every call runs in one redb transaction on a blocking thread; a write that fails part way is dropped
//! without commit, so nothing is half-written.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use redb::{Database, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::key::{Key, Kind};
use super::{Claim, Error, Outcome, Page, PageRequest, Put, Record, ResourceStore, Result, Write};

const OBJECTS: TableDefinition<&str, &[u8]> = TableDefinition::new("resources/objects");
const REFS: TableDefinition<&str, ()> = TableDefinition::new("resources/refs");
const CLAIMS: TableDefinition<&str, &str> = TableDefinition::new("resources/claims");
const BLOBS: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("resources/blobs");

/// Blobs are stored in chunks of this many bytes.
pub const CHUNK: usize = 1 << 20;

/// The record as stored in `objects`.
#[derive(Serialize, Deserialize)]
struct Stored {
    data: serde_json::Value,
    refs: Vec<String>,
    claims: Vec<Claim>,
    blobs: Vec<String>,
}

/// The redb-backed store. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
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

    /// Uses an already open redb database, shared with other stores.
    pub fn with_database(db: Arc<Database>) -> Result<Self> {
        let txn = db.begin_write().map_err(backend)?;
        {
            txn.open_table(OBJECTS).map_err(backend)?;
            txn.open_table(REFS).map_err(backend)?;
            txn.open_table(CLAIMS).map_err(backend)?;
            txn.open_table(BLOBS).map_err(backend)?;
        }
        txn.commit().map_err(backend)?;
        Ok(Self { db })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(backend)?
    }
}

#[async_trait]
impl ResourceStore for EmbeddedStore {
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<Outcome>> {
        self.blocking(move |db| {
            let txn = db.begin_write().map_err(backend)?;
            let outcomes = apply(&txn, writes)?;
            txn.commit().map_err(backend)?;
            Ok(outcomes)
        })
        .await
    }

    async fn get(&self, key: &Key) -> Result<Option<Record>> {
        let key = key.clone();
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(backend)?;
            let objects = txn.open_table(OBJECTS).map_err(backend)?;
            let found = objects.get(key.storage_key().as_str()).map_err(backend)?;
            found.map(|v| decode(key, v.value())).transpose()
        })
        .await
    }

    async fn list(
        &self,
        kind: &'static Kind,
        parent: Option<&Key>,
        page: PageRequest,
    ) -> Result<Page> {
        let prefix = kind.prefix_under(parent);
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(backend)?;
            let objects = txn.open_table(OBJECTS).map_err(backend)?;
            let start = match &page.after {
                Some(after) if after.starts_with(&prefix) => Bound::Excluded(after.as_str()),
                Some(_) => return Err(Error::BadContinue),
                None => Bound::Included(prefix.as_str()),
            };
            let limit = page.limit.unwrap_or(usize::MAX);
            let mut items = Vec::new();
            let mut more = false;
            for entry in objects
                .range::<&str>((start, Bound::Unbounded))
                .map_err(backend)?
            {
                let (k, v) = entry.map_err(backend)?;
                if !k.value().starts_with(&prefix) {
                    break;
                }
                if items.len() == limit {
                    more = true;
                    break;
                }
                let key = Key::from_storage_key(k.value()).map_err(backend)?;
                items.push(decode(key, v.value())?);
            }
            let next = more
                .then(|| items.last().map(|r: &Record| r.key.storage_key()))
                .flatten();
            Ok(Page { items, next })
        })
        .await
    }

    async fn blob(&self, key: &Key, name: &str) -> Result<Option<Bytes>> {
        let (key, name) = (key.clone(), name.to_owned());
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(backend)?;
            let objects = txn.open_table(OBJECTS).map_err(backend)?;
            let Some(stored) = objects.get(key.storage_key().as_str()).map_err(backend)? else {
                return Ok(None);
            };
            if !decode(key.clone(), stored.value())?.blobs.contains(&name) {
                return Ok(None);
            }
            let blobs = txn.open_table(BLOBS).map_err(backend)?;
            let id = blob_id(&key, &name);
            let mut out = BytesMut::new();
            for chunk in blobs
                .range((id.as_str(), 0)..=(id.as_str(), u32::MAX))
                .map_err(backend)?
            {
                out.extend_from_slice(chunk.map_err(backend)?.1.value());
            }
            Ok(Some(out.freeze()))
        })
        .await
    }

    async fn referrers(&self, key: &Key, limit: usize) -> Result<Vec<Key>> {
        let prefix = format!("{}|", key.storage_key());
        self.blocking(move |db| {
            let txn = db.begin_read().map_err(backend)?;
            let refs = txn.open_table(REFS).map_err(backend)?;
            let mut out = Vec::new();
            for entry in refs.range::<&str>(prefix.as_str()..).map_err(backend)? {
                let (k, _) = entry.map_err(backend)?;
                let Some(referrer) = k.value().strip_prefix(&prefix) else {
                    break;
                };
                if out.len() == limit {
                    break;
                }
                out.push(Key::from_storage_key(referrer).map_err(backend)?);
            }
            Ok(out)
        })
        .await
    }
}

fn decode(key: Key, bytes: &[u8]) -> Result<Record> {
    let stored: Stored = serde_json::from_slice(bytes).map_err(backend)?;
    let refs = stored
        .refs
        .iter()
        .map(|r| Key::from_storage_key(r))
        .collect::<Result<_, _>>()
        .map_err(backend)?;
    Ok(Record {
        key,
        data: stored.data,
        refs,
        claims: stored.claims,
        blobs: stored.blobs,
    })
}

fn blob_id(key: &Key, name: &str) -> String {
    format!("{}#{name}", key.storage_key())
}

/// The four tables, open in one write transaction.
struct Tables<'t> {
    objects: Table<'t, &'static str, &'static [u8]>,
    refs: Table<'t, &'static str, ()>,
    claims: Table<'t, &'static str, &'static str>,
    blobs: Table<'t, (&'static str, u32), &'static [u8]>,
}

fn apply(txn: &WriteTransaction, writes: Vec<Write>) -> Result<Vec<Outcome>> {
    let mut t = Tables {
        objects: txn.open_table(OBJECTS).map_err(backend)?,
        refs: txn.open_table(REFS).map_err(backend)?,
        claims: txn.open_table(CLAIMS).map_err(backend)?,
        blobs: txn.open_table(BLOBS).map_err(backend)?,
    };
    writes.into_iter().map(|w| t.apply(w)).collect()
}

impl Tables<'_> {
    fn apply(&mut self, write: Write) -> Result<Outcome> {
        match write {
            Write::Create(put) => {
                if self.load(&put.key)?.is_some() {
                    return Err(Error::AlreadyExists(put.key));
                }
                self.insert(put, BTreeSet::new())?;
                Ok(Outcome::Created)
            }
            Write::Replace(put) => match self.load(&put.key)? {
                None => {
                    self.insert(put, BTreeSet::new())?;
                    Ok(Outcome::Created)
                }
                Some(old) => {
                    self.unlink(&put.key, &old)?;
                    let kept: BTreeSet<String> = old.blobs.into_iter().collect();
                    self.insert(put, kept)?;
                    Ok(Outcome::Updated)
                }
            },
            Write::Delete(key) => {
                let old = self
                    .load(&key)?
                    .ok_or_else(|| Error::NotFound(key.clone()))?;
                self.check_unused(&key)?;
                self.unlink(&key, &old)?;
                for name in &old.blobs {
                    self.drop_blob(&key, name)?;
                }
                self.objects
                    .remove(key.storage_key().as_str())
                    .map_err(backend)?;
                Ok(Outcome::Deleted)
            }
        }
    }

    fn load(&self, key: &Key) -> Result<Option<Stored>> {
        let found = self
            .objects
            .get(key.storage_key().as_str())
            .map_err(backend)?;
        found
            .map(|v| serde_json::from_slice(v.value()).map_err(backend))
            .transpose()
    }

    fn exists(&self, key: &Key) -> Result<bool> {
        Ok(self
            .objects
            .get(key.storage_key().as_str())
            .map_err(backend)?
            .is_some())
    }

    /// Checks the parent, references and claims of `put`, then writes it with its index entries.
    fn insert(&mut self, put: Put, mut blob_names: BTreeSet<String>) -> Result<()> {
        let Put {
            key,
            data,
            refs,
            claims,
            blobs,
        } = put;
        if let Some(parent) = key.parent()
            && !self.exists(&parent)?
        {
            return Err(Error::ParentMissing { key, parent });
        }
        for target in &refs {
            if !self.exists(target)? {
                return Err(Error::ReferenceMissing {
                    key,
                    target: target.clone(),
                });
            }
        }
        let me = key.storage_key();
        for claim in &claims {
            let holder = self
                .claims
                .get(claim.as_str())
                .map_err(backend)?
                .map(|h| h.value().to_owned());
            match holder {
                Some(h) if h != me => {
                    let holder = Key::from_storage_key(&h).map_err(backend)?;
                    return Err(Error::ClaimTaken {
                        claim: claim.clone(),
                        holder,
                    });
                }
                _ => {
                    self.claims
                        .insert(claim.as_str(), me.as_str())
                        .map_err(backend)?;
                }
            }
        }
        for target in &refs {
            self.refs
                .insert(format!("{}|{me}", target.storage_key()).as_str(), ())
                .map_err(backend)?;
        }
        for (name, bytes) in &blobs {
            self.drop_blob(&key, name)?;
            let id = blob_id(&key, name);
            for (n, chunk) in bytes.chunks(CHUNK).enumerate() {
                let n = u32::try_from(n).map_err(|_| backend("blob has too many chunks"))?;
                self.blobs
                    .insert((id.as_str(), n), chunk)
                    .map_err(backend)?;
            }
            blob_names.insert(name.clone());
        }
        let stored = Stored {
            data,
            refs: refs.iter().map(Key::storage_key).collect(),
            claims,
            blobs: blob_names.into_iter().collect(),
        };
        let bytes = serde_json::to_vec(&stored).map_err(backend)?;
        self.objects
            .insert(me.as_str(), bytes.as_slice())
            .map_err(backend)?;
        Ok(())
    }

    /// Removes the reference-index entries and claims of the stored version of `key`.
    fn unlink(&mut self, key: &Key, old: &Stored) -> Result<()> {
        let me = key.storage_key();
        for target in &old.refs {
            self.refs
                .remove(format!("{target}|{me}").as_str())
                .map_err(backend)?;
        }
        for claim in &old.claims {
            self.claims.remove(claim.as_str()).map_err(backend)?;
        }
        Ok(())
    }

    fn check_unused(&self, key: &Key) -> Result<()> {
        for child_kind in key.kind().children() {
            let prefix = child_kind.prefix_under(Some(key));
            if let Some(entry) = self
                .objects
                .range::<&str>(prefix.as_str()..)
                .map_err(backend)?
                .next()
            {
                let (k, _) = entry.map_err(backend)?;
                if k.value().starts_with(&prefix) {
                    let child = Key::from_storage_key(k.value()).map_err(backend)?;
                    return Err(Error::HasChildren {
                        key: key.clone(),
                        child,
                    });
                }
            }
        }
        let prefix = format!("{}|", key.storage_key());
        if let Some(entry) = self
            .refs
            .range::<&str>(prefix.as_str()..)
            .map_err(backend)?
            .next()
        {
            let (k, _) = entry.map_err(backend)?;
            if let Some(by) = k.value().strip_prefix(&prefix) {
                let by = Key::from_storage_key(by).map_err(backend)?;
                return Err(Error::Referenced {
                    key: key.clone(),
                    by,
                });
            }
        }
        Ok(())
    }

    fn drop_blob(&mut self, key: &Key, name: &str) -> Result<()> {
        let id = blob_id(key, name);
        self.blobs
            .retain_in((id.as_str(), 0)..=(id.as_str(), u32::MAX), |_, _| false)
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance;

    #[tokio::test]
    async fn embedded_store_passes_the_conformance_suite() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path().join("canopy.redb")).unwrap();
        conformance::run(&store).await;
    }

    #[tokio::test]
    async fn data_survives_closing_and_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("canopy.redb");
        conformance::write_fixture(&EmbeddedStore::open(&path).unwrap()).await;
        conformance::check_fixture(&EmbeddedStore::open(&path).unwrap()).await;
    }
}
