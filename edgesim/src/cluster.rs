//! One virtual cluster: its store, its faults and its apply log, behind short-lived locks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::apply_log::ApplyLog;
pub use crate::apply_log::LogEntry;
use crate::fault::Faults;
use crate::kind::Kind;
use crate::status::{Error, Result};
use crate::store::{Key, Store};

/// Which object or collection a request addresses, resolved against the cluster's kinds.
#[derive(Debug, Clone)]
pub struct Target {
    /// The served kind.
    pub kind: Kind,
    /// Namespace from the path, if any.
    pub namespace: Option<String>,
    /// Object name from the path, if any.
    pub name: Option<String>,
}

impl Target {
    /// The store key of the named object.
    pub fn key(&self, name: &str) -> Key {
        Key {
            group: self.kind.group.clone(),
            plural: self.kind.plural.clone(),
            namespace: if self.kind.namespaced {
                self.namespace.clone().unwrap_or_default()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }

    /// The name from the path, or a 405 for verbs that need one.
    pub fn required_name(&self) -> Result<&str> {
        self.name
            .as_deref()
            .ok_or_else(|| Error::MethodNotAllowed("this verb needs an object name".into()))
    }

    /// A `NotFound` error for this target.
    pub fn not_found(&self, name: &str) -> Error {
        Error::NotFound(
            format!(
                "{}.{} \"{name}\" not found",
                self.kind.plural, self.kind.group
            )
            .replace(". \"", " \""),
        )
    }
}

/// A virtual cluster.
#[derive(Debug)]
pub struct Cluster {
    name: String,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    log: Mutex<ApplyLog>,
    failed_writes: AtomicU64,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the data stays consistent because
/// every critical section finishes its writes before anything can panic).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Cluster {
    /// An empty cluster with a `default` and a `kube-system` namespace.
    pub fn new(name: &str) -> Arc<Self> {
        let cluster = Arc::new(Self {
            name: name.to_string(),
            store: Mutex::default(),
            faults: Mutex::default(),
            log: Mutex::default(),
            failed_writes: AtomicU64::new(0),
        });
        for ns in ["default", "kube-system"] {
            let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            let target = cluster
                .resolve("", "v1", "namespaces", None, None)
                .expect("namespaces are built in");
            cluster
                .create(
                    &target,
                    body,
                    &crate::ops::WriteOptions {
                        manager: "edgesim",
                        ..Default::default()
                    },
                )
                .expect("a new cluster has no namespaces");
        }
        cluster
    }

    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The store, locked. Never hold it across an `.await`.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// The current faults.
    pub fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    /// Counts a write (any request but a GET) answered with an injected failure.
    pub fn count_failed_write(&self) {
        self.failed_writes.fetch_add(1, Ordering::Relaxed);
    }

    /// How many writes were answered with an injected failure ([`Faults::flaky`](crate::fault::Faults)):
    /// what a test needs to know that its client met them.
    pub fn failed_writes(&self) -> u64 {
        self.failed_writes.load(Ordering::Relaxed)
    }

    /// Appends to the apply log.
    pub fn log(&self, entry: LogEntry) {
        lock(&self.log).push(entry);
    }

    /// A copy of the apply log's kept writes, oldest first, and how many older ones it dropped.
    pub fn apply_log(&self) -> (Vec<LogEntry>, u64) {
        let log = lock(&self.log);
        (log.entries(), log.dropped())
    }

    /// Resolves a path's group, version and plural to a served kind.
    pub fn resolve(
        &self,
        group: &str,
        version: &str,
        plural: &str,
        namespace: Option<String>,
        name: Option<String>,
    ) -> Result<Target> {
        let store = self.store();
        let kind = store
            .kinds
            .by_plural(group, version, plural)
            .cloned()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "the server could not find the requested resource ({plural}.{group}/{version})"
                ))
            })?;
        Ok(Target {
            kind,
            namespace,
            name,
        })
    }
}
