//! Settings of the main window's web view that Tauri's config does not cover.

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
