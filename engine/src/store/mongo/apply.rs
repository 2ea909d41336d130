//! One attempt of a write transaction: each write's rules checked against the transaction's snapshot, and
//! a broken rule aborting it.
//!
//! A snapshot alone would allow write skew (a child created while its parent is deleted, each transaction
//! unaware of the other), so a write that relies on an object existing (its parent, each reference target)
//! also updates that object's `guard` field. A concurrent delete of the same object then conflicts with
//! it, and the loser retries against the winner's result.

use std::collections::BTreeSet;

use mongodb::ClientSession;
use mongodb::bson::{Bson, Document, doc};
use mongodb::error::Error as DriverError;

use super::document::{self as d, BLOBS, CLAIMS_FIELD, GUARD, HOLDER, ID, PARENT, REFS};
use super::{Collections, convert, error};
use crate::store::{Claim, Error, Key, Outcome, Put, Result, Write};

/// A write with its body already in BSON and its blobs already cut into chunk documents, so that a retry
/// redoes only the database work.
pub(super) enum Prepared {
    Create(PreparedPut),
    Replace(PreparedPut),
    Delete(Key),
}

pub(super) struct PreparedPut {
    key: Key,
    data: Bson,
    refs: Vec<Key>,
    claims: Vec<Claim>,
    /// Blob name and its chunk documents, in the order given.
    blobs: Vec<(String, Vec<Document>)>,
}

impl Prepared {
    pub(super) fn new(write: Write) -> Result<Self> {
        Ok(match write {
            Write::Create(put) => Self::Create(PreparedPut::new(put)?),
            Write::Replace(put) => Self::Replace(PreparedPut::new(put)?),
            Write::Delete(key) => Self::Delete(key),
        })
    }
}

impl PreparedPut {
    fn new(put: Put) -> Result<Self> {
        let data = convert::to_bson(&put.data).map_err(|e| error::body(&put.key, e))?;
        let blobs = put
            .blobs
            .iter()
            .map(|(name, bytes)| Ok((name.clone(), d::chunks(&put.key, name, bytes)?)))
            .collect::<Result<_>>()?;
        Ok(Self {
            key: put.key,
            data,
            refs: put.refs,
            claims: put.claims,
            blobs,
        })
    }
}

/// Why a transaction attempt stopped.
pub(super) enum Abort {
    /// A rule was broken or a stored document is corrupt: final.
    Store(Error),
    /// The driver or server failed at `step`: retried when labelled transient.
    Driver {
        step: &'static str,
        source: DriverError,
    },
}

impl From<Error> for Abort {
    fn from(e: Error) -> Self {
        Self::Store(e)
    }
}

pub(super) fn at(step: &'static str) -> impl FnOnce(DriverError) -> Abort {
    move |source| Abort::Driver { step, source }
}

/// One transaction attempt in progress.
pub(super) struct Txn<'a> {
    c: &'a Collections,
    s: &'a mut ClientSession,
}

/// What the transaction needs of an object's stored version.
struct Old {
    claims: Vec<String>,
    blobs: BTreeSet<String>,
}

impl<'a> Txn<'a> {
    pub(super) fn new(c: &'a Collections, s: &'a mut ClientSession) -> Self {
        Self { c, s }
    }

    pub(super) async fn apply(&mut self, write: &Prepared) -> Result<Outcome, Abort> {
        match write {
            Prepared::Create(put) => {
                if self.load(&put.key).await?.is_some() {
                    return Err(Error::AlreadyExists(put.key.clone()).into());
                }
                self.insert(put, BTreeSet::new(), false).await?;
                Ok(Outcome::Created)
            }
            Prepared::Replace(put) => match self.load(&put.key).await? {
                None => {
                    self.insert(put, BTreeSet::new(), false).await?;
                    Ok(Outcome::Created)
                }
                Some(old) => {
                    self.release_claims(&put.key, &old.claims).await?;
                    self.insert(put, old.blobs, true).await?;
                    Ok(Outcome::Updated)
                }
            },
            Prepared::Delete(key) => {
                let old = self
                    .load(key)
                    .await?
                    .ok_or_else(|| Error::NotFound(key.clone()))?;
                self.check_unused(key).await?;
                self.release_claims(key, &old.claims).await?;
                for name in &old.blobs {
                    self.drop_blob(key, name).await?;
                }
                self.c
                    .resources
                    .delete_one(doc! { ID: key.storage_key() })
                    .session(&mut *self.s)
                    .await
                    .map_err(at("deleting the object"))?;
                Ok(Outcome::Deleted)
            }
        }
    }

    async fn load(&mut self, key: &Key) -> Result<Option<Old>, Abort> {
        let found = self
            .c
            .resources
            .find_one(doc! { ID: key.storage_key() })
            .projection(doc! { CLAIMS_FIELD: 1, BLOBS: 1 })
            .session(&mut *self.s)
            .await
            .map_err(at("reading the object"))?;
        let Some(doc) = found else { return Ok(None) };
        let claims = d::strings(&doc, CLAIMS_FIELD).map_err(error::stored)?;
        let blobs = d::strings(&doc, BLOBS).map_err(error::stored)?;
        Ok(Some(Old {
            claims: claims.map(str::to_owned).collect(),
            blobs: blobs.map(str::to_owned).collect(),
        }))
    }

