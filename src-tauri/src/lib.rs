//! The IBEx Wallet desktop shell: windows, plugins and IPC adapters around `ibex-wallet-core`.

pub mod commands;
#[cfg(feature = "devhost")]
pub mod devhost;
pub mod keychain;
mod platform;
mod tray;
mod updates;
mod webview;

use std::sync::Arc;

use ibex_wallet_core::store::JsonFileStore;
use ibex_wallet_core::{Core, CoreDeps};
use tauri::Manager;

/// File (in the app's data directory) holding settings and caches; no secrets.
const STORE_FILE: &str = "ibex-wallet.json";
/// File (in the app's data directory) where the embedded sandbox keeps its accounts.
const SANDBOX_STATE_FILE: &str = "sandbox-state.json";
/// File (beside it) holding snapshots shown at start before the network answers.
const CACHE_FILE: &str = "cache.json";

pub fn run() {
    webview::prepare_process();
    init_logging();
    // Before any TLS client (ours, the updater's): the app's one rustls provider.
    ibex::install_crypto_provider();
    tauri::Builder::default()
        // First, so a second launch hands over to the running app before anything starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tracing::info!("another launch handed over to this instance; showing the window");
            tray::show_main(app)
        }))
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(commands::invoke_handler())
        .on_window_event(tray::on_window_event)
        .setup(move |app| {
            tracing::info!(version = %app.package_info().version, pid = std::process::id(), "IBEx Wallet started");
            webview::configure(app)?;
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            // Written atomically with a second copy kept (JsonFileStore); the same file
            // and format tauri-plugin-store used before, so existing settings carry over.
            let store = JsonFileStore::open(data_dir.join(STORE_FILE));
            let cache = JsonFileStore::open(data_dir.join(CACHE_FILE));
            let events = platform::WindowEvents::new(app.handle().clone());
            let core = Arc::new(
                Core::new(CoreDeps {
                    store: Arc::new(store),
                    events: Arc::new(events),
                    secrets: Arc::new(keychain::KeychainSecrets::default()),
                    cache: Arc::new(cache),
                    notifier: Arc::new(platform::OsNotifier::new(app.handle().clone())),
                })
                .with_sandbox_state(data_dir.join(SANDBOX_STATE_FILE))
                .with_updates(Arc::new(updates::PluginUpdates::new(app.handle().clone()))),
            );
            app.manage(core.clone());
            tray::install(app, core.locale())?;
            tauri::async_runtime::spawn({
                let core = core.clone();
                async move { core.run_update_schedule().await }
            });
            tauri::async_runtime::spawn(async move {
                core.warm_up().await;
                core.run_recovery_watch().await;
            });
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("IBEx Wallet failed to start");
}

/// RUST_LOG takes `target=level` lists (`info,ibex=debug`); one that does not parse falls back
/// to the default. `Targets` rather than `EnvFilter`: the span and field filters EnvFilter adds
/// cost a regex-driven parser in the release binary and no one debugging the app needs them.
pub fn init_logging() {
    use tracing_subscriber::{filter::Targets, prelude::*};
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(tracing::Level::INFO)
                .with_target("tao", tracing::Level::WARN)
                .with_target("wry", tracing::Level::WARN)
        });
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(filter)
        .try_init();
}
