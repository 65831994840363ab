//! Reconnect delays: exponential backoff with full jitter.
//!
//! The n-th retry waits a uniformly random time in [0, min(cap, base·2ⁿ)]
//! ("full jitter", Brooker, *Exponential Backoff and Jitter*, AWS
//! Architecture Blog 2015), so that many clients that lost the same server
//! do not reconnect in lock-step. A success resets the sequence.

use std::time::Duration;

/// Backoff settings, as they appear in a connector's config.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackoffConfig {
    /// First delay ceiling [ms].
    pub initial_ms: u64,
    /// Largest delay [ms].
    pub max_ms: u64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            initial_ms: 200,
            max_ms: 30_000,
        }
    }
}

/// The state of one connection's retries.
#[derive(Clone, Debug)]
pub struct Backoff {
    config: BackoffConfig,
    attempt: u32,
    rng: u64,
}

impl Backoff {
    /// A fresh sequence; `seed` varies the jitter between connections.
    pub fn new(config: BackoffConfig, seed: u64) -> Backoff {
        Backoff {
            config,
            attempt: 0,
            rng: seed | 1,
        }
    }

    /// The delay before the next attempt, and count it.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .config
            .initial_ms
            .max(1)
            .saturating_mul(1u64 << self.attempt.min(32))
            .min(self.config.max_ms.max(1));
        self.attempt = self.attempt.saturating_add(1);
        Duration::from_millis(self.random() % ceiling.saturating_add(1))
    }

    /// How many attempts since the last success.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// A connection succeeded: start over.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// xorshift64*: jitter needs spread, not cryptographic quality.
    fn random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_and_reset() {
        let mut backoff = Backoff::new(
            BackoffConfig {
                initial_ms: 100,
                max_ms: 1000,
            },
            7,
        );
        let mut ceilings = Vec::new();
        for n in 0..8 {
            let delay = backoff.next_delay().as_millis() as u64;
            let ceiling = (100u64 << n).min(1000);
            assert!(delay <= ceiling, "attempt {n}: {delay} > {ceiling}");
            ceilings.push(ceiling);
        }
        assert_eq!(backoff.attempts(), 8);
        backoff.reset();
        assert!(backoff.next_delay().as_millis() <= 100);
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let mut backoff = Backoff::new(
            BackoffConfig {
                initial_ms: 1000,
                max_ms: 1000,
            },
            42,
        );
        let delays: Vec<_> = (0..50).map(|_| backoff.next_delay().as_millis()).collect();
        let (min, max) = (delays.iter().min().unwrap(), delays.iter().max().unwrap());
        assert!(max - min > 500, "{delays:?}");
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let mut backoff = Backoff::new(
            BackoffConfig {
                initial_ms: u64::MAX,
                max_ms: u64::MAX,
            },
            1,
        );
        for _ in 0..100 {
            let _ = backoff.next_delay();
        }
    }
}
