//! The wallet's core: everything the app's commands do, without Tauri.
//!
//! `src-tauri` exposes [`Core`]'s methods as IPC commands; the dev-only web host exposes the
//! same methods over loopback HTTP. Platform effects (storage, events) come in through traits.
//! Each command lives beside its feature, in the module its prefix names; the command list
//! (`src-tauri/src/command_list.rs`) names its types by their path in this crate.

pub mod account;
pub mod activity;
pub mod app;
mod browser;
pub mod contacts;
mod core;
pub mod deadlines;
mod error;
pub mod events;
pub mod i18n;
pub mod kyc;
mod live;
pub mod messages;
mod money;
pub mod network;
pub mod notify;
pub mod operations;
pub mod passkey;
pub mod pin;
pub mod portfolio;
pub mod recipients;
pub mod recovery;
pub mod secrets;
pub mod send;
pub mod session;
pub mod settings;
pub mod store;
pub mod sync;
pub mod wallet;

pub use crate::core::{Core, CoreDeps};
pub use error::{AppError, ErrorCode};
pub use events::{AuthStep, CoreEvent, EventSink};
pub use i18n::{Language, Locale};
pub use messages::Msg;
pub use session::{
    Account, AuthIntent, Ceremony, CeremonyKind, Persistence, SafeWallet, SessionInfo,
};
pub use settings::{NetworkChoice, NetworkSetting, Settings, Theme};
