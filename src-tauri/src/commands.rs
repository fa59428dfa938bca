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
                    core.$name($($arg),*).await
                }
            )*
        }

        /// Every command name, in declaration order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The specta/tauri-specta builder: the Tauri handler, events and the TS bindings.
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
            match name {
                $(
                    stringify!($name) => {
                        #[derive(serde::Deserialize)]
                        #[serde(rename_all = "camelCase", deny_unknown_fields)]
                        struct Args { $($arg: $ty),* }
                        let Args { $($arg),* } = serde_json::from_value(args).map_err(|e| {
                            AppError::validation(format!(
                                "bad arguments for {}: {e}", stringify!($name)
                            ))
                        })?;
                        let out = core.$name($($arg),*).await?;
                        serde_json::to_value(out).map_err(|e| AppError::internal(e.to_string()))
                    }
                )*
                other => Err(AppError::validation(format!("unknown command `{other}`"))),
            }
        }
    };
}

for_each_command!(expand_commands);
