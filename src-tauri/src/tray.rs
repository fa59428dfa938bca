//! The tray icon: closing the window hides it there, so the core and its background recovery
//! check keep running; "Open IBEx Wallet" brings the window back, "Quit" exits.

use std::sync::Arc;

use ibex_wallet_core::{Core, Locale, Msg};
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{App, AppHandle, Manager, Window, WindowEvent};

const OPEN: &str = "open";
const QUIT: &str = "quit";

/// The menu speaks the language in force at start (a change applies at the next start).
pub fn install(app: &App, locale: Locale) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, Msg::TrayOpen.render(locale), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, Msg::TrayQuit.render(locale), true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("IBEx Wallet")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            OPEN => show_main(app),
            QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

pub(crate) fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Close hides to the tray; focus changes go to the core (it notifies only when unfocused).
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    let core = window.app_handle().try_state::<Arc<Core>>();
    match event {
        WindowEvent::CloseRequested { api, .. } => {
            api.prevent_close();
            let _ = window.hide();
            if let Some(core) = core {
                core.set_window_focused(false);
            }
        }
        WindowEvent::Focused(focused) => {
            if let Some(core) = core {
                core.set_window_focused(*focused);
            }
        }
        _ => {}
    }
}
