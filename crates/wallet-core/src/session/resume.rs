//! Trying again an account whose stored session could not be resumed (IBEx or the keychain not
//! answering): when the user asks ("Try again") and on the core's own, waiting longer each
//! time. One attempt per account at a time: its refresh token is single-use, and two attempts
//! at once would send it twice — IBEx would honour the first and refuse the second, which
//! would then end a session that had just come back.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::OwnedMutexGuard;

use crate::sync::lock;

/// The waits between the automatic tries: `first`, doubling each time, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeBackoff {
    pub first: Duration,
    pub max: Duration,
}

impl ResumeBackoff {
    /// 15 s, 30 s, 1 min, 2 min, 4 min, then every 5 min: soon after a blip, and no more than
    /// a dozen refreshes an hour per account through a long outage.
    pub const DEFAULT: Self = Self {
        first: Duration::from_secs(15),
        max: Duration::from_secs(300),
    };

    /// The wait before automatic try `n` (from 0), up to a tenth shorter at random: the
    /// wallets one outage failed together do not all come back at the same instant.
    pub(crate) fn delay(&self, n: u32) -> Duration {
        let wait = self.step(n);
        wait.saturating_sub(wait.mul_f64(rand::rng().random_range(0.0..0.1)))
    }

    /// The wait before try `n`, without the jitter.
    fn step(&self, n: u32) -> Duration {
        self.first
            .saturating_mul(2u32.saturating_pow(n.min(31)))
            .min(self.max)
    }
}

/// An account's attempts (`None`: the network's session from before several accounts).
pub(crate) type Key = Option<String>;

#[derive(Default)]
struct Gate {
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Attempts finished, so that a caller who waited knows whether one ran meanwhile.
    done: AtomicU64,
}

/// The attempt in progress per account, and which accounts a loop of automatic tries runs for.
#[derive(Default)]
pub(crate) struct Attempts {
    gates: Mutex<HashMap<Key, Arc<Gate>>>,
    looping: Mutex<HashSet<Key>>,
}

/// The caller's turn to try `key`; the next caller's starts when it is dropped.
pub(crate) struct Turn {
    gate: Arc<Gate>,
    _held: OwnedMutexGuard<()>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        // Before the guard is released (fields drop after this): a waiter sees it counted.
        self.gate.done.fetch_add(1, Ordering::SeqCst);
    }
}

impl Attempts {
    /// Waits for the attempt in progress for `key`, if any. `None`: one ran while the caller
    /// waited, and its outcome answers the caller too (a double click, or the user and the
    /// automatic try at once); else the caller's turn.
    pub async fn turn(&self, key: &Key) -> Option<Turn> {
        let gate = lock(&self.gates).entry(key.clone()).or_default().clone();
        let seen = gate.done.load(Ordering::SeqCst);
        let held = gate.turn.clone().lock_owned().await;
        (gate.done.load(Ordering::SeqCst) == seen).then_some(Turn { gate, _held: held })
    }

    /// Registers the loop of automatic tries for `key`; false when one already runs.
    pub fn start_loop(&self, key: &Key) -> bool {
        lock(&self.looping).insert(key.clone())
    }

    /// Whether the loop for `key` goes on (`wanted`); when not, it is unregistered. Both under
    /// the lock [`Self::start_loop`] takes: a notice filed at that moment still gets a loop.
    pub fn go_on(&self, key: &Key, wanted: impl FnOnce() -> bool) -> bool {
        let mut looping = lock(&self.looping);
        let go_on = wanted();
        if !go_on {
            looping.remove(key);
        }
        go_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_waits_double_up_to_the_cap() {
        let steps: Vec<u64> = (0..8)
            .map(|n| ResumeBackoff::DEFAULT.step(n).as_secs())
            .collect();
        assert_eq!(steps, [15, 30, 60, 120, 240, 300, 300, 300]);
        assert_eq!(ResumeBackoff::DEFAULT.step(u32::MAX).as_secs(), 300);
        for n in 0..8 {
            let (wait, step) = (
                ResumeBackoff::DEFAULT.delay(n),
                ResumeBackoff::DEFAULT.step(n),
            );
            assert!(wait <= step && wait >= step.mul_f64(0.9), "{n}: {wait:?}");
        }
    }

    #[tokio::test]
    async fn a_caller_who_waited_for_an_attempt_joins_it() {
        let attempts = Arc::new(Attempts::default());
        let key = Some("a".to_owned());
        let first = attempts.turn(&key).await.expect("nobody else");
        let waiting = tokio::spawn({
            let (attempts, key) = (attempts.clone(), key.clone());
            async move { attempts.turn(&key).await.is_none() }
        });
        tokio::task::yield_now().await;
        let other = attempts.turn(&Some("b".to_owned())).await;
        assert!(other.is_some(), "another account is not held up");
        drop(first);
        assert!(waiting.await.unwrap(), "joined the first");
        assert!(
            attempts.turn(&key).await.is_some(),
            "a later one tries anew"
        );
    }
}
