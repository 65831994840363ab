//! A token bucket: `burst` tokens, refilled continuously at a rate.

use std::time::{Duration, Instant};

use crate::config::RateLimit;

/// The rate limit of one channel.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    capacity: f64,
    tokens: f64,
    per_sec: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        let capacity = f64::from(limit.burst.max(1));
        TokenBucket {
            capacity,
            tokens: capacity,
            per_sec: limit.per_minute.max(f64::MIN_POSITIVE) / 60.0,
            last: now,
        }
    }

    /// Takes a token: `None` when one was there, else how long until one is.
    pub fn take(&mut self, now: Instant) -> Option<Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            let wait = (1.0 - self.tokens) / self.per_sec;
            // A huge wait (a rate near zero) is capped rather than overflowing.
            Some(Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_secs(86_400)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_one_per_period() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(
            RateLimit {
                per_minute: 6.0,
                burst: 2,
            },
            start,
        );
        assert_eq!(bucket.take(start), None);
        assert_eq!(bucket.take(start), None);
        // Empty: 6 per minute is one token every 10 s.
        let wait = bucket.take(start).unwrap();
        assert!((wait.as_secs_f64() - 10.0).abs() < 1e-9, "{wait:?}");
        assert_eq!(bucket.take(start + Duration::from_secs(10)), None);
        // Refill never exceeds the burst.
        let later = start + Duration::from_secs(3_600);
        assert_eq!(bucket.take(later), None);
        assert_eq!(bucket.take(later), None);
        assert!(bucket.take(later).is_some());
    }
}
