//! Recovery deadline alerts: while someone else's recovery of the wallet is pending, warn the
//! owner before it becomes executable (by default 24 h and 1 h before, and at the deadline).
//!
//! Pure logic over a [`Clock`] and the [`KvStore`]: the schedule and its "already announced"
//! marks are persisted, so a restart re-arms it and never repeats an alert; after time passed
//! unobserved (app closed, clock jump) the overdue alerts collapse into one, the most urgent.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::messages::Msg;
use crate::store::KvStore;
use crate::sync::lock;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Store key of every pending schedule, by scope (`<safe>@<IBEx base URL>`).
const KEY: &str = "recovery-deadlines";
const MINUTE: Millis = 60_000;

/// Default alert lead times in minutes before the deadline (0 = at the deadline).
pub const DEFAULT_LEADS: [u32; 3] = [24 * 60, 60, 0];

/// "Now", injected so tests move time by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> Millis;
}

/// The server's time: the local clock corrected by the offset last measured against IBEx's
/// `/health` timestamp. Deadlines are server times, so a skewed (or, on the sandbox,
/// accelerated) server clock still gets its alerts on time.
#[derive(Default)]
pub struct ServerClock {
    offset: AtomicI64,
}

impl ServerClock {
    /// Records that the server said `server_now` just now.
    pub fn learn(&self, server_now: Millis) {
        self.offset
            .store(server_now - local_now(), Ordering::Relaxed);
    }
}

impl Clock for ServerClock {
    fn now(&self) -> Millis {
        local_now() + self.offset.load(Ordering::Relaxed)
    }
}

fn local_now() -> Millis {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as Millis
}

/// One pending recovery: its deadline and the lead times already announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Schedule {
    execute_after: Millis,
    fired: BTreeSet<u32>,
    /// The account whose Safe it is, as notifications name it (with several accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

/// A notification to show: the recovery can be executed now, or in `left` ms. Said in the
/// user's language when shown ([`Alert::title`], [`Alert::body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Executable,
    Pending { left: Millis },
}

impl Alert {
    pub fn title(&self, locale: Locale) -> String {
        match self {
            Alert::Executable => Msg::RecoveryExecutableTitle,
            Alert::Pending { .. } => Msg::RecoveryPendingTitle,
        }
        .render(locale)
    }

    pub fn body(&self, locale: Locale) -> String {
        match *self {
            Alert::Executable => Msg::RecoveryExecutableBody,
            Alert::Pending { left } => Msg::RecoveryPendingBody {
                left: describe_duration(left, locale),
            },
        }
        .render(locale)
    }
}

/// An alert due now, and the account it is for (`None`: the only one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub alert: Alert,
    pub account: Option<String>,
}

impl Due {
    /// The notification's title: the alert's, naming the account when there is one to name.
    pub fn title(&self, locale: Locale) -> String {
        let title = self.alert.title(locale);
        match &self.account {
            Some(account) => Msg::AlertForAccount {
                title,
                account: account.clone(),
            }
            .render(locale),
            None => title,
        }
    }

    pub fn body(&self, locale: Locale) -> String {
        self.alert.body(locale)
    }
}

/// One planned alert of a pending recovery, for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAlert {
    pub lead_minutes: u32,
    pub at: Millis,
    pub fired: bool,
}

pub struct Deadlines {
    store: Arc<dyn KvStore>,
    clock: Arc<dyn Clock>,
    /// Serialises read-modify-write of the stored schedules (the background check and a
    /// command may observe at once; each alert must fire once).
    guard: Mutex<()>,
}

