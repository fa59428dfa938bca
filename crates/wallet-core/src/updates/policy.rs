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
pub fn classify(stage: Stage, failure: &Failure) -> UpdateProblem {
    let (code, message) = match failure {
        Failure::Unreachable(_) => (
            ProblemCode::Offline,
            match stage {
                Stage::Check => {
                    "The update server could not be reached. Check your connection; the wallet tries again later."
                        .to_owned()
                }
                _ => "The download stopped: the update server could not be reached. Nothing was installed."
                    .to_owned(),
            },
        ),
        Failure::BadResponse {
            status: Some(status),
            ..
        } => (
            ProblemCode::ServerError,
            format!("The update server answered with an error (HTTP {status}). Nothing was installed; try again later."),
        ),
        Failure::BadResponse { status: None, detail } => (
            ProblemCode::ServerError,
            format!("The update server's answer is not a release this wallet can use ({detail}). Nothing was installed."),
        ),
        Failure::Signature(_) => (
            ProblemCode::BadSignature,
            "This update is not signed with IBEx Wallet's key and was refused.".to_owned(),
        ),
        Failure::Io {
            kind: ErrorKind::StorageFull,
            ..
        } => (
            ProblemCode::NoSpace,
            "Not enough disk space to install the update. Free some space and try again; this version keeps running."
                .to_owned(),
        ),
        Failure::Io { detail, .. } => (
            ProblemCode::InstallFailed,
            format!("The update could not be written to disk ({detail}). This version keeps running."),
        ),
        Failure::Install(detail) => (
            ProblemCode::InstallFailed,
            format!("The update could not be installed ({detail}). This version keeps running."),
        ),
        Failure::Unsupported(detail) => (
            ProblemCode::Unsupported,
            format!("This copy of IBEx Wallet cannot update itself ({detail}). Update it the way you installed it."),
        ),
    };
    UpdateProblem { code, message }
}

/// The user's answer when the offered version is older than the running one.
pub fn older_offered(current: &Version, offered: &str) -> UpdateProblem {
    UpdateProblem {
        code: ProblemCode::OlderVersion,
        message: format!(
            "The update server offered version {offered}, older than this one ({current}). IBEx Wallet never installs an older version."
        ),
    }
}

/// Not enough room for the package, found before downloading it.
pub fn no_space(needed: u64, free: u64) -> UpdateProblem {
    UpdateProblem {
        code: ProblemCode::NoSpace,
        message: format!(
            "Not enough disk space for the update: it needs {} free and {} are available. Free some space and try again.",
            megabytes(needed),
            megabytes(free)
        ),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
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
        let p = no_space(space_needed(10_000_000), 5_000_000);
        assert_eq!(p.code, ProblemCode::NoSpace);
        assert!(
            p.message.contains("87.1 MB") && p.message.contains("5.0 MB"),
            "{}",
            p.message
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
            assert_eq!(classify(stage, &failure).code, code, "{failure:?}");
        }
        assert_eq!(
            classify(Stage::Download, &Failure::Signature("x".into())).message,
            "This update is not signed with IBEx Wallet's key and was refused."
        );
        assert!(classify(
            Stage::Check,
            &Failure::BadResponse {
                status: Some(503),
                detail: "".into()
            }
        )
        .message
        .contains("HTTP 503"));
        let older = older_offered(&v("0.1.0"), "0.0.9");
        assert_eq!(older.code, ProblemCode::OlderVersion);
        assert!(
            older.message.contains("0.0.9") && older.message.contains("never installs an older")
        );
    }
}
