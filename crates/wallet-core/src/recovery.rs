//! Social recovery (docs/api/operations.md §3.3, §7): the owner enables it with their identity, a
//! guardian may later start a recovery that becomes executable after a delay, and the owner
//! can cancel it until then. Enabling and cancelling are Safe operations the passkey signs
//! through the same review → approve path as a transfer (`operations`).
//!
//! While a recovery is pending the core warns before its deadline (`deadlines.rs`), from a
//! background check that runs as long as the app is open.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use ibex::models::operations::Operation;
use ibex::models::recovery::RecoveryStatus;
use ibex::models::{ChainId, ModuleFlag};
use ibex::{Address, Session};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::deadlines::{Deadlines, Millis, ServerClock};
use crate::error::{AppError, ErrorCode};
use crate::i18n::Locale;
use crate::messages::Msg;
use crate::network::Connection;
use crate::operations::{Draft, OperationReview, RecoveryIdentity, Reviewed};
use crate::store::KvStore;
use crate::sync::{lock, read, write};

/// Check more often when an alert is due within this window.
const NEAR: Millis = 2 * 60 * 60 * 1000;

/// What the owner registers with IBEX Safe to prove who they are (`ENABLE_RECOVERY`).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PersonalData {
    /// First names, as on the identity document.
    pub first_name: String,
    pub last_name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    pub birth_city: String,
    pub birth_country: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum PersonalField {
    FirstName,
    LastName,
    BirthDate,
    BirthCity,
    BirthCountry,
}

/// One field the UI must flag, with the sentence to show beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FieldProblem {
    pub field: PersonalField,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum RecoveryState {
    /// No chain of this IBEx offers the recovery module.
    Unavailable,
    NotEnabled,
    Enabled,
    /// A guardian started a recovery: it becomes executable at `executeAfter`.
    Pending,
}

/// One alert of the deadline schedule.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledAlert {
    pub lead_minutes: u32,
    /// RFC 3339, server time.
    pub at: String,
    pub fired: bool,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryInfo {
    pub state: RecoveryState,
    /// EIP-55.
    pub safe: String,
    pub chain_id: Option<u32>,
    /// Guardian (or module, per the mirror) address.
    pub guardian: Option<String>,
    pub delay_seconds: Option<u32>,
    /// When the pending recovery becomes executable (RFC 3339, server time).
    pub execute_after: Option<String>,
    pub can_execute: bool,
    /// The server's time when this was read, so a countdown is right even on a skewed clock.
    pub server_time: String,
    /// IBEX Safe holds the owner's identity for this Safe.
    pub identity_registered: bool,
    /// Recovery operations not yet executed (userOpHash).
    pub operations_in_flight: Vec<String>,
    /// The deadline alerts of a pending recovery.
    pub alerts: Vec<ScheduledAlert>,
}

/// How often the background check reads the recovery status.
#[derive(Debug, Clone, Copy)]
pub struct RecoveryCheck {
    pub every: Duration,
    /// When an alert is due within two hours.
    pub near_every: Duration,
}

impl Default for RecoveryCheck {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(5 * 60),
            near_every: Duration::from_secs(30),
        }
    }
}

/// The core's recovery state: the deadline schedule, the server's clock and the check pace.
pub(crate) struct RecoveryWatch {
    clock: Arc<ServerClock>,
    deadlines: Deadlines,
    check: RwLock<RecoveryCheck>,
    /// The recovery chain per IBEx base URL (from `/v1.2/chains/`).
    chain: Mutex<Option<(String, Option<ChainId>)>>,
    /// What the UI was last told (state, deadline, alerts fired), to announce only changes.
    last_seen: Mutex<Option<(RecoveryState, Option<String>, usize)>>,
}

impl RecoveryWatch {
    pub fn new(store: Arc<dyn KvStore>) -> Self {
        let clock = Arc::new(ServerClock::default());
        Self {
            deadlines: Deadlines::new(store, clock.clone()),
            clock,
            check: RwLock::new(RecoveryCheck::default()),
            chain: Mutex::new(None),
            last_seen: Mutex::new(None),
        }
    }
}

