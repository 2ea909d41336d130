//! Compare-and-swap transactions, in the spirit of etcd's `Txn`: compares on keys' revisions, versions or
//! values, and the operations to run when they all hold (success) or not (failure).

use super::{Error, Key, KeyValue, Range, Result, Revision};

/// The most compares, or operations in one branch, a transaction may have: etcd's default
/// `--max-txn-ops`. Both implementations enforce it with [`Error::TooManyOps`].
pub const MAX_OPS: usize = 128;

/// How a compare relates the key's field to the given value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// Field == value.
    Equal,
    /// Field != value.
    NotEqual,
    /// Field < value.
    Less,
    /// Field > value.
    Greater,
}

/// The field of a key a compare reads, with the value it is compared against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The revision that last changed the key (0 when absent).
    ModRevision(Revision),
    /// The revision that created the key (0 when absent).
    CreateRevision(Revision),
    /// The key's version (0 when absent).
    Version(i64),
    /// The key's value. A compare on the value of an absent key is false.
    Value(Vec<u8>),
}

/// One condition of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compare {
    /// The key read.
    pub key: Key,
    /// The relation.
    pub op: CompareOp,
    /// The field and the value it is compared against.
    pub target: Target,
}

impl Compare {
    /// Compares `key`'s field with `op`.
    pub fn new(key: Key, op: CompareOp, target: Target) -> Self {
        Self { key, op, target }
    }

    /// Holds when `key` does not exist (its create revision is 0).
    pub fn absent(key: Key) -> Self {
        Self::new(key, CompareOp::Equal, Target::CreateRevision(Revision(0)))
    }

    /// Holds when `key` was last changed at `revision`.
    pub fn mod_revision(key: Key, revision: Revision) -> Self {
        Self::new(key, CompareOp::Equal, Target::ModRevision(revision))
    }

    /// Evaluates the compare against the key's current state.
    pub(crate) fn holds(&self, current: Option<&KeyValue>) -> bool {
        use std::cmp::Ordering;
        let ordering = match (&self.target, current) {
            (Target::Value(_), None) => return false,
            (Target::Value(v), Some(kv)) => kv.value.as_slice().cmp(v.as_slice()),
            (Target::ModRevision(r), kv) => kv.map_or(0, |kv| kv.mod_revision.0).cmp(&r.0),
            (Target::CreateRevision(r), kv) => kv.map_or(0, |kv| kv.create_revision.0).cmp(&r.0),
            (Target::Version(v), kv) => kv.map_or(0, |kv| kv.version).cmp(v),
        };
        match self.op {
            CompareOp::Equal => ordering == Ordering::Equal,
            CompareOp::NotEqual => ordering != Ordering::Equal,
            CompareOp::Less => ordering == Ordering::Less,
            CompareOp::Greater => ordering == Ordering::Greater,
        }
    }
}

/// One operation of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Reads one key.
    Get(Key),
    /// Reads every key under a prefix.
    Range(Key),
    /// Writes a key.
    Put {
        /// The key.
        key: Key,
        /// Its new value.
        value: Vec<u8>,
    },
    /// Deletes one key.
    Delete(Key),
    /// Deletes every key under a prefix.
    DeletePrefix(Key),
}

impl Op {
    /// A put of `value` at `key`.
    pub fn put(key: Key, value: impl Into<Vec<u8>>) -> Self {
        Self::Put {
            key,
            value: value.into(),
        }
    }
}

/// The result of one operation, in the order of the branch that ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpResponse {
    /// A get or range: the keys read. Its revision is the transaction's.
    Range(Range),
    /// A put.
    Put,
    /// A delete or delete-prefix: how many keys were deleted.
    Delete(u64),
}

impl OpResponse {
    /// The keys read, or an empty range when this was not a read.
    pub fn into_range(self) -> Range {
        match self {
            Self::Range(range) => range,
            _ => Range {
                kvs: Vec::new(),
                revision: Revision(0),
            },
        }
    }

    /// How many keys were deleted (0 when this was not a delete).
    pub fn deleted(&self) -> u64 {
        match self {
            Self::Delete(n) => *n,
            _ => 0,
        }
    }
}

/// A transaction: if every compare holds, run `success`, else `failure`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Txn {
    /// The conditions, all of which must hold.
    pub compare: Vec<Compare>,
    /// What runs when they hold.
    pub success: Vec<Op>,
    /// What runs when one does not.
    pub failure: Vec<Op>,
}

impl Txn {
    /// An empty transaction: it succeeds and changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the compares.
    pub fn when(mut self, compare: impl Into<Vec<Compare>>) -> Self {
        self.compare = compare.into();
        self
    }

    /// Sets the success operations.
    pub fn and_then(mut self, ops: impl Into<Vec<Op>>) -> Self {
        self.success = ops.into();
        self
    }

    /// Sets the failure operations.
    pub fn or_else(mut self, ops: impl Into<Vec<Op>>) -> Self {
        self.failure = ops.into();
        self
    }

    /// Checks the limits etcd enforces, so both implementations accept the same transactions: at most
    /// [`MAX_OPS`] entries in each part ([`Error::TooManyOps`]), and no key written twice in one branch,
    /// by two puts or by a put inside a delete ([`Error::DuplicateKey`]).
    pub fn check(&self) -> Result<()> {
        for (what, count) in [
            ("compares", self.compare.len()),
            ("success operations", self.success.len()),
            ("failure operations", self.failure.len()),
        ] {
            if count > MAX_OPS {
                return Err(Error::TooManyOps { what, count });
            }
        }
        for branch in [&self.success, &self.failure] {
            check_duplicates(branch)?;
        }
        Ok(())
    }
}

fn check_duplicates(ops: &[Op]) -> Result<()> {
    let mut puts = std::collections::BTreeSet::new();
    for op in ops {
        if let Op::Put { key, .. } = op
            && !puts.insert(key)
        {
            return Err(Error::DuplicateKey(key.clone()));
        }
    }
    for op in ops {
        let hit = match op {
            Op::Delete(key) => puts.get(key).copied(),
            Op::DeletePrefix(prefix) => puts.iter().copied().find(|k| k.starts_with(prefix)),
            _ => None,
        };
        if let Some(key) = hit {
            return Err(Error::DuplicateKey(key.clone()));
        }
    }
    Ok(())
}

/// What a transaction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnResponse {
    /// True when every compare held and `success` ran.
    pub succeeded: bool,
    /// The store revision after the transaction.
    pub revision: Revision,
    /// One response per operation of the branch that ran.
    pub responses: Vec<OpResponse>,
}
