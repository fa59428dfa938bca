//! The command set, expanded from `command_list.rs` into every form the app needs.

use std::sync::Arc;

// The command list names its types by their path in the core (`settings::Theme`).
use ibex_wallet_core::*;
use serde::Serialize;

include!("command_list.rs");

/// The core's events as one typed Tauri event (`appEvent` in the bindings).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(transparent)]
pub struct AppEvent(pub CoreEvent);

macro_rules! expand_commands {
    ($($name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty;)*) => {
        /// Tauri command handlers: thin adapters onto [`Core`].
        pub mod tauri_commands {
            use super::*;
            $(
                #[tauri::command]
                #[specta::specta]
                pub async fn $name(
                    core: tauri::State<'_, Arc<Core>>,
                    $($arg: $ty),*
                ) -> Result<$ret, AppError> {
                    // Errors leave the core in the user's language.
                    core.$name($($arg),*).await.map_err(|e| e.localized(core.locale()))
                }
            )*
        }

        /// Every command name, in declaration order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The Tauri handler for every command. Not through tauri-specta's builder: it builds
        /// every command's and event's type description when made (all of specta's type code
        /// in the binary, and work at every launch) for the bindings, which only the bindings
        /// test exports.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(tauri_commands::$name),*]
        }

        /// The specta/tauri-specta builder with every command and event: the TS bindings.
        pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
            tauri_specta::Builder::<tauri::Wry>::new()
                .commands(tauri_specta::collect_commands![$(tauri_commands::$name),*])
                .events(tauri_specta::collect_events![AppEvent])
        }

        /// Runs a command from its name and JSON arguments (camelCase keys, as Tauri's IPC
        /// takes them); used by the dev-only web host.
        #[cfg(feature = "devhost")]
        pub async fn dispatch(
            core: &Core,
            name: &str,
            args: serde_json::Value,
        ) -> Result<serde_json::Value, AppError> {
            let result = match name {
                $(
                    stringify!($name) => {
                        #[derive(serde::Deserialize)]
                        #[serde(rename_all = "camelCase", deny_unknown_fields)]
                        struct Args { $($arg: $ty),* }
                        match serde_json::from_value::<Args>(args) {
                            Ok(Args { $($arg),* }) => core.$name($($arg),*).await.and_then(|out| {
                                serde_json::to_value(out).map_err(|e| {
                                    AppError::internal(Msg::Unexpected { detail: e.to_string() })
                                })
                            }),
                            Err(e) => Err(AppError::validation(Msg::BadArguments {
                                command: stringify!($name).to_owned(),
                                error: e.to_string(),
                            })),
                        }
                    }
                )*
                other => Err(AppError::validation(Msg::UnknownCommand { name: other.to_owned() })),
            };
            result.map_err(|e| e.localized(core.locale()))
        }
    };
}

for_each_command!(expand_commands);
