//! [`Config`] of the outbound calls, and the backoff between attempts: exponential from `backoff_base`,
//! capped at `backoff_cap`, with "equal jitter" (half the step fixed, half random) so that engines retrying
//! the same controller spread out but every wait still grows.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How the engine calls controllers and rsync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The deadline of every attempt: EMCO's `grpc-call-timeout`, 10 s by default.
    pub deadline: Duration,
    /// How many times a call is made at most when it fails with a retryable code or cannot connect.
    pub attempts: u32,
    /// The wait before the second attempt (before jitter); it doubles with every attempt.
    pub backoff_base: Duration,
    /// The longest wait between two attempts.
    pub backoff_cap: Duration,
    /// How long a connection attempt may take.
    pub connect_timeout: Duration,
    /// The HTTP/2 keepalive ping interval; a connection whose ping is not answered within the same time
    /// is closed.
    pub keepalive: Duration,
    /// The largest message sent or received (10,000-cluster requests are several MiB).
    pub max_message_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(10),
            attempts: 4,
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(1),
            keepalive: Duration::from_secs(10),
            max_message_bytes: 64 << 20,
        }
    }
}

impl Config {
    /// The step before attempt `attempt + 1` (after `attempt` failures, `attempt >= 1`), before jitter:
    /// `backoff_base * 2^(attempt-1)`, capped.
    pub fn step(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_cap)
    }

    /// The wait before attempt `attempt + 1`: half of [`Config::step`] plus a random part of the other half.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let step = self.step(attempt);
        let half = step / 2;
        half + half.mul_f64(unit_random())
    }
}

/// A number in `[0, 1)`. Each `RandomState` is freshly keyed, which is random enough for jitter and needs no
/// extra dependency.
fn unit_random() -> f64 {
    let bits = RandomState::new().build_hasher().finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_doubles_until_the_cap() {
        let c = Config::default();
        let steps: Vec<u128> = (1..=7).map(|a| c.step(a).as_millis()).collect();
        assert_eq!(steps, [100, 200, 400, 800, 1600, 2000, 2000]);
        assert_eq!(c.step(200), c.backoff_cap);
    }

    #[test]
    fn the_jittered_wait_stays_between_half_the_step_and_the_step() {
        let c = Config::default();
        for attempt in 1..=6 {
            let step = c.step(attempt);
            for _ in 0..50 {
                let wait = c.backoff(attempt);
                assert!(wait >= step / 2 && wait <= step, "{wait:?} for {step:?}");
            }
        }
    }
}
