//! The platform's updater as the core sees it: a small trait the app shell implements with
//! tauri-plugin-updater, and the facts it reports when something goes wrong.

use std::io::ErrorKind;

use crate::passkey::native::BoxFuture;

/// A release the update server announced (any version: the core decides what it means).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    /// Release notes (Markdown or plain text), as published.
    pub notes: Option<String>,
    /// Publication date, RFC 3339.
    pub date: Option<String>,
    /// Size of the package for this platform in bytes, when the manifest says.
    pub size: Option<u64>,
}

/// What went wrong, as plain facts; [`super::policy::classify`] turns it into what the user reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: name resolution, refused or reset connection, timeout.
    Unreachable(String),
    /// An answer that is not a usable release: an HTTP status when there was one, and what was
    /// wrong (no entry for this platform, unreadable JSON, …).
    BadResponse { status: Option<u16>, detail: String },
    /// The package or its signature does not verify with the app's public key.
    Signature(String),
    /// A file operation failed (`StorageFull` when the disk is full).
    Io { kind: ErrorKind, detail: String },
    /// The package manager, or its privilege prompt, did not install the package.
    Install(String),
    /// This copy cannot replace itself (e.g. it was not installed from a package).
    Unsupported(String),
}

/// Progress of a download: bytes received so far, and the total when the server said.
pub type Progress<'a> = Box<dyn FnMut(u64, Option<u64>) + Send + 'a>;

/// The platform's updater. The app implements it with tauri-plugin-updater (signature checks
/// included); builds that cannot update themselves use [`NoSelfUpdate`].
pub trait UpdateSource: Send + Sync {
    /// The running app's version.
    fn current_version(&self) -> String;
    /// Asks the update server what the latest release is; `None` when it says there is none.
    /// Reports the release whatever its version (the core refuses older ones itself).
    fn check(&self) -> BoxFuture<'_, Result<Option<Release>, Failure>>;
    /// Downloads the release last returned by `check` and verifies its signature.
    fn download<'a>(
        &'a self,
        version: &'a str,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>>;
    /// Installs what `download` fetched and verified; the running app keeps running.
    fn install(&self) -> BoxFuture<'_, Result<(), Failure>>;
    /// Ends this process and starts the installed version.
    fn restart(&self);
    /// Free bytes where the package is written before it is installed, when known.
    fn free_space(&self) -> Option<u64>;
}

/// For hosts that do not update themselves (the web test host, headless tools, tests).
pub struct NoSelfUpdate;

const NOT_HERE: &str = "this build does not update itself";

impl UpdateSource for NoSelfUpdate {
    fn current_version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }

    fn check(&self) -> BoxFuture<'_, Result<Option<Release>, Failure>> {
        Box::pin(async { Err(Failure::Unsupported(NOT_HERE.to_owned())) })
    }

    fn download<'a>(&'a self, _: &'a str, _: Progress<'a>) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async { Err(Failure::Unsupported(NOT_HERE.to_owned())) })
    }

    fn install(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async { Err(Failure::Unsupported(NOT_HERE.to_owned())) })
    }

    fn restart(&self) {}

    fn free_space(&self) -> Option<u64> {
        None
    }
}
