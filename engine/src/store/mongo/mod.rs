//! The MongoDB resource store, for deployments that run several engines or already operate MongoDB.
//!
//! **It needs MongoDB 5.0 or later, run as a replica set or a sharded cluster.** Every
//! [`ResourceStore::write`] is one multi-document transaction, and a standalone `mongod` has no
//! transactions; a one-node replica set (`mongod --replSet rs0`, then `rs.initiate()` once) is enough. A
//! write to a server that refuses transactions fails with an error that says so. 5.0 is needed to store
//! bodies whose object keys start with `$`.
//!
//! One database, named at [`MongoStore::connect`], holds three collections:
//! - `resources`: `{_id: <storage key>, kind, parent: <parent's storage key or null>, data: <the JSON body
//!   as BSON>, refs: [<storage keys>], claims: [<claims>], blobs: [<blob names, sorted>]}`, with the
//!   indexes `{parent: 1, _id: 1}` (children, first in key order) and `{refs: 1, _id: 1}` (multikey:
//!   referrers, first in key order). A `guard` counter may appear too (see the `apply` module);
//! - `claims`: `{_id: <claim>, holder: <storage key>}`;
//! - `blob_chunks`: `{_id: {blob: "<storage key>#<name>", n: <chunk number>}, data: <binary>}`, chunks of
//!   1 MiB, so a blob of any size fits under MongoDB's 16 MB document limit.
//!
//! Transactions read at snapshot read concern and commit with majority write concern. Each transaction is
//! retried as a whole (up to 5 times) on the `TransientTransactionError` label, and its commit (up to 3
//! times) on `UnknownTransactionCommitResult`. Rule violations (`AlreadyExists`, `ParentMissing`, ...)
//! are found inside the transaction and abort it, leaving nothing written. Failures of the network or the
//! server become [`Error::Backend`](crate::store::Error::Backend), retryable for lost connections, timeouts, elections and write
//! conflicts, terminal otherwise.
//!
//! A blob is written in the same transaction as its object, so a 50 MB chart is one 50 MB transaction:
//! the server's WiredTiger cache must be a few times larger than the biggest blob, or MongoDB aborts the
//! transaction as too large for the cache.

mod apply;
mod convert;
mod document;
mod error;
mod read;
mod write;

use async_trait::async_trait;
use bytes::Bytes;
use mongodb::bson::{Document, doc};
use mongodb::options::{ReadConcern, TransactionOptions, WriteConcern};
use mongodb::{Client, Collection, Database, IndexModel};

use self::document::{CHUNKS, CLAIMS, ID, PARENT, REFS, RESOURCES};
use super::{Key, Kind, Outcome, Page, PageRequest, Record, ResourceStore, Result, Write};

/// NamespaceExists: another process created the collection first.
const NAMESPACE_EXISTS: i32 = 48;

/// The MongoDB-backed store. Cheap to clone; clones share the client's connection pool.
#[derive(Clone)]
pub struct MongoStore {
    client: Client,
    database: Database,
    collections: Collections,
}

#[derive(Clone)]
struct Collections {
    resources: Collection<Document>,
    claims: Collection<Document>,
    chunks: Collection<Document>,
}

impl MongoStore {
    /// Connects to the deployment at `uri` (a `mongodb://` or `mongodb+srv://` connection string) and
    /// uses the database `database`, creating its collections and indexes if they are missing.
    pub async fn connect(uri: &str, database: &str) -> Result<Self> {
        let client = Client::with_uri_str(uri)
            .await
            .map_err(|e| error::driver("reading the MongoDB connection string", &e))?;
        let database = client.database(database);
        let collections = Collections {
            resources: database.collection(RESOURCES),
            claims: database.collection(CLAIMS),
            chunks: database.collection(CHUNKS),
        };
        let store = Self {
            client,
            database,
            collections,
        };
        store.create_collections().await?;
        Ok(store)
    }

    /// Creates the collections up front (a transaction cannot create one on every server version), and
    /// the indexes.
    async fn create_collections(&self) -> Result<()> {
        let existing = self
            .database
            .list_collection_names()
            .await
            .map_err(|e| error::driver("listing collections", &e))?;
        for name in [RESOURCES, CLAIMS, CHUNKS] {
            if existing.iter().any(|e| e == name) {
                continue;
            }
            match self.database.create_collection(name).await {
                Err(e) if error::code(&e) != Some(NAMESPACE_EXISTS) => {
                    return Err(error::driver("creating a collection", &e));
                }
                _ => {}
            }
        }
        let indexes = [doc! { PARENT: 1, ID: 1 }, doc! { REFS: 1, ID: 1 }]
            .map(|keys| IndexModel::builder().keys(keys).build());
        self.collections
            .resources
            .create_indexes(indexes)
            .await
            .map_err(|e| error::driver("creating indexes", &e))?;
        Ok(())
    }
}

/// Snapshot reads, majority commits.
fn transaction_options() -> TransactionOptions {
    TransactionOptions::builder()
        .read_concern(ReadConcern::snapshot())
        .write_concern(WriteConcern::majority())
        .build()
}

#[async_trait]
impl ResourceStore for MongoStore {
    async fn write(&self, writes: Vec<Write>) -> Result<Vec<Outcome>> {
        self.write_all(writes).await
    }

    async fn get(&self, key: &Key) -> Result<Option<Record>> {
        self.get_record(key).await
    }

    async fn list(
        &self,
        kind: &'static Kind,
        parent: Option<&Key>,
        page: PageRequest,
    ) -> Result<Page> {
        self.list_page(kind, parent, page).await
    }

    async fn blob(&self, key: &Key, name: &str) -> Result<Option<Bytes>> {
        self.read_blob(key, name).await
    }

    async fn referrers(&self, key: &Key, limit: usize) -> Result<Vec<Key>> {
        self.referrers_of(key, limit).await
    }
}

#[cfg(test)]
mod tests;
