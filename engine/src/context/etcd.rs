//! The etcd context store, through `etcd-client`.
//!
//! Every call is retried with backoff ([`Policy`]) while its error is retryable: the server unavailable,
//! the connection refused or lost. A write whose reply was lost may thus be applied twice; callers make
//! writes idempotent or guard them with compares (a guarded write then reports `succeeded: false`).
//! A watch is not resumed after its connection is lost: it ends with a retryable error, and the caller
//! watches again from the revision after the last event it saw.
//!
//! Answers of any size are accepted, as kube-apiserver accepts them from its etcd: gRPC's default limit of
//! 4 MiB per message would refuse a status range over a few thousand clusters, an outbox backlog after a
//! NATS outage, or a watch replaying such a history. A prefix range is read in pages of [`PAGE`] keys, all
//! at the first page's revision, so no one answer holds the whole prefix.

use std::time::Duration;

use async_trait::async_trait;
use etcd_client::{
    Client, ConnectOptions, DeleteOptions, GetOptions, KvClient, TxnOp, TxnOpResponse, WatchClient,
    WatchOptions,
};
use tonic::Code;

use super::retry::Policy;
use super::watch::Watch;
use super::{
    Compare, CompareOp, ContextStore, Error, Event, EventKind, Key, KeyValue, Op, OpResponse,
    Range, Result, Revision, Target, Txn, TxnResponse,
};

/// The most keys one range request asks for.
pub const PAGE: i64 = 1_000;

/// The largest answer accepted from etcd: gRPC's own limit (kube-apiserver's `MaxCallRecvMsgSize`).
const MAX_ANSWER: usize = i32::MAX as usize;

/// How many times a paged range starts over when etcd compacts the revision it reads at.
const RANGE_ATTEMPTS: usize = 3;

/// How to reach etcd.
#[derive(Clone, Debug)]
pub struct Config {
    /// Client URLs, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// How calls are retried.
    pub retry: Policy,
    /// How long one connection attempt may take.
    pub connect_timeout: Duration,
}

impl Config {
    /// The defaults for `endpoints`.
    pub fn new(endpoints: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            retry: Policy::default(),
            connect_timeout: Duration::from_secs(2),
        }
    }

    /// Connects, retrying while etcd is unreachable.
    pub async fn connect(self) -> Result<EtcdStore> {
        let options = ConnectOptions::new().with_connect_timeout(self.connect_timeout);
        let client = self
            .retry
            .run("connect", || async {
                Client::connect(&self.endpoints, Some(options.clone()))
                    .await
                    .map_err(from_etcd)
            })
            .await?;
        Ok(EtcdStore {
            kv: client.kv_client().max_decoding_message_size(MAX_ANSWER),
            watch: client.watch_client().max_decoding_message_size(MAX_ANSWER),
            retry: self.retry,
        })
    }
}

/// The etcd-backed context store. Cheap to clone.
#[derive(Clone)]
pub struct EtcdStore {
    kv: KvClient,
    watch: WatchClient,
    retry: Policy,
}

impl EtcdStore {
    /// Reads every key under `prefix` in pages, each at the revision of the first.
    async fn paged_range(&self, prefix: &Key) -> Result<Range> {
        let end = range_end(prefix.as_bytes());
        let mut from = prefix.as_bytes().to_vec();
        let mut at: Option<Revision> = None;
        let mut kvs = Vec::new();
        loop {
            let mut options = GetOptions::new().with_range(end.clone()).with_limit(PAGE);
            if let Some(at) = at {
                options = options.with_revision(at.0);
            }
            let page = self
                .retry
                .run("range", || async {
                    let mut client = self.kv.clone();
                    match client.get(from.clone(), Some(options.clone())).await {
                        Err(etcd_client::Error::GRpcStatus(s))
                            if s.code() == Code::OutOfRange
                                && s.message().contains("compacted") =>
                        {
                            Err(Error::Compacted {
                                requested: at.unwrap_or_default(),
                                compacted: Revision(0),
                            })
                        }
                        answer => answer.map_err(from_etcd),
                    }
                })
                .await?;
            let revision = *at.get_or_insert(Revision(page.header().map_or(0, |h| h.revision())));
            kvs.extend(page.kvs().iter().map(key_value));
            match kvs.last() {
                Some(last) if page.more() => {
                    from = last.key.as_bytes().to_vec();
                    from.push(0);
                }
                _ => return Ok(Range { kvs, revision }),
            }
        }
    }
}