impl Deadlines {
    pub fn new(store: Arc<dyn KvStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            guard: Mutex::new(()),
        }
    }

    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// A status check of `scope` saw this deadline (`None`: nothing pending, e.g. cancelled or
    /// executed, which clears the schedule). A new deadline starts a fresh schedule.
    /// `account`: how the alerts name the account (`None` when there is only one).
    pub fn observe(&self, scope: &str, execute_after: Option<Millis>, account: Option<&str>) {
        let _g = lock(&self.guard);
        let mut all = self.load();
        match execute_after {
            None => {
                if all.remove(scope).is_none() {
                    return;
                }
            }
            Some(at) => match all.get_mut(scope) {
                // The same deadline: only the account's name may have changed.
                Some(known) if known.execute_after == at => {
                    if known.account.as_deref() == account {
                        return;
                    }
                    known.account = account.map(str::to_owned);
                }
                _ => {
                    all.insert(
                        scope.to_owned(),
                        Schedule {
                            execute_after: at,
                            fired: BTreeSet::new(),
                            account: account.map(str::to_owned),
                        },
                    );
                }
            },
        }
        self.save(&all);
    }

    /// The alerts due now, at most one per scope, each lead time announced once, with the
    /// account each is for.
    pub fn due(&self, leads: &[u32]) -> Vec<Due> {
        let _g = lock(&self.guard);
        let now = self.clock.now();
        let mut all = self.load();
        let mut alerts = Vec::new();
        for schedule in all.values_mut() {
            let overdue: Vec<u32> = leads
                .iter()
                .copied()
                .filter(|lead| !schedule.fired.contains(lead))
                .filter(|lead| fire_time(schedule.execute_after, *lead) <= now)
                .collect();
            // Several overdue at once (the app was closed): say the most urgent thing once.
            if let Some(most_urgent) = overdue.iter().min() {
                alerts.push(Due {
                    alert: alert(*most_urgent, schedule.execute_after, now),
                    account: schedule.account.clone(),
                });
                schedule.fired.extend(overdue);
            }
        }
        if !alerts.is_empty() {
            self.save(&all);
        }
        alerts
    }

    /// When the next alert of any scope falls due.
    pub fn next_due(&self, leads: &[u32]) -> Option<Millis> {
        self.load()
            .values()
            .flat_map(|s| {
                leads
                    .iter()
                    .filter(|lead| !s.fired.contains(lead))
                    .map(|lead| fire_time(s.execute_after, *lead))
            })
            .min()
    }

    /// The schedule of `scope`, if a recovery is pending there.
    pub fn planned(&self, scope: &str, leads: &[u32]) -> Vec<PlannedAlert> {
        let Some(schedule) = self.load().remove(scope) else {
            return Vec::new();
        };
        let mut planned: Vec<PlannedAlert> = leads
            .iter()
            .map(|&lead_minutes| PlannedAlert {
                lead_minutes,
                at: fire_time(schedule.execute_after, lead_minutes),
                fired: schedule.fired.contains(&lead_minutes),
            })
            .collect();
        planned.sort_by_key(|p| p.at);
        planned
    }

    fn load(&self) -> BTreeMap<String, Schedule> {
        self.store
            .get(KEY)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    fn save(&self, all: &BTreeMap<String, Schedule>) {
        let value = serde_json::to_value(all).unwrap_or_default();
        if let Err(e) = self.store.set(KEY, value) {
            tracing::warn!(error = %e, "recovery deadlines not saved");
        }
    }
}

fn fire_time(execute_after: Millis, lead_minutes: u32) -> Millis {
    execute_after - Millis::from(lead_minutes) * MINUTE
}

fn alert(lead_minutes: u32, execute_after: Millis, now: Millis) -> Alert {
    let left = execute_after - now;
    if lead_minutes == 0 || left <= 0 {
        Alert::Executable
    } else {
        Alert::Pending { left }
    }
}

/// "23 h 59 min", "2 days 3 h", "45 min", "less than a minute".
pub fn describe_duration(ms: Millis, locale: Locale) -> String {
    let minutes = (ms / MINUTE).unsigned_abs();
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => Msg::LessThanAMinute,
        (0, 0, m) => Msg::Minutes { m },
        (0, h, 0) => Msg::Hours { h },
        (0, h, m) => Msg::HoursMinutes { h, m },
        (1, 0, _) => Msg::OneDay,
        (1, h, _) => Msg::OneDayHours { h },
        (d, 0, _) => Msg::Days { d },
        (d, h, _) => Msg::DaysHours { d, h },
    }
    .render(locale)
}

