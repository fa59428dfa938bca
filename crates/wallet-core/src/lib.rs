//! The wallet's core: everything the app's commands do, without Tauri.
//!
//! `src-tauri` exposes [`Core`]'s methods as IPC commands; the dev-only web host exposes the
//! same methods over loopback HTTP. Platform effects (storage, events) come in through traits.

mod account;
pub mod activity;
mod auth;
mod browser;
mod ceremony;
pub mod contacts;
mod core;
pub mod deadlines;
mod error;
mod events;
pub mod handoff;
pub mod i18n;
mod live;
mod messages;
mod money;
pub mod native;
mod network;
pub mod notify;
mod pin;
pub mod portfolio;
pub mod profile;
pub mod providers;
pub mod recipients;
pub mod recovery;
pub mod secrets;
pub mod send;
mod settings;
pub mod store;

pub use crate::core::{AppInfo, Core, CoreDeps};
pub use account::{Account, Persistence, SafeWallet, SessionInfo};
pub use auth::{AuthIntent, Ceremony, CeremonyKind};
pub use error::{AppError, ErrorCode};
pub use events::{AuthStep, CoreEvent, EventSink};
pub use i18n::{Language, Locale};
pub use messages::Msg;
pub use network::NetworkStatus;
pub use settings::{NetworkChoice, NetworkSetting, Settings, Theme};

/// Every type a command takes or returns, for the app shell's command list
/// (`src-tauri/src/command_list.rs`). Add a command's types here.
pub mod ipc {
    pub use crate::activity::{
        ActivityPage, ActivityQuery, ExportRequest, ExportResult, PendingOperation,
    };
    pub use crate::contacts::{Contact, ContactDraft};
    pub use crate::portfolio::Portfolio;
    pub use crate::profile::{KycView, SignerView};
    pub use crate::providers::{PasskeyCapabilities, ProviderKind, WebviewInfo};
    pub use crate::recipients::{KnownRecipient, RecipientCheck};
    pub use crate::recovery::{FieldProblem, PersonalData, RecoveryInfo, RecoveryReview};
    pub use crate::send::{Holding, OperationReview, OperationUpdate, TransferDraft};
    pub use crate::{
        AppError, AppInfo, AuthIntent, Ceremony, Core, CoreEvent, Language, Locale, NetworkChoice,
        NetworkStatus, SessionInfo, Settings, Theme,
    };
}
