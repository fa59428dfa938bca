//! The wallet's core: everything the app's commands do, without Tauri.
//!
//! `src-tauri` exposes [`Core`]'s methods as IPC commands; the dev-only web host exposes the
//! same methods over loopback HTTP. Platform effects (storage, events) come in through traits.
//! Each command lives beside its feature, in the module its prefix names; the command list
//! (`src-tauri/src/command_list.rs`) names its types by their path in this crate.

pub mod account;
pub mod accounts;
pub mod activity;
pub mod app;
pub mod banking;
pub mod bitcoin;
mod browser;
pub mod contacts;
mod core;
pub mod deadlines;
pub mod earn;
pub mod email;
pub mod eoa;
mod error;
pub mod events;
mod hex;
pub mod i18n;
pub mod kyc;
mod live;
pub mod message;
pub mod messages;
mod money;
pub mod network;
pub mod notify;
pub mod operations;
pub mod owners;
pub mod passkey;
pub mod pin;
pub mod portfolio;
pub mod positions;
pub mod recipients;
pub mod recovery;
pub mod route;
pub mod safes;
pub mod secrets;
pub mod send;
pub mod session;
pub mod settings;
pub mod solana;
pub mod store;
pub mod swap;
pub mod sync;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod updates;
pub mod wallet;

pub use crate::core::{Core, CoreDeps};
pub use error::{AppError, ErrorCode};
pub use events::{AuthStep, CoreEvent, EventSink};
pub use i18n::{Language, Locale};
pub use messages::Msg;
pub use session::{
    Account, AuthIntent, Ceremony, CeremonyKind, NoticeKind, Persistence, ResumeBackoff,
    SafeWallet, SessionInfo, SessionNotice,
};
pub use settings::{NetworkChoice, NetworkSetting, Settings, Theme};

/// Parsers of untrusted input, reachable by the fuzz targets in `fuzz/`; nothing else uses
/// this module.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::passkey::handoff::{parse_answer, Reply};

    /// The clientDataJSON check of a passkey answer, for either ceremony type.
    pub fn check_client_data(credential: &serde_json::Value, challenge: &str, origin: &str) {
        use crate::passkey::ceremony::{check_client_data, ClientDataType};
        for kind in [ClientDataType::Create, ClientDataType::Get] {
            let _ = check_client_data(credential, kind, challenge, Some(origin));
        }
    }
}
