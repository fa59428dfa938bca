//! Events the core pushes to the UI.

use serde::Serialize;

use crate::settings::Settings;

/// Everything the core announces. One tagged union, so the UI handles one typed stream.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CoreEvent {
    /// Settings were saved (by this window or another).
    SettingsChanged { settings: Settings },
}

/// Where events go: the Tauri shell emits them to the window; the web host streams them.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: CoreEvent);
}