/// Every problem of the form, in field order (empty: valid), said in `locale`. `today` is
/// the server's date.
pub fn check_personal_data(
    data: &PersonalData,
    today: time::Date,
    locale: Locale,
) -> Vec<FieldProblem> {
    problems(data, today)
        .into_iter()
        .map(|(field, text)| FieldProblem {
            field,
            message: text.render(locale),
        })
        .collect()
}

fn problems(data: &PersonalData, today: time::Date) -> Vec<(PersonalField, Msg)> {
    use Msg::*;
    [
        (
            PersonalField::FirstName,
            check_name(
                &data.first_name,
                [FirstNamesMissing, FirstNamesTooLong, FirstNamesLetters],
            ),
        ),
        (
            PersonalField::LastName,
            check_name(
                &data.last_name,
                [LastNameMissing, LastNameTooLong, LastNameLetters],
            ),
        ),
        (
            PersonalField::BirthDate,
            check_birth_date(&data.birth_date, today),
        ),
        (
            PersonalField::BirthCity,
            check_place(
                &data.birth_city,
                [BirthCityMissing, BirthCityTooLong, BirthCityLetters],
            ),
        ),
        (
            PersonalField::BirthCountry,
            check_place(
                &data.birth_country,
                [
                    BirthCountryMissing,
                    BirthCountryTooLong,
                    BirthCountryLetters,
                ],
            ),
        ),
    ]
    .into_iter()
    .filter_map(|(field, problem)| Some((field, problem?)))
    .collect()
}

/// A name as on an identity document; `[missing, too long, not letters]` say what is wrong.
fn check_name(text: &str, [missing, too_long, letters]: [Msg; 3]) -> Option<Msg> {
    let text = text.trim();
    if text.is_empty() {
        return Some(missing);
    }
    if text.chars().count() > 100 {
        return Some(too_long);
    }
    if !text
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
    {
        return Some(letters);
    }
    None
}

/// A place name; `[missing, too long, not letters]` say what is wrong.
fn check_place(text: &str, [missing, too_long, letters]: [Msg; 3]) -> Option<Msg> {
    let text = text.trim();
    if text.is_empty() {
        return Some(missing);
    }
    if text.chars().count() > 100 {
        return Some(too_long);
    }
    if !text.chars().any(char::is_alphabetic) || text.chars().any(char::is_control) {
        return Some(letters);
    }
    None
}

fn check_birth_date(text: &str, today: time::Date) -> Option<Msg> {
    let text = text.trim();
    let shape = text.len() == 10
        && text.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return Some(Msg::BirthDateShape);
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let date = time::Month::try_from(month as u8)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(i32::from(year), m, day as u8).ok());
    let Some(date) = date else {
        return Some(Msg::NotACalendarDate {
            text: text.to_owned(),
        });
    };
    if date >= today {
        return Some(Msg::BirthDateFuture);
    }
    if year < 1900 {
        return Some(Msg::BirthDateBefore1900);
    }
    None
}

fn parse_time(text: &str) -> Result<Millis, AppError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as Millis)
        .map_err(|e| {
            AppError::new(
                ErrorCode::BadResponse,
                Msg::UnreadableTime {
                    text: text.to_owned(),
                    error: e.to_string(),
                },
            )
        })
}

fn format_time(ms: Millis) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn today(clock: &ServerClock) -> time::Date {
    use crate::deadlines::Clock;
    OffsetDateTime::from_unix_timestamp(clock.now() / 1000)
        .map(OffsetDateTime::date)
        .unwrap_or(time::Date::MIN)
}

/// Where the schedule of this Safe on this IBEx is filed.
fn scope(conn: &Connection, safe: Address) -> String {
    format!("{}@{}", safe.to_checksum(), conn.client.config().base_url)
}

