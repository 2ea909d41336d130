//! A cluster's apply log: each write with its time and field manager, which tests read to prove ordering.
//!
//! It keeps the last [`ApplyLog::LIMIT`] writes and counts the ones it let go, so that a long benchmark loop
//! does not grow the server without bound.

use std::collections::VecDeque;

use serde::Serialize;

/// One write recorded in a cluster's apply log.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// When the write happened (RFC 3339 with microseconds).
    pub time: String,
    /// `create`, `replace`, `apply`, `patch`, `delete` or `status` (readiness simulation).
    pub verb: &'static str,
    /// The field manager of the request (`""` when none was given).
    pub manager: String,
    /// `apiVersion` of the object.
    pub api_version: String,
    /// Kind of the object.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// resourceVersion the write produced.
    pub resource_version: String,
}

/// The last [`ApplyLog::LIMIT`] writes, oldest first, and how many older ones were dropped.
#[derive(Debug, Default)]
pub struct ApplyLog {
    entries: VecDeque<LogEntry>,
    dropped: u64,
}

impl ApplyLog {
    /// How many writes a cluster's log keeps.
    pub const LIMIT: usize = 10_000;

    /// Appends a write, dropping the oldest one when the log is full.
    pub fn push(&mut self, entry: LogEntry) {
        if self.entries.len() == Self::LIMIT {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }

    /// A copy of the kept writes, oldest first.
    pub fn entries(&self) -> Vec<LogEntry> {
        self.entries.iter().cloned().collect()
    }

    /// How many writes were dropped to keep the log at its limit.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> LogEntry {
        LogEntry {
            time: String::new(),
            verb: "apply",
            manager: "m".into(),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "default".into(),
            name: format!("c{i}"),
            resource_version: i.to_string(),
        }
    }

    #[test]
    fn a_full_log_drops_its_oldest_writes_and_counts_them() {
        let mut log = ApplyLog::default();
        for i in 0..ApplyLog::LIMIT + 3 {
            log.push(entry(i));
        }
        let entries = log.entries();
        assert_eq!(entries.len(), ApplyLog::LIMIT);
        assert_eq!(entries[0].name, "c3");
        assert_eq!(
            entries.last().unwrap().name,
            format!("c{}", ApplyLog::LIMIT + 2)
        );
        assert_eq!(log.dropped(), 3);
    }
}
