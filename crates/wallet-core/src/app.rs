//! Facts about this build.

use serde::Serialize;

use crate::error::AppError;

/// Facts about this build the UI shows in its footer and settings.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// "debug" or "release".
    pub build: String,
    /// Whether the embedded sandbox is compiled in.
    pub sandbox_available: bool,
    /// The OS's language as the wallet speaks it: what the "system" language setting means.
    pub system_locale: crate::i18n::Locale,
    /// What went wrong reading the settings file at start (restored from its copy, set aside),
    /// for a notice the user sees; `None` when it opened cleanly.
    pub storage_notice: Option<String>,
}

/// The app command.
impl crate::Core {
    pub async fn app_info(&self) -> Result<AppInfo, AppError> {
        Ok(AppInfo {
            name: "IBEx Wallet".to_owned(),
            // The installed package's version, which the updater compares with releases.
            version: self.updates.current_version(),
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_owned(),
            sandbox_available: cfg!(feature = "sandbox"),
            system_locale: self.system_locale,
            storage_notice: self.store.notice().map(|m| m.render(self.locale())),
        })
    }
}
