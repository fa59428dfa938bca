//! What the wallet decides about updates — when to look, what an offered version means, how
//! much disk an install needs, what a failure tells the user — with no I/O, so it is tested
//! directly.

use std::cmp::Ordering;
use std::io::ErrorKind;
use std::time::Duration;

use semver::Version;
use time::OffsetDateTime;

use super::source::Failure;
use super::{ProblemCode, UpdateProblem};
use crate::i18n::Locale;
use crate::messages::Msg;

/// How often the core looks for a release while the app runs.
pub const CHECK_EVERY: Duration = Duration::from_secs(6 * 60 * 60);
/// A background check that failed is retried after this, doubling, up to [`CHECK_EVERY`].
const FIRST_RETRY: Duration = Duration::from_secs(15 * 60);
/// Room left free after an install, beyond the package itself.
const SPACE_MARGIN: u64 = 64 * 1024 * 1024;

/// What an offered version is to the running one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Newer,
    Same,
    Older,
}

/// Semantic-version precedence (a pre-release is older than its release; build metadata does
/// not count). A version that does not parse is refused by the caller.
pub fn compare(current: &Version, offered: &Version) -> Verdict {
    match offered.cmp_precedence(current) {
        Ordering::Greater => Verdict::Newer,
        Ordering::Equal => Verdict::Same,
        Ordering::Less => Verdict::Older,
    }
}

/// When the background check runs: at start, then [`CHECK_EVERY`] after the last answer from
/// the server, sooner while checks fail (the machine was offline at start). Wall-clock time,
/// so a laptop that slept through the interval checks when it wakes.
#[derive(Debug, Default, Clone)]
pub struct Schedule {
    last_attempt: Option<OffsetDateTime>,
    failures: u32,
}

impl Schedule {
    pub fn due(&self, now: OffsetDateTime) -> bool {
        let Some(last) = self.last_attempt else {
            return true;
        };
        // A clock set back must not postpone checks for as long as it moved.
        now < last || now - last >= self.wait()
    }

    /// How long after the last attempt the next one is due.
    pub fn wait(&self) -> Duration {
        if self.failures == 0 {
            return CHECK_EVERY;
        }
        let doublings = (self.failures - 1).min(16);
        FIRST_RETRY.saturating_mul(1 << doublings).min(CHECK_EVERY)
    }

    /// The server answered (with or without a release).
    pub fn answered(&mut self, now: OffsetDateTime) {
        self.last_attempt = Some(now);
        self.failures = 0;
    }

    pub fn failed(&mut self, now: OffsetDateTime) {
        self.last_attempt = Some(now);
        self.failures = self.failures.saturating_add(1);
    }
}

/// Free space an install of a `size`-byte package needs where the package is written: the
/// package itself twice (the download and the file the package manager reads) and a margin.
pub fn space_needed(size: u64) -> u64 {
    size.saturating_mul(2).saturating_add(SPACE_MARGIN)
}

/// Which step failed, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Check,
    Download,
    Install,
}

/// The message the user reads for a failure, with the code the UI branches on.
pub fn classify(stage: Stage, failure: &Failure, locale: Locale) -> UpdateProblem {
    let (code, message) = match failure {
        Failure::Unreachable(_) => (
            ProblemCode::Offline,
            match stage {
                Stage::Check => Msg::UpdateOffline,
                _ => Msg::UpdateDownloadStopped,
            },
        ),
        Failure::BadResponse {
            status: Some(status),
            ..
        } => (
            ProblemCode::ServerError,
            Msg::UpdateServerError { status: *status },
        ),
        Failure::BadResponse {
            status: None,
            detail,
        } => (
            ProblemCode::ServerError,
            Msg::UpdateNotARelease {
                detail: detail.clone(),
            },
        ),
        Failure::Signature(_) => (ProblemCode::BadSignature, Msg::UpdateBadSignature),
        Failure::Io {
            kind: ErrorKind::StorageFull,
            ..
        } => (ProblemCode::NoSpace, Msg::UpdateDiskFull),
        Failure::Io { detail, .. } => (
            ProblemCode::InstallFailed,
            Msg::UpdateWriteFailed {
                detail: detail.clone(),
            },
        ),
        Failure::Install(detail) => (
            ProblemCode::InstallFailed,
            Msg::UpdateInstallFailed {
                detail: detail.clone(),
            },
        ),
        Failure::Unsupported(detail) => (
            ProblemCode::Unsupported,
            Msg::UpdateUnsupported {
                detail: detail.clone(),
            },
        ),
    };
    UpdateProblem {
        code,
        message: message.render(locale),
    }
}