/// The recovery commands, and the background check.
impl crate::Core {
    /// Reads the recovery state (and feeds the deadline schedule).
    pub async fn recovery_status(&self) -> Result<RecoveryInfo, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let account = self.alert_name(&conn, conn.auth.current_id().as_deref());
        self.check_recovery(&conn, &session, safe, account.as_deref(), true)
            .await
    }

    /// How deadline alerts name an account: only when several are signed in (one needs no
    /// name).
    fn alert_name(&self, conn: &Connection, id: Option<&str>) -> Option<String> {
        let all = conn.auth.every_account();
        if all.len() < 2 {
            return None;
        }
        all.into_iter()
            .find(|a| Some(a.id.as_str()) == id)
            .map(|a| a.label)
    }

    /// The form's problems, field by field (empty when it can be submitted).
    pub async fn recovery_check_personal_data(
        &self,
        data: PersonalData,
    ) -> Result<Vec<FieldProblem>, AppError> {
        Ok(check_personal_data(
            &data,
            today(&self.recovery.clock),
            self.locale(),
        ))
    }

    /// Prepares `ENABLE_RECOVERY` with the owner's identity; the review shows what is signed.
    pub async fn recovery_enable(&self, data: PersonalData) -> Result<OperationReview, AppError> {
        if let Some((_, text)) = problems(&data, today(&self.recovery.clock))
            .into_iter()
            .next()
        {
            return Err(AppError::validation(text));
        }
        let trimmed = |s: &str| s.trim().to_owned();
        let identity = PersonalData {
            first_name: trimmed(&data.first_name),
            last_name: trimmed(&data.last_name),
            birth_date: trimmed(&data.birth_date),
            birth_city: trimmed(&data.birth_city),
            birth_country: trimmed(&data.birth_country),
        };
        let operation = Operation::EnableRecovery {
            first_name: identity.first_name.clone(),
            last_name: identity.last_name.clone(),
            birth_date: identity.birth_date.clone(),
            birth_city: identity.birth_city.clone(),
            birth_country: identity.birth_country.clone(),
            new_owners: None,
            threshold: None,
        };
        self.prepare_recovery(
            operation,
            Reviewed::EnableRecovery(RecoveryIdentity { identity }),
        )
        .await
    }

    /// Prepares `CANCEL_RECOVERY`: stops the pending recovery; recovery stays enabled.
    pub async fn recovery_cancel(&self) -> Result<OperationReview, AppError> {
        self.prepare_recovery(Operation::CancelRecovery, Reviewed::CancelRecovery)
            .await
    }

    /// How often the background check runs (the web host speeds it up for tests).
    pub fn set_recovery_check(&self, check: RecoveryCheck) {
        *write(&self.recovery.check) = check;
    }

    /// The background recovery check: runs until the core is dropped. Reads the status while
    /// a session exists (even locked: reading never signs) and fires due alerts from the
    /// stored schedule even when signed out.
    pub async fn run_recovery_watch(self: Arc<Self>) {
        let core = Arc::downgrade(&self);
        drop(self);
        loop {
            let Some(this) = core.upgrade() else { return };
            let wait = this.recovery_tick().await;
            drop(this);
            tokio::time::sleep(wait).await;
        }
    }

    /// One round of the background check: every Safe of every signed-in account, current or
    /// not (a guardian's recovery of an account the user is not looking at must still warn).
    async fn recovery_tick(&self) -> Duration {
        let shown = match self.connection().await {
            Ok(conn) => conn.auth.watched().map(|(_, safe)| safe),
            Err(_) => None,
        };
        let connections = self.every_connection().await;
        let several = connections
            .iter()
            .map(|c| c.auth.every_account().len())
            .sum::<usize>()
            > 1;
        for (n, conn) in connections.iter().enumerate() {
            for account in conn.auth.every_account() {
                let name = several.then_some(account.label.as_str());
                for safe in &account.safes {
                    // Only what the Recovery page shows is announced to it (the current
                    // network is first in the list).
                    let announce = n == 0 && account.current && shown == Some(*safe);
                    let checked = self
                        .check_recovery(conn, &account.session, *safe, name, announce)
                        .await;
                    if let Err(e) = checked {
                        tracing::debug!(error = %e, "background recovery check failed");
                    }
                }
            }
        }
        self.fire_recovery_alerts();
        let leads = read(&self.settings).recovery_alert_minutes.clone();
        let check = *read(&self.recovery.check);
        let now = self.recovery.deadlines.now();
        match self.recovery.deadlines.next_due(&leads) {
            Some(at) => {
                let until = Duration::from_millis(u64::try_from(at - now).unwrap_or(0));
                let pace = if at - now <= NEAR {
                    check.near_every
                } else {
                    check.every
                };
                pace.min(until.max(Duration::from_secs(1)))
            }
            None => check.every,
        }
    }

    fn fire_recovery_alerts(&self) {
        let leads = read(&self.settings).recovery_alert_minutes.clone();
        let locale = self.locale();
        for due in self.recovery.deadlines.due(&leads) {
            self.notifier.notify(&due.title(locale), &due.body(locale));
        }
    }

    async fn check_recovery(
        &self,
        conn: &Connection,
        session: &Session,
        safe: Address,
        account: Option<&str>,
        announce: bool,
    ) -> Result<RecoveryInfo, AppError> {
        let chain = self.recovery_chain(conn, session).await?;
        let health = conn.client.health().await?;
        self.recovery.clock.learn(parse_time(&health.timestamp)?);
        let mut info = RecoveryInfo {
            state: RecoveryState::Unavailable,
            safe: safe.to_checksum(),
            chain_id: chain.and_then(|c| u32::try_from(c.0).ok()),
            guardian: None,
            delay_seconds: None,
            execute_after: None,
            can_execute: false,
            server_time: health.timestamp,
            identity_registered: false,
            operations_in_flight: Vec::new(),
            alerts: Vec::new(),
        };
        let Some(chain) = chain else {
            return Ok(info);
        };
        let status = session.recovery_status(&safe, Some(chain)).await?;
        let deadline = match (&status.execute_after, status.pending_recovery) {
            (Some(at), true) => Some(parse_time(at)?),
            _ => None,
        };
        let scope = scope(conn, safe);
        self.recovery.deadlines.observe(&scope, deadline, account);
        self.fire_recovery_alerts();
        let leads = read(&self.settings).recovery_alert_minutes.clone();
        info.alerts = self
            .recovery
            .deadlines
            .planned(&scope, &leads)
            .into_iter()
            .map(|p| ScheduledAlert {
                lead_minutes: p.lead_minutes,
                at: format_time(p.at),
                fired: p.fired,
            })
            .collect();
        fill(&mut info, &status);
        let seen = (
            info.state,
            info.execute_after.clone(),
            info.alerts.iter().filter(|a| a.fired).count(),
        );
        if announce && lock(&self.recovery.last_seen).replace(seen.clone()) != Some(seen) {
            self.events
                .emit(crate::CoreEvent::RecoveryChanged { info: info.clone() });
        }
        Ok(info)
    }

    /// The first chain whose recovery module IBEx offers (`/v1.2/chains/` `modules.recovery`).
    async fn recovery_chain(
        &self,
        conn: &Connection,
        session: &Session,
    ) -> Result<Option<ChainId>, AppError> {
        let base = conn.client.config().base_url.to_string();
        if let Some((known, chain)) = lock(&self.recovery.chain).as_ref() {
            if *known == base {
                return Ok(*chain);
            }
        }
        let chains = session.chains().await?;
        let chain = chains
            .iter()
            .find(|c| c.module("recovery") == ModuleFlag::Enabled)
            .map(|c| c.id);
        *lock(&self.recovery.chain) = Some((base, chain));
        Ok(chain)
    }

    /// Prepares a recovery operation on the first chain whose recovery module IBEx offers.
    async fn prepare_recovery(
        &self,
        operation: Operation,
        reviewed: Reviewed,
    ) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let chain = self
            .recovery_chain(&conn, &session)
            .await?
            .ok_or_else(|| AppError::validation(Msg::NoRecoveryModule))?;
        let draft = Draft {
            safe,
            chain,
            operations: vec![operation],
            reviewed,
            valid_until: None,
        };
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }
}

