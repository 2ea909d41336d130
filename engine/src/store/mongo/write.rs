//! [`ResourceStore::write`](crate::store::ResourceStore::write) on MongoDB: all writes of a call in one
//! multi-document transaction, retried as a whole on `TransientTransactionError`, its commit retried on
//! `UnknownTransactionCommitResult`. What happens inside one attempt is in `apply`.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use mongodb::ClientSession;
use mongodb::error::{
    Error as DriverError, TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT,
};

use super::apply::{Abort, Prepared, Txn, at};
use super::{MongoStore, error};
use crate::store::{Outcome, Result, Write};

/// Attempts of a whole transaction that keeps hitting transient errors.
const ATTEMPTS: u32 = 5;
/// Attempts of a commit whose result is unknown.
const COMMIT_ATTEMPTS: u32 = 3;
/// DuplicateKey.
const DUPLICATE_KEY: i32 = 11000;

impl MongoStore {
    pub(super) async fn write_all(&self, writes: Vec<Write>) -> Result<Vec<Outcome>> {
        let prepared: Vec<Prepared> = writes
            .into_iter()
            .map(Prepared::new)
            .collect::<Result<_>>()?;
        let mut session = self
            .client
            .start_session()
            .await
            .map_err(|e| error::driver("starting a session", &e))?;
        let mut attempt = 1;
        loop {
            match self.attempt(&mut session, &prepared).await {
                Ok(outcomes) => return Ok(outcomes),
                Err(Abort::Driver { source, .. })
                    if worth_retrying(&source) && attempt < ATTEMPTS =>
                {
                    tracing::debug!(attempt, error = %source.kind, "retrying a transient transaction failure");
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(Abort::Driver { step, source }) => return Err(error::driver(step, &source)),
                Err(Abort::Store(e)) => return Err(e),
            }
        }
    }

    async fn attempt(
        &self,
        session: &mut ClientSession,
        prepared: &[Prepared],
    ) -> Result<Vec<Outcome>, Abort> {
        session
            .start_transaction()
            .with_options(super::transaction_options())
            .await
            .map_err(at("starting the transaction"))?;
        let mut txn = Txn::new(&self.collections, session);
        let mut outcomes = Vec::with_capacity(prepared.len());
        for write in prepared {
            match txn.apply(write).await {
                Ok(outcome) => outcomes.push(outcome),
                Err(abort) => {
                    if let Err(e) = session.abort_transaction().await {
                        tracing::debug!(error = %e.kind, "aborting a failed transaction");
                    }
                    return Err(abort);
                }
            }
        }
        commit(session).await?;
        Ok(outcomes)
    }
}

/// True when a new attempt of the whole transaction may succeed: the server says the failure was
/// transient, or a duplicate key shows that a concurrent transaction committed the same `_id` after this
/// one's snapshot (the next attempt sees it and reports the broken rule).
fn worth_retrying(e: &DriverError) -> bool {
    e.contains_label(TRANSIENT_TRANSACTION_ERROR) || error::code(e) == Some(DUPLICATE_KEY)
}

/// Commits, retrying a commit whose result is unknown (the driver makes the retry safe).
async fn commit(session: &mut ClientSession) -> Result<(), Abort> {
    let mut attempt = 1;
    loop {
        match session.commit_transaction().await {
            Ok(()) => return Ok(()),
            Err(e)
                if e.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT)
                    && attempt < COMMIT_ATTEMPTS =>
            {
                tracing::debug!(attempt, error = %e.kind, "retrying a commit with an unknown result");
                attempt += 1;
            }
            Err(e) => return Err(at("committing the transaction")(e)),
        }
    }
}

/// 10, 20, 40, ... ms, each with up to as much again of random jitter so that conflicting writers part.
fn backoff(attempt: u32) -> Duration {
    let base = 5u64 << attempt.min(7);
    let jitter = RandomState::new().hash_one(attempt) % base;
    Duration::from_millis(base + jitter)
}