    /// Checks that `key` exists and pins it: the `guard` update conflicts with a concurrent delete.
    async fn pin(&mut self, key: &Key) -> Result<bool, Abort> {
        let result = self
            .c
            .resources
            .update_one(
                doc! { ID: key.storage_key() },
                doc! { "$inc": { GUARD: 1_i64 } },
            )
            .session(&mut *self.s)
            .await
            .map_err(at("pinning a parent or reference"))?;
        Ok(result.matched_count == 1)
    }

    /// Checks the parent, references and claims of `put`, then writes it, its claims and its blobs.
    /// `blob_names` are the blobs kept from the stored version.
    async fn insert(
        &mut self,
        put: &PreparedPut,
        mut blob_names: BTreeSet<String>,
        exists: bool,
    ) -> Result<(), Abort> {
        let key = &put.key;
        if let Some(parent) = key.parent()
            && !self.pin(&parent).await?
        {
            return Err(Error::ParentMissing {
                key: key.clone(),
                parent,
            }
            .into());
        }
        for target in &put.refs {
            if !self.pin(target).await? {
                let target = target.clone();
                return Err(Error::ReferenceMissing {
                    key: key.clone(),
                    target,
                }
                .into());
            }
        }
        for claim in &put.claims {
            self.take_claim(key, claim).await?;
        }
        for (name, chunks) in &put.blobs {
            self.drop_blob(key, name).await?;
            if !chunks.is_empty() {
                self.c
                    .chunks
                    .insert_many(chunks)
                    .session(&mut *self.s)
                    .await
                    .map_err(at("writing blob chunks"))?;
            }
            blob_names.insert(name.clone());
        }
        let doc = d::resource(key, put.data.clone(), &put.refs, &put.claims, &blob_names);
        if exists {
            self.c
                .resources
                .replace_one(doc! { ID: key.storage_key() }, doc)
                .session(&mut *self.s)
                .await
                .map_err(at("replacing the object"))?;
        } else {
            self.c
                .resources
                .insert_one(doc)
                .session(&mut *self.s)
                .await
                .map_err(at("inserting the object"))?;
        }
        Ok(())
    }

    async fn take_claim(&mut self, key: &Key, claim: &Claim) -> Result<(), Abort> {
        let held = self
            .c
            .claims
            .find_one(doc! { ID: claim.as_str() })
            .session(&mut *self.s)
            .await
            .map_err(at("reading a claim"))?;
        match held {
            None => {
                self.c
                    .claims
                    .insert_one(d::claim(claim, key))
                    .session(&mut *self.s)
                    .await
                    .map_err(at("taking a claim"))?;
                Ok(())
            }
            Some(doc) => {
                let holder = d::key_field(d::CLAIMS, &doc, HOLDER).map_err(error::stored)?;
                if holder == *key {
                    return Ok(());
                }
                Err(Error::ClaimTaken {
                    claim: claim.clone(),
                    holder,
                }
                .into())
            }
        }
    }

    /// Releases the claims that the stored version of `key` holds.
    async fn release_claims(&mut self, key: &Key, claims: &[String]) -> Result<(), Abort> {
        if claims.is_empty() {
            return Ok(());
        }
        self.c
            .claims
            .delete_many(doc! { ID: { "$in": claims }, HOLDER: key.storage_key() })
            .session(&mut *self.s)
            .await
            .map_err(at("releasing claims"))?;
        Ok(())
    }

    async fn drop_blob(&mut self, key: &Key, name: &str) -> Result<(), Abort> {
        self.c
            .chunks
            .delete_many(d::chunk_range(key, name))
            .session(&mut *self.s)
            .await
            .map_err(at("deleting blob chunks"))?;
        Ok(())
    }

    /// Fails with `HasChildren` or `Referenced`, naming the first child or referrer in key order.
    async fn check_unused(&mut self, key: &Key) -> Result<(), Abort> {
        let me = key.storage_key();
        if let Some(child) = self
            .first_id(doc! { PARENT: &me }, "finding a child")
            .await?
        {
            return Err(Error::HasChildren {
                key: key.clone(),
                child,
            }
            .into());
        }
        if let Some(by) = self
            .first_id(doc! { REFS: &me }, "finding a referrer")
            .await?
        {
            return Err(Error::Referenced {
                key: key.clone(),
                by,
            }
            .into());
        }
        Ok(())
    }

    async fn first_id(
        &mut self,
        filter: Document,
        step: &'static str,
    ) -> Result<Option<Key>, Abort> {
        let found = self
            .c
            .resources
            .find_one(filter)
            .sort(doc! { ID: 1 })
            .projection(doc! { ID: 1 })
            .session(&mut *self.s)
            .await
            .map_err(at(step))?;
        found
            .map(|doc| d::key_field(d::RESOURCES, &doc, ID).map_err(|e| error::stored(e).into()))
            .transpose()
    }
}
