//! Platform effects the core asks for, implemented with Tauri plugins.

use ibex_wallet_core::notify::Notifier;
use ibex_wallet_core::{CoreEvent, EventSink};
use tauri::{AppHandle, Emitter};
use tauri_specta::Event;

use crate::commands::AppEvent;

/// Core events, emitted to the webview as the typed `appEvent`.
pub struct WindowEvents(AppHandle);

impl WindowEvents {
    pub fn new(app: AppHandle) -> Self {
        Self(app)
    }
}

impl EventSink for WindowEvents {
    fn emit(&self, event: CoreEvent) {
        // By name rather than `Event::emit`, whose registry lookup needs tauri-specta's
        // builder mounted, and that builder builds every event type's description at start.
        // The bindings test checks the name is the one the bindings listen on.
        if let Err(e) = self.0.emit(AppEvent::NAME, AppEvent(event)) {
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