/// A transaction branch for the trace log: each operation's kind and key, without values.
struct Summary<'a>(&'a [Op]);

impl std::fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, op) in self.0.iter().enumerate() {
            let (kind, key) = match op {
                Op::Get(k) => ("get", k),
                Op::Range(k) => ("range", k),
                Op::Put { key, .. } => ("put", key),
                Op::Delete(k) => ("delete", k),
                Op::DeletePrefix(k) => ("delete-prefix", k),
            };
            write!(f, "{}{kind} {key}", if i == 0 { "" } else { ", " })?;
        }
        Ok(())
    }
}

/// The end of the range of keys starting with `prefix`: the prefix with its last byte below 0xff
/// incremented and what follows dropped; `\0` (every key from the prefix on) when there is none.
fn range_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// Classifies an `etcd-client` error: lost connections and an unavailable server are retryable.
/// tonic reports a connection broken mid-call as `Unknown`, so that code counts as retryable too.
fn from_etcd(e: etcd_client::Error) -> Error {
    let retryable = match &e {
        etcd_client::Error::GRpcStatus(status) => matches!(
            status.code(),
            Code::Unavailable | Code::DeadlineExceeded | Code::Aborted | Code::Unknown
        ),
        etcd_client::Error::TransportError(_) | etcd_client::Error::IoError(_) => true,
        _ => false,
    };
    Error::Backend {
        message: e.to_string(),
        retryable,
    }
}

fn key_value(kv: &etcd_client::KeyValue) -> KeyValue {
    KeyValue {
        key: Key::new(kv.key()),
        value: kv.value().to_vec(),
        create_revision: Revision(kv.create_revision()),
        mod_revision: Revision(kv.mod_revision()),
        version: kv.version(),
    }
}

fn compare(c: Compare) -> etcd_client::Compare {
    let op = match c.op {
        CompareOp::Equal => etcd_client::CompareOp::Equal,
        CompareOp::NotEqual => etcd_client::CompareOp::NotEqual,
        CompareOp::Less => etcd_client::CompareOp::Less,
        CompareOp::Greater => etcd_client::CompareOp::Greater,
    };
    let key = c.key.as_bytes().to_vec();
    match c.target {
        Target::ModRevision(r) => etcd_client::Compare::mod_revision(key, op, r.0),
        Target::CreateRevision(r) => etcd_client::Compare::create_revision(key, op, r.0),
        Target::Version(v) => etcd_client::Compare::version(key, op, v),
        Target::Value(v) => etcd_client::Compare::value(key, op, v),
    }
}

fn txn_op(op: Op) -> TxnOp {
    match op {
        Op::Get(key) => TxnOp::get(key.as_bytes(), None),
        Op::Range(prefix) => TxnOp::get(prefix.as_bytes(), Some(GetOptions::new().with_prefix())),
        Op::Put { key, value } => TxnOp::put(key.as_bytes(), value, None),
        Op::Delete(key) => TxnOp::delete(key.as_bytes(), None),
        Op::DeletePrefix(prefix) => {
            TxnOp::delete(prefix.as_bytes(), Some(DeleteOptions::new().with_prefix()))
        }
    }
}

fn response(r: etcd_client::TxnResponse) -> TxnResponse {
    let revision = Revision(r.header().map_or(0, |h| h.revision()));
    let responses = r
        .op_responses()
        .into_iter()
        .map(|op| match op {
            TxnOpResponse::Get(get) => OpResponse::Range(Range {
                kvs: get.kvs().iter().map(key_value).collect(),
                revision,
            }),
            TxnOpResponse::Put(_) => OpResponse::Put,
            TxnOpResponse::Delete(d) => OpResponse::Delete(d.deleted().max(0) as u64),
            // Nested transactions are never sent.
            TxnOpResponse::Txn(_) => OpResponse::Put,
        })
        .collect();
    TxnResponse {
        succeeded: r.succeeded(),
        revision,
        responses,
    }
}

fn event(e: &etcd_client::Event) -> Option<Event> {
    let kind = match e.event_type() {
        etcd_client::EventType::Put => EventKind::Put,
        etcd_client::EventType::Delete => EventKind::Delete,
    };
    Some(Event {
        kind,
        kv: key_value(e.kv()?),
        prev: e.prev_kv().map(key_value),
    })
}

