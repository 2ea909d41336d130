//! Writes a composed [`AppContext`]: every key is planned in memory, then written in transactions of at
//! most [`MAX_OPS`] operations and [`MAX_TXN_BYTES`] bytes, one after the other, and `status` last, alone.

use std::collections::BTreeSet;

use super::keys::ContextKeys;
use super::model::{AppContext, Manifest, Manifests};
use super::record::{AppsRecord, ClusterRecord, Entry, State, Status, encode};
use super::{BlobHash, Error, MAX_OPS, Result};
use crate::context::{ContextStore, Key, Op, Txn};

/// The most key and value bytes one transaction carries: below etcd's default request limit of 1.5 MiB,
/// with room for the request's framing.
pub const MAX_TXN_BYTES: usize = 1024 * 1024;

/// What a write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Transactions run.
    pub txns: usize,
    /// Keys written.
    pub keys: usize,
    /// Sum of the key and value sizes written.
    pub bytes: usize,
}

/// Writes `ctx` to `store`. The `status` key goes in a last transaction of its own, so a reader that sees
/// it sees every other key. A failure part-way leaves a context without `status`; delete it with
/// [`super::delete`].
pub async fn write<S: ContextStore + ?Sized>(store: &S, ctx: &AppContext) -> Result<Written> {
    write_as(store, ctx, &Status::new(State::Built)).await
}

/// Like [`write()`], with `status` as the context's status (the saga writes a failed build as
/// `InstantiateFailed` with its reason, so that it can be inspected).
pub async fn write_as<S: ContextStore + ?Sized>(
    store: &S,
    ctx: &AppContext,
    status: &Status,
) -> Result<Written> {
    let batches = plan_as(ctx, status)?;
    let mut written = Written::default();
    for batch in batches {
        written.txns += 1;
        written.keys += batch.len();
        written.bytes += batch.iter().map(op_size).sum::<usize>();
        store.txn(Txn::new().and_then(batch)).await?;
    }
    Ok(written)
}

/// Every put of `ctx`, grouped into transactions: all but the last hold the content, the last holds only
/// `status`.
pub fn plan(ctx: &AppContext) -> Result<Vec<Vec<Op>>> {
    plan_as(ctx, &Status::new(State::Built))
}

/// [`plan`] with the given status.
pub fn plan_as(ctx: &AppContext, status: &Status) -> Result<Vec<Vec<Op>>> {
    let keys = ContextKeys::new(ctx.id);
    let mut puts = Vec::new();
    let meta = keys.meta();
    puts.push(put(meta, &ctx.meta)?);
    let apps = AppsRecord {
        apps: (ctx.apps.iter())
            .map(|a| (a.name.clone(), a.depends_on.clone()))
            .collect(),
    };
    puts.push(put(keys.apps(), &apps)?);
    for app in &ctx.apps {
        puts.push(put(keys.clusters(&app.name), &app.placement)?);
        let mut blobs = BTreeSet::new();
        for (cluster, manifests) in &app.clusters {
            let mut blob = |m: &Manifest| {
                let entry = entry(m);
                if blobs.insert(entry.blob) {
                    puts.push(Op::put(keys.blob(&app.name, &entry.blob), m.body.clone()));
                }
                entry
            };
            let record = record(manifests, &mut blob);
            puts.push(put(keys.cluster(&app.name, cluster), &record)?);
        }
    }
    let mut batches = batch(puts)?;
    batches.push(vec![put(keys.status(), status)?]);
    Ok(batches)
}

/// The resource list of one cluster; `blob` records each body and gives its entry.
fn record(manifests: &Manifests, blob: &mut impl FnMut(&Manifest) -> Entry) -> ClusterRecord {
    ClusterRecord {
        resources: manifests.resources.iter().map(&mut *blob).collect(),
        hooks: (manifests.hooks.iter())
            .map(|h| (h.event.clone(), blob(&h.manifest)))
            .collect(),
        crds: manifests.crds.iter().map(&mut *blob).collect(),
    }
}

fn entry(m: &Manifest) -> Entry {
    Entry {
        api_version: m.api_version.clone(),
        kind: m.kind.clone(),
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        blob: BlobHash::of(&m.body),
    }
}

fn put<T: serde::Serialize>(key: Key, value: &T) -> Result<Op> {
    let value = encode(&key, value)?;
    Ok(Op::put(key, value))
}

fn op_size(op: &Op) -> usize {
    match op {
        Op::Put { key, value } => key.as_bytes().len() + value.len(),
        _ => 0,
    }
}

/// Splits `puts` into transactions of at most [`MAX_OPS`] operations and [`MAX_TXN_BYTES`] bytes.
fn batch(puts: Vec<Op>) -> Result<Vec<Vec<Op>>> {
    let mut batches = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for op in puts {
        let size = op_size(&op);
        if size > MAX_TXN_BYTES {
            let Op::Put { key, .. } = op else {
                unreachable!("only puts are planned")
            };
            return Err(Error::TooLarge {
                key,
                size,
                max: MAX_TXN_BYTES,
            });
        }
        if current.len() == MAX_OPS || bytes + size > MAX_TXN_BYTES {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(op);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}
