//! Faults injected into one virtual cluster at run time, and the readiness delay of its workloads.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How an unreachable cluster fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unreachable {
    /// The server closes the connection without answering (the client sees a connection error; a true
    /// refused connect is impossible because every cluster shares one listening port).
    Refuse,
    /// The server accepts the request and never answers (it holds it for an hour).
    Hang,
}

/// A fraction of requests that fail.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Flaky {
    /// Share of requests that fail, 0.0 to 1.0.
    pub fraction: f64,
    /// HTTP code of the failures: 500 or 503 (default 503).
    #[serde(default = "default_code")]
    pub code: u16,
    /// Only writes (every request but a `GET`) fail, as behind a failing admission webhook; reads and
    /// watches are served (default false).
    #[serde(default)]
    pub writes_only: bool,
}

fn default_code() -> u16 {
    503
}

/// Readiness delay: fixed when `min_ms == max_ms`, otherwise uniform in the range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// Shortest delay in milliseconds.
    pub min_ms: u64,
    /// Longest delay in milliseconds.
    pub max_ms: u64,
}

/// Everything injectable into one cluster; the default is a healthy cluster with immediate readiness.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Whether, and how, the cluster is unreachable.
    pub unreachable: Option<Unreachable>,
    /// Latency added to every request, in milliseconds.
    pub latency_ms: u64,
    /// Failing share of requests.
    pub flaky: Option<Flaky>,
    /// How long workloads take to become ready.
    pub readiness: Readiness,
}

/// What the server does with one request, decided before it is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it, after the given latency.
    Serve(Duration),
    /// Answer with this error code, after the given latency.
    Fail(Duration, u16),
    /// Close the connection.
    Refuse,
    /// Never answer.
    Hang,
}

impl Faults {
    /// Decides the fate of one request; `write` says it is not a `GET`.
    pub fn verdict(&self, write: bool) -> Verdict {
        let latency = Duration::from_millis(self.latency_ms);
        match (self.unreachable, self.flaky) {
            (Some(Unreachable::Refuse), _) => Verdict::Refuse,
            (Some(Unreachable::Hang), _) => Verdict::Hang,
            (None, Some(f)) if (write || !f.writes_only) && unit_random() < f.fraction => {
                Verdict::Fail(latency, f.code)
            }
            _ => Verdict::Serve(latency),
        }
    }

    /// The readiness delay for one new generation.
    pub fn readiness_delay(&self) -> Duration {
        let Readiness { min_ms, max_ms } = self.readiness;
        let ms = if max_ms > min_ms {
            min_ms + (unit_random() * (max_ms - min_ms) as f64) as u64
        } else {
            min_ms
        };
        Duration::from_millis(ms)
    }
}

/// A random number in [0, 1) from the standard library's randomly keyed hasher; good enough for faults.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flaky_fraction_fails_about_that_share_of_requests() {
        let faults = Faults {
            flaky: Some(Flaky {
                fraction: 0.3,
                code: 500,
                writes_only: false,
            }),
            ..Faults::default()
        };
        let failed = (0..10_000)
            .filter(|i| matches!(faults.verdict(i % 2 == 0), Verdict::Fail(_, 500)))
            .count();
        assert!((2_500..3_500).contains(&failed), "{failed}");
    }

    #[test]
    fn a_writes_only_fault_serves_every_read() {
        let faults = Faults {
            flaky: Some(Flaky {
                fraction: 1.0,
                code: 500,
                writes_only: true,
            }),
            ..Faults::default()
        };
        assert!(matches!(faults.verdict(true), Verdict::Fail(_, 500)));
        assert!(matches!(faults.verdict(false), Verdict::Serve(_)));
    }

    #[test]
    fn a_readiness_range_gives_delays_inside_it() {
        let faults = Faults {
            readiness: Readiness {
                min_ms: 10,
                max_ms: 20,
            },
            ..Faults::default()
        };
        for _ in 0..100 {
            let d = faults.readiness_delay().as_millis();
            assert!((10..=20).contains(&d), "{d}");
        }
    }
}