#[async_trait]
impl ContextStore for EtcdStore {
    async fn txn(&self, txn: Txn) -> Result<TxnResponse> {
        txn.check()?;
        tracing::trace!(compares = txn.compare.len(), ops = %Summary(&txn.success), "etcd txn");
        let request = || {
            etcd_client::Txn::new()
                .when(txn.compare.iter().cloned().map(compare).collect::<Vec<_>>())
                .and_then(txn.success.iter().cloned().map(txn_op).collect::<Vec<_>>())
                .or_else(txn.failure.iter().cloned().map(txn_op).collect::<Vec<_>>())
        };
        self.retry
            .run("txn", || async {
                let mut client = self.kv.clone();
                client.txn(request()).await.map(response).map_err(from_etcd)
            })
            .await
    }

    /// Pages of [`PAGE`] keys at one revision; starts over if etcd compacts that revision meanwhile.
    async fn range(&self, prefix: &Key) -> Result<Range> {
        let mut attempt = 1;
        loop {
            match self.paged_range(prefix).await {
                Err(Error::Compacted { .. }) if attempt < RANGE_ATTEMPTS => attempt += 1,
                done => return done,
            }
        }
    }

    /// A count-only range: etcd counts the keys and sends none of them.
    async fn count(&self, prefix: &Key) -> Result<usize> {
        let options = GetOptions::new().with_prefix().with_count_only();
        self.retry
            .run("count", || async {
                let mut client = self.kv.clone();
                let response = client
                    .get(prefix.as_bytes(), Some(options.clone()))
                    .await
                    .map_err(from_etcd)?;
                Ok(usize::try_from(response.count()).unwrap_or(usize::MAX))
            })
            .await
    }

    async fn watch(&self, prefix: &Key, from: Option<Revision>) -> Result<Watch> {
        let mut options = WatchOptions::new().with_prefix().with_prev_key();
        if let Some(from) = from {
            options = options.with_start_revision(from.0);
        }
        let mut stream = self
            .retry
            .run("watch", || async {
                let mut client = self.watch.clone();
                let mut stream = client
                    .watch(prefix.as_bytes(), Some(options.clone()))
                    .await
                    .map_err(from_etcd)?;
                // Wait until etcd has created the watch, so no later write is missed.
                match stream.message().await.map_err(from_etcd)? {
                    Some(created) if created.created() => Ok(stream),
                    _ => Err(Error::Backend {
                        message: "watch was not created".into(),
                        retryable: true,
                    }),
                }
            })
            .await?;
        let requested = from.unwrap_or_default();
        let (tx, watch) = Watch::channel();
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    _ = tx.closed() => return,
                    message = stream.message() => message,
                };
                let response = match message {
                    Ok(Some(response)) => response,
                    Ok(None) => {
                        let message = "watch stream ended".to_string();
                        let _ = tx
                            .send(Err(Error::Backend {
                                message,
                                retryable: true,
                            }))
                            .await;
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(from_etcd(e))).await;
                        return;
                    }
                };
                if response.compact_revision() > 0 || response.canceled() {
                    let error = if response.compact_revision() > 0 {
                        Error::Compacted {
                            requested,
                            compacted: Revision(response.compact_revision()),
                        }
                    } else {
                        Error::Backend {
                            message: format!("watch cancelled: {}", response.cancel_reason()),
                            retryable: true,
                        }
                    };
                    let _ = tx.send(Err(error)).await;
                    return;
                }
                for e in response.events().iter().filter_map(event) {
                    if tx.send(Ok(e)).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(watch)
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.retry
            .run("compact", || async {
                let mut client = self.kv.clone();
                match client.compact(revision.0, None).await {
                    Ok(_) => Ok(()),
                    Err(etcd_client::Error::GRpcStatus(s)) if s.code() == Code::OutOfRange => {
                        if s.message().contains("future") {
                            Err(Error::FutureRevision(revision))
                        } else {
                            Err(Error::Compacted {
                                requested: revision,
                                compacted: Revision(0),
                            })
                        }
                    }
                    Err(e) => Err(from_etcd(e)),
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::range_end;

    #[test]
    fn a_range_ends_after_the_last_key_with_its_prefix() {
        assert_eq!(range_end(b"/canopy/ctx/1/st/"), b"/canopy/ctx/1/st0");
        assert_eq!(range_end(b"a\xff\xff"), b"b");
        assert_eq!(
            range_end(b"\xff"),
            b"\0",
            "no end: every key from the prefix on"
        );
        assert_eq!(range_end(b""), b"\0");
    }
}
