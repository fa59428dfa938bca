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
    init_logging();
    // Before any TLS client (ours, the updater's): the app's one rustls provider.
    ibex::install_crypto_provider();
    let builder = commands::specta_builder();
    tauri::Builder::default()
        // First, so a second launch hands over to the running app before anything starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tracing::info!("another launch handed over to this instance; showing the window");
            tray::show_main(app)
        }))
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .on_window_event(tray::on_window_event)
        .setup(move |app| {
            tracing::info!(version = %app.package_info().version, pid = std::process::id(), "IBEx Wallet started");
            webview::configure(app)?;
            builder.mount_events(app);
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

pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tao=warn,wry=warn".into()),
        )
        .try_init();
}