fn fill(info: &mut RecoveryInfo, status: &RecoveryStatus) {
    info.state = match (status.recovery_enabled, status.pending_recovery) {
        (_, true) => RecoveryState::Pending,
        (true, false) => RecoveryState::Enabled,
        (false, false) => RecoveryState::NotEnabled,
    };
    info.guardian = status.recovery_address.map(|a| a.to_checksum());
    info.delay_seconds = status.delay.and_then(|d| u32::try_from(d).ok());
    info.execute_after = status
        .execute_after
        .clone()
        .filter(|_| status.pending_recovery);
    info.can_execute = status.can_execute;
    info.identity_registered = status.data_recovery.unwrap_or(false);
    info.operations_in_flight = status
        .pending
        .iter()
        .map(|op| op.user_op_hash.clone())
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> PersonalData {
        PersonalData {
            first_name: "Jeanne Marie".into(),
            last_name: "D'Arc-Dupont".into(),
            birth_date: "1990-01-31".into(),
            birth_city: "Saint-Étienne".into(),
            birth_country: "France".into(),
        }
    }

    fn today() -> time::Date {
        time::Date::from_calendar_date(2026, time::Month::May, 20).unwrap()
    }

    fn problems(change: impl FnOnce(&mut PersonalData)) -> Vec<(PersonalField, String)> {
        let mut data = jane();
        change(&mut data);
        check_personal_data(&data, today(), Locale::En)
            .into_iter()
            .map(|p| (p.field, p.message))
            .collect()
    }

    #[test]
    fn valid_identity_passes() {
        assert!(problems(|_| {}).is_empty());
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        use PersonalField::*;
        for (change, field, needle) in [
            (
                Box::new(|d: &mut PersonalData| d.first_name = "  ".into())
                    as Box<dyn FnOnce(&mut PersonalData)>,
                FirstName,
                "Enter your first names",
            ),
            (
                Box::new(|d: &mut PersonalData| d.last_name = "D0e".into()),
                LastName,
                "letters, spaces",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_date = "31/01/1990".into()),
                BirthDate,
                "YYYY-MM-DD",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_date = "2023-02-29".into()),
                BirthDate,
                "not a real calendar date",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_date = "1990-13-01".into()),
                BirthDate,
                "not a real calendar date",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_date = "2026-05-20".into()),
                BirthDate,
                "in the past",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_date = "1850-01-01".into()),
                BirthDate,
                "before 1900",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_city = "".into()),
                BirthCity,
                "city of birth",
            ),
            (
                Box::new(|d: &mut PersonalData| d.birth_country = "123".into()),
                BirthCountry,
                "place name",
            ),
        ] {
            let got = problems(change);
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0].0, field);
            assert!(got[0].1.contains(needle), "{}", got[0].1);
        }
        // 2024 is a leap year; every field wrong at once lists five problems.
        assert!(problems(|d| d.birth_date = "2024-02-29".into()).is_empty());
        let all = check_personal_data(
            &PersonalData {
                first_name: String::new(),
                last_name: String::new(),
                birth_date: String::new(),
                birth_city: String::new(),
                birth_country: String::new(),
            },
            today(),
            Locale::Fr,
        );
        assert_eq!(all.len(), 5);
        // Said in French, with the grammar of each field.
        assert_eq!(
            all[0].message,
            "Saisissez vos prénoms tels qu’ils figurent sur votre pièce d’identité."
        );
        assert_eq!(all[3].message, "Saisissez votre ville de naissance.");
    }

    #[test]
    fn times_round_trip() {
        let ms = parse_time("2025-01-15T10:30:00.123Z").unwrap();
        assert_eq!(ms, 1_736_937_000_123);
        assert_eq!(format_time(ms), "2025-01-15T10:30:00.123Z");
        assert!(parse_time("yesterday").is_err());
    }
}
