//! rsync's tunables, with the defaults of docs/DESIGN.md §7.

use std::time::Duration;

use crate::backoff::Backoff;

/// How one rsync process works.
#[derive(Clone, Debug)]
pub struct Config {
    /// This replica's name, recorded with the clusters it finishes.
    pub name: String,
    /// How many clusters one process works on at once.
    pub max_clusters: usize,
    /// The retry schedule for an unreachable cluster or a retryable apply failure.
    pub backoff: Backoff,
    /// How many times an unreachable cluster is retried before its work fails; `None` retries until the
    /// work is stopped or terminated.
    pub max_retries: Option<u32>,
    /// How often each deployed cluster's desired state is re-applied to correct drift; zero turns it off.
    pub resync: Duration,
    /// How often the supervisor checks the stop flags and finishes contexts.
    pub supervise_every: Duration,
    /// How often a long task tells the queue it is still alive.
    pub keep_alive: Duration,
    /// Speak HTTP/2 with prior knowledge to clusters served over plain HTTP
    /// ([`Clients::with_h2c`](crate::cluster::Clients::with_h2c)).
    pub h2c: bool,
}

impl Default for Config {
    fn default() -> Self {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        Self {
            name: format!(
                "rsync-{}-{:08x}",
                std::process::id(),
                u32::from_le_bytes(bytes)
            ),
            max_clusters: 256,
            backoff: Backoff::default(),
            max_retries: None,
            resync: Duration::from_secs(600),
            supervise_every: Duration::from_millis(250),
            keep_alive: Duration::from_secs(10),
            h2c: false,
        }
    }
}
