//! Signed self-updates. The core looks for a release at start, every 6 hours and when asked;
//! shows its version, notes and size; on "Install and restart" downloads it through the
//! platform's updater (which verifies the signature), waits until no passkey prompt or
//! operation is open, installs it and restarts into it. It never installs an older version,
//! and "Later" holds for this run only: the next start asks again.
//!
//! The decisions live in [`policy`]; the platform's updater is behind [`UpdateSource`].

pub mod policy;
pub mod source;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use semver::Version;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::AppError;
use crate::events::{CoreEvent, EventSink};
use crate::messages::Msg;
use crate::operations::OpStatus;
use policy::{Schedule, Stage, Verdict};
pub use source::{Failure, NoSelfUpdate, Progress, Release, UpdateSource};

/// How often the background loop wakes to see whether a check is due (wall clock, so sleep
/// and suspend do not stretch the 6 hours).
const TICK: Duration = Duration::from_secs(10 * 60);
/// How often a waiting install looks again whether the wallet is idle.
const IDLE_POLL: Duration = Duration::from_millis(500);
/// An operation not heard of for this long no longer holds the restart (its tracker gave up).
const OPERATION_HOLD: Duration = Duration::from_secs(5 * 60);
/// Download progress is announced at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Why a failed update failed; the UI branches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ProblemCode {
    /// The update server could not be reached.
    Offline,
    /// The server answered with an error or something that is not a release.
    ServerError,
    /// The package's signature does not verify with IBEx Wallet's key.
    BadSignature,
    /// Not enough free disk space.
    NoSpace,
    /// The server offered an older version than the running one.
    OlderVersion,
    /// The package manager did not install the package.
    InstallFailed,
    /// This copy cannot update itself (not installed from a package the updater replaces).
    Unsupported,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct UpdateProblem {
    pub code: ProblemCode,
    pub message: String,
}

/// A newer release, as the user sees it before installing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub notes: Option<String>,
    /// Publication date, RFC 3339.
    pub date: Option<String>,
    /// Download size in bytes, when the release manifest says.
    pub size: Option<u32>,
}

/// What holds a downloaded update's restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Blocker {
    /// A passkey prompt is open (sign-in, an operation's approval, the browser hand-off).
    Passkey,
    /// An operation was sent and is not confirmed or failed yet.
    Operation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum UpdateState {
    /// No check in this run yet.
    NotChecked,
    Checking,
    /// The server has nothing newer. `checkedAt`: RFC 3339.
    #[serde(rename_all = "camelCase")]
    UpToDate {
        checked_at: String,
    },
    /// A newer release. `postponed`: the user chose "Later" in this run.
    Available {
        offer: UpdateOffer,
        postponed: bool,
    },
    /// Bytes received so far, of `total` when known.
    Downloading {
        offer: UpdateOffer,
        received: u32,
        total: Option<u32>,
    },
    /// Downloaded and verified; the restart waits for `blocker` to end.
    Waiting {
        offer: UpdateOffer,
        blocker: Blocker,
    },
    Installing {
        offer: UpdateOffer,
    },
    /// Installed; the app is restarting into it.
    Restarting {
        offer: UpdateOffer,
    },
    /// The last check or install failed; `offer` is kept when retrying it makes sense.
    Failed {
        problem: UpdateProblem,
        offer: Option<UpdateOffer>,
    },
}

impl UpdateState {
    fn offer(&self) -> Option<&UpdateOffer> {
        match self {
            Self::Available { offer, .. } => Some(offer),
            Self::Failed { offer, .. } => offer.as_ref(),
            _ => None,
        }
    }

