//! Settings of the main window's web view that Tauri's config does not cover.

/// Before WebKit starts (first thing in `run`, while the process has one thread): compositing
/// off for the whole process tree, as WebKit reads it at start. The per-view policy below alone
/// still let the web process start its compositing threads and buffers: measured under Xvfb,
/// the web process held ~6 MiB more (124 vs 117-118 MiB, 20 vs 14 threads). A value the user
/// set (`WEBKIT_DISABLE_COMPOSITING_MODE=0`, to compare) is kept.
#[cfg(target_os = "linux")]
pub fn prepare_process() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "1");
    }
}

#[cfg(not(target_os = "linux"))]
pub fn prepare_process() {}

/// WebKitGTK renders this page in software, without GPU compositing: a page of static cards
/// needs no compositor, and in compositing mode the web process keeps GL layer buffers and a
/// GL driver (Mesa's llvmpipe where there is no GPU) for it — measured with
/// scripts/bench-bundle.sh, about 90 MiB of the web process's memory at idle.
#[cfg(target_os = "linux")]
pub fn configure(app: &tauri::App) -> tauri::Result<()> {
    use tauri::Manager;
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    let Some(window) = app.get_webview_window("main") else {
        return Ok(());
    };
    window.with_webview(|webview| {
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })
}

/// WebView2 and WKWebView choose their rendering themselves.
#[cfg(not(target_os = "linux"))]
pub fn configure(_app: &tauri::App) -> tauri::Result<()> {
    Ok(())
}
