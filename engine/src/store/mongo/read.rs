//! The reads of [`ResourceStore`](crate::store::ResourceStore) on MongoDB. `get` and `referrers` are one
//! query each. `list` and `blob` read in a read-only transaction, so that every batch of their cursors
//! comes from one snapshot, as a page or a 50 MB blob must.

use bytes::Bytes;
use futures::TryStreamExt;
use mongodb::ClientSession;
use mongodb::bson::{Document, doc};

use super::document::{self as d, BLOBS, ID, REFS};
use super::{MongoStore, error};
use crate::store::{Key, Kind, Page, PageRequest, Record, Result};

impl MongoStore {
    pub(super) async fn get_record(&self, key: &Key) -> Result<Option<Record>> {
        let found = self
            .collections
            .resources
            .find_one(doc! { ID: key.storage_key() })
            .await
            .map_err(|e| error::driver("reading an object", &e))?;
        found
            .map(|doc| d::record(&doc).map_err(error::stored))
            .transpose()
    }

    pub(super) async fn list_page(
        &self,
        kind: &'static Kind,
        parent: Option<&Key>,
        page: PageRequest,
    ) -> Result<Page> {
        let filter = d::listing(&kind.prefix_under(parent), page.after.as_deref())?;
        // One more than asked shows whether more remain. It also keeps the limit above 0, which MongoDB
        // would read as "no limit".
        let fetch = page
            .limit
            .map(|l| i64::try_from(l.saturating_add(1)).unwrap_or(i64::MAX));
        let mut session = self.begin_read().await?;
        let docs = self.page_in(&mut session, filter, fetch).await;
        let docs = finish_read(session, docs).await?;

        let mut items = docs
            .iter()
            .map(d::record)
            .collect::<Result<Vec<_>, _>>()
            .map_err(error::stored)?;
        let more = page.limit.is_some_and(|l| items.len() > l);
        if let Some(limit) = page.limit {
            items.truncate(limit);
        }
        let next = more
            .then(|| items.last().map(|r| r.key.storage_key()))
            .flatten();
        Ok(Page { items, next })
    }

    async fn page_in(
        &self,
        session: &mut ClientSession,
        filter: Document,
        limit: Option<i64>,
    ) -> Result<Vec<Document>> {
        let find = self.collections.resources.find(filter).sort(doc! { ID: 1 });
        let find = match limit {
            Some(limit) => find.limit(limit),
            None => find,
        };
        let mut cursor = find
            .session(&mut *session)
            .await
            .map_err(|e| error::driver("listing objects", &e))?;
        cursor
            .stream(session)
            .try_collect()
            .await
            .map_err(|e| error::driver("listing objects", &e))
    }

    pub(super) async fn read_blob(&self, key: &Key, name: &str) -> Result<Option<Bytes>> {
        let mut session = self.begin_read().await?;
        let blob = self.blob_in(&mut session, key, name).await;
        Ok(finish_read(session, blob).await?.map(Bytes::from))
    }

    async fn blob_in(
        &self,
        session: &mut ClientSession,
        key: &Key,
        name: &str,
    ) -> Result<Option<Vec<u8>>> {
        let found = self
            .collections
            .resources
            .find_one(doc! { ID: key.storage_key() })
            .projection(doc! { BLOBS: 1 })
            .session(&mut *session)
            .await
            .map_err(|e| error::driver("reading an object", &e))?;
        let Some(doc) = found else { return Ok(None) };
        if !d::strings(&doc, BLOBS)
            .map_err(error::stored)?
            .any(|b| b == name)
        {
            return Ok(None);
        }
        let mut cursor = self
            .collections
            .chunks
            .find(d::chunk_range(key, name))
            .sort(doc! { ID: 1 })
            .session(&mut *session)
            .await
            .map_err(|e| error::driver("reading blob chunks", &e))?;
        let mut out = Vec::new();
        let mut want = 0;
        while let Some(chunk) = cursor.next(session).await {
            let chunk = chunk.map_err(|e| error::driver("reading blob chunks", &e))?;
            d::append_chunk(&mut out, want, &chunk).map_err(error::stored)?;
            want += 1;
        }
        Ok(Some(out))
    }

    pub(super) async fn referrers_of(&self, key: &Key, limit: usize) -> Result<Vec<Key>> {
        if limit == 0 {
            // MongoDB would read a limit of 0 as "no limit".
            return Ok(Vec::new());
        }
        let cursor = self
            .collections
            .resources
            .find(doc! { REFS: key.storage_key() })
            .sort(doc! { ID: 1 })
            .projection(doc! { ID: 1 })
            .limit(i64::try_from(limit).unwrap_or(i64::MAX))
            .await
            .map_err(|e| error::driver("finding referrers", &e))?;
        let docs: Vec<Document> = cursor
            .try_collect()
            .await
            .map_err(|e| error::driver("finding referrers", &e))?;
        docs.iter()
            .map(|doc| d::key_field(d::RESOURCES, doc, ID))
            .collect::<Result<_, _>>()
            .map_err(error::stored)
    }

    /// A session in a read-only transaction.
    async fn begin_read(&self) -> Result<ClientSession> {
        let mut session = self
            .client
            .start_session()
            .await
            .map_err(|e| error::driver("starting a session", &e))?;
        session
            .start_transaction()
            .with_options(super::transaction_options())
            .await
            .map_err(|e| error::driver("starting a read transaction", &e))?;
        Ok(session)
    }
}

/// Ends the read-only transaction of `session`: commits after `result` succeeded, aborts otherwise.
async fn finish_read<T>(mut session: ClientSession, result: Result<T>) -> Result<T> {
    match result {
        Ok(value) => {
            session
                .commit_transaction()
                .await
                .map_err(|e| error::driver("ending a read transaction", &e))?;
            Ok(value)
        }
        Err(e) => {
            if let Err(abort) = session.abort_transaction().await {
                tracing::debug!(error = %abort.kind, "aborting a failed read transaction");
            }
            Err(e)
        }
    }
}