    fn installing(&self) -> bool {
        matches!(
            self,
            Self::Downloading { .. }
                | Self::Waiting { .. }
                | Self::Installing { .. }
                | Self::Restarting { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatus {
    pub current_version: String,
    pub state: UpdateState,
}

/// The core's update state.
pub(crate) struct Updates {
    source: Arc<dyn UpdateSource>,
    current: Version,
    state: Mutex<UpdateState>,
    /// The version the user said "Later" to, in this run.
    later: Mutex<Option<String>>,
    schedule: Mutex<Schedule>,
    /// One check at a time; one install at a time.
    checking: tokio::sync::Mutex<()>,
    installing: tokio::sync::Mutex<()>,
    pub(crate) in_flight: Arc<OperationsInFlight>,
}

impl Updates {
    pub fn new(source: Arc<dyn UpdateSource>, in_flight: Arc<OperationsInFlight>) -> Self {
        let version = source.current_version();
        let current = Version::parse(&version).unwrap_or_else(|e| {
            tracing::warn!(%version, error = %e, "the app's version is not semver; every release counts as newer");
            Version::new(0, 0, 0)
        });
        Self {
            source,
            current,
            state: Mutex::new(UpdateState::NotChecked),
            later: Mutex::new(None),
            schedule: Mutex::new(Schedule::default()),
            checking: Default::default(),
            installing: Default::default(),
            in_flight,
        }
    }

    pub fn current_version(&self) -> String {
        self.current.to_string()
    }

    fn status(&self) -> UpdateStatus {
        UpdateStatus {
            current_version: self.current_version(),
            state: lock(&self.state).clone(),
        }
    }
}

/// Operations the wallet sent and has not seen end, from the core's own event stream.
#[derive(Default)]
pub(crate) struct OperationsInFlight(Mutex<HashMap<String, Instant>>);

impl OperationsInFlight {
    fn any(&self) -> bool {
        let mut ops = lock(&self.0);
        ops.retain(|_, seen| seen.elapsed() < OPERATION_HOLD);
        !ops.is_empty()
    }
}

/// Passes every event on, noting operations that start and end.
pub(crate) struct WatchOperations {
    pub inner: Arc<dyn EventSink>,
    pub in_flight: Arc<OperationsInFlight>,
}

impl EventSink for WatchOperations {
    fn emit(&self, event: CoreEvent) {
        if let CoreEvent::OperationUpdated { update } = &event {
            let mut ops = lock(&self.in_flight.0);
            match update.status {
                OpStatus::Confirmed | OpStatus::Failed => ops.remove(&update.user_op_hash),
                _ => ops.insert(update.user_op_hash.clone(), Instant::now()),
            };
        }
        self.inner.emit(event);
    }
}

/// The update commands (`update_*` in the app's command list).
impl crate::Core {
    /// Uses the platform's updater (the app shell passes tauri-plugin-updater's).
    pub fn with_updates(mut self, source: Arc<dyn UpdateSource>) -> Self {
        self.updates = Updates::new(source, self.updates.in_flight.clone());
        self
    }

    pub async fn update_status(&self) -> Result<UpdateStatus, AppError> {
        Ok(self.updates.status())
    }

    /// Settings → "Check for updates": asks the server now and reports what it said.
    pub async fn update_check(&self) -> Result<UpdateStatus, AppError> {
        self.check_for_update(true).await;
        Ok(self.updates.status())
    }

    /// "Later": hides the offer for this run; the next start asks again.
    pub async fn update_later(&self) -> Result<UpdateStatus, AppError> {
        let mut state = lock(&self.updates.state);
        if let UpdateState::Available { offer, postponed } = &mut *state {
            *postponed = true;
            *lock(&self.updates.later) = Some(offer.version.clone());
        }
        drop(state);
        self.announce_update();
        Ok(self.updates.status())
    }

    /// "Install and restart": downloads and verifies the offered release, waits until no
    /// passkey prompt or operation is open, installs it and restarts. Resolves with the
    /// outcome when it failed; on success the process is restarting.
    pub async fn update_install(&self) -> Result<UpdateStatus, AppError> {
        let Ok(_one) = self.updates.installing.try_lock() else {
            return Ok(self.updates.status());
        };
        let offer = lock(&self.updates.state)
            .offer()
            .cloned()
            .ok_or_else(|| AppError::validation(Msg::NoUpdateToInstall))?;
        let updates = &self.updates;

        if let (Some(size), Some(free)) = (offer.size, updates.source.free_space()) {
            let needed = policy::space_needed(size.into());
            if free < needed {
                return Ok(self.update_failed(
                    policy::no_space(needed, free, self.locale.get()),
                    Some(offer),
                ));
            }
        }

        self.set_update(UpdateState::Downloading {
            offer: offer.clone(),
            received: 0,
            total: offer.size,
        });
        let mut last = Instant::now() - PROGRESS_EVERY;
        let progress_offer = offer.clone();
        let progress: Progress<'_> = Box::new(move |received, total| {
            let done = total.is_some_and(|t| received >= t);
            if done || last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                self.set_update(UpdateState::Downloading {
                    offer: progress_offer.clone(),
                    received: clamp(received),
                    total: total.map(clamp),
                });
            }
        });
        if let Err(f) = updates.source.download(&offer.version, progress).await {
            let keep = (!matches!(f, Failure::Signature(_))).then(|| offer.clone());
            return Ok(self.update_failed(
                policy::classify(Stage::Download, &f, self.locale.get()),
                keep,
            ));
        }

        let mut waiting = None;
        while let Some(blocker) = self.restart_blocker() {
            if waiting != Some(blocker) {
                waiting = Some(blocker);
                tracing::info!(?blocker, "update downloaded; the restart waits");
                self.set_update(UpdateState::Waiting {
                    offer: offer.clone(),
                    blocker,
                });
            }
            tokio::time::sleep(IDLE_POLL).await;
        }

        self.set_update(UpdateState::Installing {
            offer: offer.clone(),
        });
        if let Err(f) = updates.source.install().await {
            return Ok(self.update_failed(
                policy::classify(Stage::Install, &f, self.locale.get()),
                Some(offer),
            ));
        }
        tracing::info!(version = %offer.version, "update installed; restarting");
        self.set_update(UpdateState::Restarting { offer });
        updates.source.restart();
        Ok(self.updates.status())
    }

    /// Checks at start, then whenever [`Schedule`] says (6 hours after the server last
    /// answered, sooner after failures). Runs for the life of the app.
    pub async fn run_update_schedule(&self) {
        loop {
            if lock(&self.updates.schedule).due(OffsetDateTime::now_utc()) {
                self.check_for_update(false).await;
            }
            tokio::time::sleep(TICK).await;
        }
    }

    /// A background check stays quiet: it does not replace an offer or an install in progress
    /// with a failure, and does not show "Checking".
    async fn check_for_update(&self, manual: bool) {
        let _one = self.updates.checking.lock().await;
        if lock(&self.updates.state).installing() {
            return;
        }
        if manual {
            self.set_update(UpdateState::Checking);
        }
        let answer = self.updates.source.check().await;
        let now = OffsetDateTime::now_utc();
        let next = match answer {
            Ok(release) => {
                lock(&self.updates.schedule).answered(now);
                self.judge(release, now)
            }
            Err(f) => {
                lock(&self.updates.schedule).failed(now);
                tracing::info!(failure = ?f, "update check failed");
                let kept = lock(&self.updates.state).offer().is_some();
                if !manual && kept {
                    return;
                }
                UpdateState::Failed {
                    problem: policy::classify(Stage::Check, &f, self.locale.get()),
                    offer: None,
                }
            }
        };
        if lock(&self.updates.state).installing() {
            return;
        }
        self.set_update(next);
    }

    /// What a server's answer means for this version.
    fn judge(&self, release: Option<Release>, now: OffsetDateTime) -> UpdateState {
        let up_to_date = || UpdateState::UpToDate {
            checked_at: now.format(&Rfc3339).unwrap_or_default(),
        };
        let Some(release) = release else {
            return up_to_date();
        };
        let offered = match Version::parse(release.version.trim_start_matches('v')) {
            Ok(v) => v,
            Err(_) => {
                return UpdateState::Failed {
                    problem: policy::classify(
                        Stage::Check,
                        &Failure::BadResponse {
                            status: None,
                            detail: Msg::UpdateNotAVersion {
                                version: release.version.clone(),
                            }
                            .render(self.locale.get()),
                        },
                        self.locale.get(),
                    ),
                    offer: None,
                }
            }
        };
        match policy::compare(&self.updates.current, &offered) {
            Verdict::Same => up_to_date(),
            Verdict::Older => UpdateState::Failed {
                problem: policy::older_offered(
                    &self.updates.current,
                    &release.version,
                    self.locale.get(),
                ),
                offer: None,
            },
            Verdict::Newer => {
                let version = offered.to_string();
                let postponed = lock(&self.updates.later).as_deref() == Some(version.as_str());
                UpdateState::Available {
                    offer: UpdateOffer {
                        version,
                        notes: release.notes.filter(|n| !n.trim().is_empty()),
                        date: release.date,
                        size: release.size.map(clamp),
                    },
                    postponed,
                }
            }
        }
    }

    /// What holds a restart now: an open passkey prompt or an operation in flight.
    fn restart_blocker(&self) -> Option<Blocker> {
        if self.natives.iter().any(|b| b.page().is_some()) {
            return Some(Blocker::Passkey);
        }
        // Busy means it is being opened or replaced: nothing is in progress on it yet.
        if let Ok(slot) = self.connection.try_lock() {
            if let Some(conn) = slot.as_ref() {
                if conn.auth.ceremony_open() || conn.ops.awaiting_passkey() {
                    return Some(Blocker::Passkey);
                }
            }
        }
        self.updates.in_flight.any().then_some(Blocker::Operation)
    }

    fn update_failed(&self, problem: UpdateProblem, offer: Option<UpdateOffer>) -> UpdateStatus {
        tracing::warn!(?problem, "update failed");
        self.set_update(UpdateState::Failed { problem, offer });
        self.updates.status()
    }

    fn set_update(&self, state: UpdateState) {
        *lock(&self.updates.state) = state;
        self.announce_update();
    }

    fn announce_update(&self) {
        self.events.emit(CoreEvent::UpdateChanged {
            status: self.updates.status(),
        });
    }
}

/// Sizes cross IPC as u32 (JavaScript numbers); packages are far below 4 GiB.
fn clamp(bytes: u64) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
