//! The sandbox's clock: wall time, optionally accelerated, plus manual jumps, so a token's 24 h or
//! a recovery's 1-day delay can be observed in seconds.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch on the sandbox clock.
pub type Millis = i64;

#[derive(Debug)]
pub struct Clock {
    started: Instant,
    start_ms: Millis,
    scale: f64,
    advanced_ms: AtomicI64,
}

impl Clock {
    /// A clock at wall time, or at `not_before` if that is later (a restored state never sees
    /// time go back).
    pub fn new(scale: f64, not_before: Millis) -> Self {
        let wall = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as Millis;
        Self {
            started: Instant::now(),
            start_ms: wall.max(not_before),
            scale,
            advanced_ms: AtomicI64::new(0),
        }
    }

    pub fn now(&self) -> Millis {
        let elapsed = self.started.elapsed().as_secs_f64() * 1000.0 * self.scale;
        self.start_ms + elapsed as Millis + self.advanced_ms.load(Ordering::Relaxed)
    }

    pub fn advance(&self, seconds: i64) {
        self.advanced_ms
            .fetch_add(seconds.saturating_mul(1000), Ordering::Relaxed);
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }
}

/// RFC 3339 with milliseconds and `Z`, the format every IBEx timestamp uses.
pub fn iso(ms: Millis) -> String {
    const FORMAT: &[BorrowedFormatItem<'_>] =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{}.{:03}Z",
        t.format(FORMAT).unwrap_or_default(),
        ms.rem_euclid(1000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_has_millis() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_736_937_000_123), "2025-01-15T10:30:00.123Z");
    }

    #[test]
    fn advance_moves_now() {
        let clock = Clock::new(1.0, 0);
        let before = clock.now();
        clock.advance(86_400);
        assert!(clock.now() - before >= 86_400_000);
    }
}
