//! Platform effects the core asks for, implemented with Tauri plugins.

use std::sync::Arc;

use ibex_wallet_core::notify::Notifier;
use ibex_wallet_core::store::KvStore;
use ibex_wallet_core::{CoreEvent, EventSink};
use serde_json::Value;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_store::{Store, StoreExt};
use tauri_specta::Event;

use crate::commands::AppEvent;

/// Settings and caches in tauri-plugin-store, saved to disk on every write.
pub struct PluginStore(Arc<Store<Wry>>);

impl PluginStore {
    pub fn open(app: &AppHandle, file: &str) -> Result<Self, tauri_plugin_store::Error> {
        Ok(Self(app.store(file)?))
    }

    /// Opens a cache file; the plugin silently starts empty on a corrupt file, so say so and
    /// remove it (a cache is only ever a head start).
    pub fn open_cache(app: &AppHandle, file: &str) -> Result<Self, tauri_plugin_store::Error> {
        if let Ok(path) = app.path().app_data_dir().map(|dir| dir.join(file)) {
            if let Ok(bytes) = std::fs::read(&path) {
                if let Err(e) = serde_json::from_slice::<serde_json::Map<String, Value>>(&bytes) {
                    tracing::warn!(path = %path.display(), error = %e, "discarding unreadable cache");
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        Self::open(app, file)
    }
}

impl KvStore for PluginStore {
    fn get(&self, key: &str) -> Option<Value> {
        self.0.get(key)
    }

    fn set(&self, key: &str, value: Value) -> Result<(), String> {
        self.0.set(key, value);
        self.0.save().map_err(|e| e.to_string())
    }
}

/// Core events, emitted to the webview as the typed `appEvent`.
pub struct WindowEvents(AppHandle);

impl WindowEvents {
    pub fn new(app: AppHandle) -> Self {
        Self(app)
    }
}

impl EventSink for WindowEvents {
    fn emit(&self, event: CoreEvent) {
        if let Err(e) = AppEvent(event).emit(&self.0) {
            tracing::warn!(error = %e, "event not delivered to the window");
        }
    }
}

/// Desktop notifications through tauri-plugin-notification (D-Bus `org.freedesktop.Notifications`
/// on Linux, the notification centre on macOS and Windows).
pub struct OsNotifier(AppHandle);

impl OsNotifier {
    pub fn new(app: AppHandle) -> Self {
        Self(app)
    }
}

impl Notifier for OsNotifier {
    fn notify(&self, title: &str, body: &str) {
        use tauri_plugin_notification::NotificationExt;
        let (app, title, body) = (self.0.clone(), title.to_owned(), body.to_owned());
        // Delivery is a blocking D-Bus call on Linux: keep it off the async workers.
        tauri::async_runtime::spawn_blocking(move || {
            let shown = app.notification().builder().title(title).body(body).show();
            if let Err(e) = shown {
                tracing::warn!(error = %e, "notification not shown");
            }
        });
    }
}
