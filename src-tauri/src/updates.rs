//! The core's [`UpdateSource`] on tauri-plugin-updater: it fetches `latest.json`, downloads
//! the package for the installed bundle type and verifies its minisign signature with the
//! public key in `tauri.conf.json`; on Linux it installs a `.deb` with `dpkg -i` (through
//! pkexec, a graphical sudo prompt or sudo) and an `.rpm` with `rpm -U`.
//!
//! The update policy (schedule, never downgrade, messages, waiting for idle) is the core's;
//! this file only adapts the plugin and maps its errors to plain facts.

use std::sync::Mutex;

use ibex_wallet_core::passkey::native::BoxFuture;
use ibex_wallet_core::updates::{Failure, Progress, Release, UpdateSource};
use tauri::AppHandle;
use tauri_plugin_updater::{Error, Update, UpdaterExt};
use time::format_description::well_known::Rfc3339;

pub struct PluginUpdates {
    app: AppHandle,
    /// The release the last check returned, and its verified package once downloaded.
    offered: Mutex<Option<Update>>,
    package: Mutex<Option<Vec<u8>>>,
}

impl PluginUpdates {
    pub fn new(app: AppHandle) -> Self {
        Self {
            app,
            offered: Mutex::new(None),
            package: Mutex::new(None),
        }
    }

    async fn check_release(&self) -> Result<Option<Release>, Failure> {
        // An executable the bundler did not mark (`cargo run`, a copied binary) would be
        // "updated" as if it were an AppImage, over itself.
        if cfg!(target_os = "linux") && tauri::utils::platform::bundle_type().is_none() {
            return Err(Failure::Unsupported(
                "it was not installed from a .deb, .rpm or AppImage package".into(),
            ));
        }
        // Every release is reported, older ones included: the core refuses those itself and
        // says so, instead of the plugin hiding them.
        let updater = self
            .app
            .updater_builder()
            .version_comparator(|current, release| release.version != current)
            .build()
            .map_err(facts)?;
        let Some(update) = updater.check().await.map_err(facts)? else {
            *lock(&self.offered) = None;
            return Ok(None);
        };
        let release = Release {
            version: update.version.clone(),
            notes: update.body.clone(),
            date: update.date.and_then(|d| d.format(&Rfc3339).ok()),
            size: package_size(&update),
        };
        *lock(&self.offered) = Some(update);
        *lock(&self.package) = None;
        Ok(Some(release))
    }

    async fn download_release(
        &self,
        version: &str,
        mut progress: Progress<'_>,
    ) -> Result<(), Failure> {
        let update = lock(&self.offered)
            .clone()
            .filter(|u| u.version == version)
            .ok_or_else(|| Failure::BadResponse {
                status: None,
                detail: format!("version {version} is no longer offered"),
            })?;
        let mut received = 0u64;
        let bytes = update
            .download(
                |chunk, total| {
                    received += chunk as u64;
                    progress(received, total);
                },
                || {},
            )
            .await
            .map_err(facts)?;
        *lock(&self.package) = Some(bytes);
        Ok(())
    }

    async fn install_release(&self) -> Result<(), Failure> {
        let update = lock(&self.offered).clone();
        let bytes = lock(&self.package).take();
        let (Some(update), Some(bytes)) = (update, bytes) else {
            return Err(Failure::Install("nothing was downloaded".into()));
        };
        // dpkg and the privilege prompt block: keep them off the async workers. `install`
        // verifies the signature again before handing the package over.
        tauri::async_runtime::spawn_blocking(move || update.install(bytes))
            .await
            .map_err(|e| Failure::Install(e.to_string()))?
            .map_err(facts)
    }
}

impl UpdateSource for PluginUpdates {
    fn current_version(&self) -> String {
        self.app.package_info().version.to_string()
    }

