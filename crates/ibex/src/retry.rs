//! The documented retry rules (docs/api/README.md §7), with delays the caller can shrink for tests.

use std::time::Duration;

/// How long and how often to retry. Defaults follow the API guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// `204` on `/users/me/address`: wallet not ready; retry every 2–3 s.
    pub not_ready_delay: Duration,
    pub not_ready_attempts: u32,
    /// `404` on balances/transactions/pools: not indexed; wait 5–10 s and retry once.
    pub not_indexed_delay: Duration,
    /// `429` on an idempotent read: wait `Retry-After` (or this when absent) and retry, at most
    /// `rate_limit_retries` times; a `Retry-After` above `max_retry_after` is returned instead.
    pub rate_limit_default: Duration,
    pub max_retry_after: Duration,
    pub rate_limit_retries: u32,
    /// Transient failures (network, 5xx) of idempotent reads: exponential backoff with
    /// jitter from `backoff_base`, capped at `backoff_max`, `transient_attempts` retries.
    pub transient_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            not_ready_delay: Duration::from_millis(2500),
            not_ready_attempts: 5,
            not_indexed_delay: Duration::from_secs(7),
            rate_limit_default: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(30),
            rate_limit_retries: 2,
            transient_attempts: 3,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(4),
        }
    }
}

impl RetryPolicy {
    /// The same rules with every delay scaled down to milliseconds (tests, benchmarks).
    pub fn fast() -> Self {
        Self {
            not_ready_delay: Duration::from_millis(20),
            not_indexed_delay: Duration::from_millis(20),
            rate_limit_default: Duration::from_millis(20),
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_millis(40),
            ..Self::default()
        }
    }

    /// Never retry anything.
    pub fn none() -> Self {
        Self {
            not_ready_attempts: 0,
            rate_limit_retries: 0,
            transient_attempts: 0,
            ..Self::fast()
        }
    }

    /// Jittered backoff before retry number `attempt` (0-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        jittered_backoff(self.backoff_base, self.backoff_max, attempt)
    }
}

/// `base · 2^attempt`, capped at `max`, then a random point in its upper half so that many
/// clients failing together do not retry in lockstep.
pub(crate) fn jittered_backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt)).min(max);
    let ms = exp.as_millis() as u64;
    Duration::from_millis(fastrand::u64(ms / 2..=ms.max(1)))
}

/// Parses `Retry-After` given in seconds (the HTTP-date form is not used by IBEx).
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        for attempt in 0..20 {
            let d = p.backoff(attempt);
            assert!(d <= p.backoff_max, "{d:?}");
        }
        assert!(p.backoff(0) >= p.backoff_base / 2);
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