/// Lead times as the settings keep them: distinct, latest first, at most a week ahead.
pub fn normalise_leads(leads: Vec<u32>) -> Result<Vec<u32>, Msg> {
    const MAX: usize = 6;
    if leads.len() > MAX {
        return Err(Msg::TooManyAlerts { max: MAX });
    }
    if let Some(&too_far) = leads.iter().find(|&&m| m > 7 * 24 * 60) {
        return Err(Msg::AlertTooFar { minutes: too_far });
    }
    let set: BTreeSet<u32> = leads.into_iter().collect();
    Ok(set.into_iter().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    const HOUR: Millis = 60 * MINUTE;
    const SCOPE: &str = "0xSafe@http://127.0.0.1:1";

    /// A clock tests move by hand.
    #[derive(Default)]
    struct FakeClock(AtomicI64);

    impl FakeClock {
        fn set(&self, t: Millis) {
            self.0.store(t, Ordering::Relaxed);
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> Millis {
            self.0.load(Ordering::Relaxed)
        }
    }

    fn setup() -> (Arc<MemoryStore>, Arc<FakeClock>, Deadlines) {
        let store = Arc::new(MemoryStore::default());
        let clock = Arc::new(FakeClock::default());
        let deadlines = Deadlines::new(store.clone(), clock.clone());
        (store, clock, deadlines)
    }

    fn titles(alerts: &[Due]) -> Vec<String> {
        alerts.iter().map(|a| a.title(Locale::En)).collect()
    }

    #[test]
    fn each_lead_time_fires_once_at_its_time() {
        let (_, clock, d) = setup();
        let deadline = 24 * HOUR;
        d.observe(SCOPE, Some(deadline), None);
        // The guardian started it just now: the 24 h alert is due at once.
        let first = d.due(&DEFAULT_LEADS);
        assert_eq!(titles(&first), ["Wallet recovery pending"]);
        assert!(
            first[0].body(Locale::En).contains("in 1 day"),
            "{:?}",
            first[0]
        );
        assert!(d.due(&DEFAULT_LEADS).is_empty(), "no repeat");
        assert_eq!(d.next_due(&DEFAULT_LEADS), Some(23 * HOUR));

        clock.set(23 * HOUR - 1);
        assert!(d.due(&DEFAULT_LEADS).is_empty(), "not before its time");
        clock.set(23 * HOUR);
        let second = d.due(&DEFAULT_LEADS);
        assert_eq!(titles(&second), ["Wallet recovery pending"]);
        assert!(
            second[0].body(Locale::En).contains("in 1 h"),
            "{:?}",
            second[0]
        );

        clock.set(deadline);
        assert_eq!(
            titles(&d.due(&DEFAULT_LEADS)),
            ["Wallet recovery can now be executed"]
        );
        clock.set(deadline + HOUR);
        assert!(d.due(&DEFAULT_LEADS).is_empty());
        assert_eq!(d.next_due(&DEFAULT_LEADS), None);
    }

    #[test]
    fn the_schedule_is_persisted_and_rearmed_after_a_restart_without_repeats() {
        let (store, clock, d) = setup();
        d.observe(SCOPE, Some(24 * HOUR), None);
        assert_eq!(d.due(&DEFAULT_LEADS).len(), 1);
        drop(d);

        // A new process: same store, no status check yet (e.g. still signed out).
        let again = Deadlines::new(store.clone(), clock.clone());
        assert!(again.due(&DEFAULT_LEADS).is_empty(), "fired marks survive");
        let planned = again.planned(SCOPE, &DEFAULT_LEADS);
        assert_eq!(
            planned
                .iter()
                .map(|p| (p.lead_minutes, p.fired))
                .collect::<Vec<_>>(),
            [(1440, true), (60, false), (0, false)]
        );
        clock.set(23 * HOUR);
        assert_eq!(
            again.due(&DEFAULT_LEADS).len(),
            1,
            "re-armed from the store"
        );
        // Seeing the same deadline again keeps the marks.
        again.observe(SCOPE, Some(24 * HOUR), None);
        assert!(again.due(&DEFAULT_LEADS).is_empty());
    }

    #[test]
    fn closed_past_several_lead_times_catches_up_with_one_alert() {
        let (_, clock, d) = setup();
        d.observe(SCOPE, Some(24 * HOUR), None);
        // First seen 30 minutes before the deadline: 24 h and 1 h are both overdue.
        clock.set(24 * HOUR - 30 * MINUTE);
        let alerts = d.due(&DEFAULT_LEADS);
        assert_eq!(alerts.len(), 1);
        assert!(
            alerts[0].body(Locale::En).contains("in 30 min"),
            "{:?}",
            alerts[0]
        );
        assert!(d.due(&DEFAULT_LEADS).is_empty());
        // Closed again until well after the deadline: one deadline alert.
        clock.set(30 * HOUR);
        assert_eq!(
            titles(&d.due(&DEFAULT_LEADS)),
            ["Wallet recovery can now be executed"]
        );
    }

    #[test]
    fn cancel_or_execution_clears_and_a_new_recovery_starts_fresh() {
        let (store, clock, d) = setup();
        d.observe(SCOPE, Some(24 * HOUR), None);
        assert_eq!(d.due(&DEFAULT_LEADS).len(), 1);
        d.observe(SCOPE, None, None);
        assert!(d.planned(SCOPE, &DEFAULT_LEADS).is_empty());
        assert_eq!(store.get(KEY), Some(serde_json::json!({})));
        clock.set(23 * HOUR);
        assert!(d.due(&DEFAULT_LEADS).is_empty(), "nothing after a cancel");

        // The guardian starts again later: a new deadline, all alerts armed again.
        d.observe(SCOPE, Some(47 * HOUR), None);
        assert_eq!(d.due(&DEFAULT_LEADS).len(), 1);
        assert_eq!(d.next_due(&DEFAULT_LEADS), Some(46 * HOUR));
    }

    #[test]
    fn custom_lead_times_and_their_validation() {
        let (_, clock, d) = setup();
        let leads = normalise_leads(vec![10, 120, 10]).unwrap();
        assert_eq!(leads, [120, 10]);
        d.observe(SCOPE, Some(24 * HOUR), None);
        assert!(
            d.due(&leads).is_empty(),
            "no alert a day ahead when not asked"
        );
        clock.set(22 * HOUR);
        assert_eq!(d.due(&leads).len(), 1);
        clock.set(24 * HOUR);
        assert_eq!(d.due(&leads).len(), 1);
        assert!(normalise_leads(vec![1, 2, 3, 4, 5, 6, 7]).is_err());
        assert!(normalise_leads(vec![8 * 24 * 60]).is_err());
        assert_eq!(normalise_leads(vec![]).unwrap(), Vec::<u32>::new());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(
            describe_duration(30 * 1000, Locale::En),
            "less than a minute"
        );
        assert_eq!(describe_duration(45 * MINUTE, Locale::En), "45 min");
        assert_eq!(describe_duration(HOUR, Locale::En), "1 h");
        assert_eq!(
            describe_duration(23 * HOUR + 59 * MINUTE, Locale::En),
            "23 h 59 min"
        );
        assert_eq!(describe_duration(24 * HOUR, Locale::En), "1 day");
        assert_eq!(describe_duration(51 * HOUR, Locale::En), "2 days 3 h");
        assert_eq!(describe_duration(51 * HOUR, Locale::Fr), "2 jours 3 h");
        assert_eq!(
            describe_duration(30 * 1000, Locale::Fr),
            "moins d’une minute"
        );
    }
}