/// The user's answer when the offered version is older than the running one.
pub fn older_offered(current: &Version, offered: &str, locale: Locale) -> UpdateProblem {
    UpdateProblem {
        code: ProblemCode::OlderVersion,
        message: Msg::UpdateOlderOffered {
            offered: offered.to_owned(),
            current: current.to_string(),
        }
        .render(locale),
    }
}

/// Not enough room for the package, found before downloading it.
pub fn no_space(needed: u64, free: u64, locale: Locale) -> UpdateProblem {
    UpdateProblem {
        code: ProblemCode::NoSpace,
        message: Msg::UpdateNeedsSpace {
            needed: megabytes(needed, locale),
            free: megabytes(free, locale),
        }
        .render(locale),
    }
}

/// Decimal megabytes with one decimal, rounded, as each language writes them
/// (`87.1 MB`, `87,1 Mo`).
fn megabytes(bytes: u64, locale: Locale) -> String {
    let tenths = bytes.saturating_add(50_000) / 100_000;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    match locale {
        Locale::En => format!("{whole}.{tenth} MB"),
        Locale::Fr => format!("{whole},{tenth}\u{a0}Mo"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn only_a_newer_version_is_an_update() {
        assert_eq!(compare(&v("0.1.0"), &v("0.2.0")), Verdict::Newer);
        assert_eq!(compare(&v("0.1.0"), &v("0.1.1")), Verdict::Newer);
        assert_eq!(compare(&v("0.1.0"), &v("0.1.0")), Verdict::Same);
        assert_eq!(compare(&v("0.1.0"), &v("0.0.9")), Verdict::Older);
        // A release candidate of this version is older than it; of the next one, newer.
        assert_eq!(compare(&v("0.1.0"), &v("0.1.0-rc.1")), Verdict::Older);
        assert_eq!(compare(&v("0.1.0"), &v("0.2.0-rc.1")), Verdict::Newer);
        // Build metadata is not a new version.
        assert_eq!(compare(&v("0.1.0"), &v("0.1.0+build.7")), Verdict::Same);
        // 0.10 is newer than 0.9 (numbers, not text).
        assert_eq!(compare(&v("0.9.0"), &v("0.10.0")), Verdict::Newer);
    }

    #[test]
    fn checks_at_start_then_every_six_hours() {
        let start = datetime!(2026-12-01 08:00 UTC);
        let mut s = Schedule::default();
        assert!(s.due(start));
        s.answered(start);
        assert!(!s.due(start + Duration::from_secs(5 * 3600 + 3599)));
        assert!(s.due(start + Duration::from_secs(6 * 3600)));
        // A machine that slept for a day checks as soon as it wakes.
        assert!(s.due(start + Duration::from_secs(24 * 3600)));
    }

    #[test]
    fn failed_checks_retry_sooner_and_back_off_to_six_hours() {
        let start = datetime!(2026-12-01 08:00 UTC);
        let mut s = Schedule::default();
        s.failed(start);
        assert_eq!(s.wait(), Duration::from_secs(15 * 60));
        assert!(!s.due(start + Duration::from_secs(14 * 60)));
        assert!(s.due(start + Duration::from_secs(15 * 60)));
        s.failed(start);
        assert_eq!(s.wait(), Duration::from_secs(30 * 60));
        for _ in 0..40 {
            s.failed(start);
        }
        assert_eq!(s.wait(), CHECK_EVERY);
        s.answered(start);
        assert_eq!(s.wait(), CHECK_EVERY);
    }

    #[test]
    fn a_clock_set_back_does_not_postpone_the_check() {
        let start = datetime!(2026-12-01 08:00 UTC);
        let mut s = Schedule::default();
        s.answered(start);
        assert!(s.due(start - Duration::from_secs(3600)));
    }

    #[test]
    fn space_for_the_package_twice_and_a_margin() {
        assert_eq!(space_needed(10_000_000), 20_000_000 + SPACE_MARGIN);
        assert_eq!(space_needed(u64::MAX), u64::MAX);
        let p = no_space(space_needed(10_000_000), 5_000_000, Locale::En);
        assert_eq!(p.code, ProblemCode::NoSpace);
        assert!(
            p.message.contains("87.1 MB") && p.message.contains("5.0 MB"),
            "{}",
            p.message
        );
        let fr = no_space(space_needed(10_000_000), 5_000_000, Locale::Fr);
        assert!(
            fr.message.contains("87,1\u{a0}Mo") && fr.message.starts_with("Pas assez"),
            "{}",
            fr.message
        );
    }

    #[test]
    fn megabytes_round_to_a_tenth_without_floats() {
        assert_eq!(megabytes(0, Locale::En), "0.0 MB");
        assert_eq!(megabytes(49_999, Locale::En), "0.0 MB");
        assert_eq!(megabytes(50_000, Locale::En), "0.1 MB");
        assert_eq!(megabytes(1_949_999, Locale::Fr), "1,9\u{a0}Mo");
        assert_eq!(megabytes(u64::MAX, Locale::En), "18446744073709.5 MB");
    }

    #[test]
    fn failures_read_in_french_too() {
        let p = classify(Stage::Download, &Failure::Signature("x".into()), Locale::Fr);
        assert_eq!(
            p.message,
            "Cette mise à jour n’est pas signée avec la clé d’IBEx Wallet et a été refusée."
        );
    }

    #[test]
    fn each_failure_has_its_own_outcome() {
        let cases = [
            (
                Stage::Check,
                Failure::Unreachable("dns".into()),
                ProblemCode::Offline,
            ),
            (
                Stage::Download,
                Failure::Unreachable("reset".into()),
                ProblemCode::Offline,
            ),
            (
                Stage::Check,
                Failure::BadResponse {
                    status: Some(503),
                    detail: "".into(),
                },
                ProblemCode::ServerError,
            ),
            (
                Stage::Check,
                Failure::BadResponse {
                    status: None,
                    detail: "no linux-x86_64 entry".into(),
                },
                ProblemCode::ServerError,
            ),
            (
                Stage::Download,
                Failure::Signature("bad".into()),
                ProblemCode::BadSignature,
            ),
            (
                Stage::Install,
                Failure::Io {
                    kind: ErrorKind::StorageFull,
                    detail: "".into(),
                },
                ProblemCode::NoSpace,
            ),
            (
                Stage::Install,
                Failure::Io {
                    kind: ErrorKind::PermissionDenied,
                    detail: "".into(),
                },
                ProblemCode::InstallFailed,
            ),
            (
                Stage::Install,
                Failure::Install("dpkg exited 1".into()),
                ProblemCode::InstallFailed,
            ),
            (
                Stage::Check,
                Failure::Unsupported("cargo run".into()),
                ProblemCode::Unsupported,
            ),
        ];
        for (stage, failure, code) in cases {
            assert_eq!(
                classify(stage, &failure, Locale::En).code,
                code,
                "{failure:?}"
            );
        }
        assert_eq!(
            classify(Stage::Download, &Failure::Signature("x".into()), Locale::En).message,
            "This update is not signed with IBEx Wallet's key and was refused."
        );
        assert!(classify(
            Stage::Check,
            &Failure::BadResponse {
                status: Some(503),
                detail: "".into()
            },
            Locale::En,
        )
        .message
        .contains("HTTP 503"));
        let older = older_offered(&v("0.1.0"), "0.0.9", Locale::En);
        assert_eq!(older.code, ProblemCode::OlderVersion);
        assert!(
            older.message.contains("0.0.9") && older.message.contains("never installs an older")
        );
    }
}