    fn check(&self) -> BoxFuture<'_, Result<Option<Release>, Failure>> {
        Box::pin(self.check_release())
    }

    fn download<'a>(
        &'a self,
        version: &'a str,
        progress: Progress<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(self.download_release(version, progress))
    }

    fn install(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(self.install_release())
    }

    fn restart(&self) {
        // Runs the exit handlers (the single-instance lock is released) before relaunching.
        self.app.request_restart();
    }

    fn free_space(&self) -> Option<u64> {
        free_space(&std::env::temp_dir())
    }
}

/// The `size` our release workflow writes beside each package in `latest.json` (the plugin's
/// format has no size; it ignores extra fields).
fn package_size(update: &Update) -> Option<u64> {
    let platforms = update.raw_json.get("platforms")?.as_object()?;
    platforms
        .values()
        .find(|p| p.get("url").and_then(|u| u.as_str()) == Some(update.download_url.as_str()))?
        .get("size")?
        .as_u64()
}

/// The plugin's error as facts the core classifies.
fn facts(error: Error) -> Failure {
    match error {
        Error::Reqwest(e) if e.is_connect() || e.is_timeout() => {
            Failure::Unreachable(e.to_string())
        }
        Error::Reqwest(e) => match e.status() {
            Some(status) => Failure::BadResponse {
                status: Some(status.as_u16()),
                detail: e.to_string(),
            },
            None if e.is_decode() => Failure::BadResponse {
                status: None,
                detail: "its answer is not valid JSON".into(),
            },
            None => Failure::Unreachable(e.to_string()),
        },
        // The plugin logs the status of a failed manifest request and reports this.
        Error::ReleaseNotFound => Failure::BadResponse {
            status: None,
            detail: "it did not return a release manifest".into(),
        },
        // "Download request failed with status: 404 Not Found"
        Error::Network(message) => Failure::BadResponse {
            status: message
                .split("status: ")
                .nth(1)
                .and_then(|rest| rest.get(..3))
                .and_then(|code| code.parse().ok()),
            detail: message,
        },
        e @ (Error::Serialization(_) | Error::Semver(_) | Error::UrlParse(_)) => {
            Failure::BadResponse {
                status: None,
                detail: e.to_string(),
            }
        }
        Error::TargetNotFound(target) => Failure::BadResponse {
            status: None,
            detail: format!("it has no package for {target}"),
        },
        Error::TargetsNotFound(targets) => Failure::BadResponse {
            status: None,
            detail: format!("it has no package for {}", targets.join(" or ")),
        },
        e @ (Error::Minisign(_)
        | Error::Base64(_)
        | Error::SignatureUtf8(_)
        | Error::SignedVersionMismatch { .. }
        | Error::MissingSignedVersion) => Failure::Signature(e.to_string()),
        Error::Io(e) => Failure::Io {
            kind: e.kind(),
            detail: e.to_string(),
        },
        e @ (Error::TempDirNotFound | Error::TempDirNotOnSameMountPoint) => Failure::Io {
            kind: std::io::ErrorKind::Other,
            detail: e.to_string(),
        },
        Error::AuthenticationFailed => {
            Failure::Install("the administrator password prompt was cancelled or failed".into())
        }
        e @ (Error::DebInstallFailed
        | Error::PackageInstallFailed
        | Error::InvalidUpdaterFormat) => Failure::Install(e.to_string()),
        e @ (Error::UnsupportedArch
        | Error::UnsupportedOs
        | Error::FailedToDetermineExtractPath
        | Error::EmptyEndpoints
        | Error::InsecureTransportProtocol) => Failure::Unsupported(e.to_string()),
        e => Failure::Install(e.to_string()),
    }
}

/// statvfs(3): std has no free-space call.
#[cfg(unix)]
fn free_space(dir: &std::path::Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(dir).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Not measured on Windows: a full disk shows up as the installer's own error.
#[cfg(not(unix))]
fn free_space(_: &std::path::Path) -> Option<u64> {
    None
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
