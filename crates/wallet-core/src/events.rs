//! Events the core pushes to the UI.

use serde::Serialize;

use crate::operations::OperationUpdate;
use crate::recovery::RecoveryInfo;
use crate::session::SessionInfo;
use crate::settings::Settings;
use crate::updates::UpdateStatus;

/// Steps of sign-up/sign-in after the passkey answered, for the progress screen.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AuthStep {
    /// IBEx is checking the passkey's signature.
    Verifying,
    /// IBEx is deploying or expanding the wallet (the documented 204 window).
    PreparingWallet,
}

/// Everything the core announces. One tagged union, so the UI handles one typed stream.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CoreEvent {
    /// Settings were saved (by this window or another).
    SettingsChanged { settings: Settings },
    /// Sign-up/sign-in progressed.
    AuthProgress { step: AuthStep },
    /// Signed in, signed out, or the session ended (e.g. the refresh token expired).
    SessionChanged { session: SessionInfo },
    /// An operation moved along CREATED → SIGNED → EXECUTED → CONFIRMED | FAILED.
    OperationUpdated { update: OperationUpdate },
    /// A route whose source leg was confirmed moved on: the bridge is delivering, it arrived
    /// on the destination chain, or it failed.
    RouteUpdated { update: crate::route::RouteUpdate },
    /// A confirmed operation did not do what the user reviewed (another recipient, token,
    /// amount or chain on chain): a loud alert, and an OS notification whatever the focus.
    #[serde(rename_all = "camelCase")]
    OperationMismatch {
        user_op_hash: String,
        tx_hash: String,
        differences: Vec<crate::operations::Difference>,
    },
    /// The account's WebSocket connected or dropped (then the core polls over HTTP).
    Realtime { connected: bool },
    /// IBEx pushed a new transaction or balance: shown balances and history are stale.
    WalletChanged,
    /// The recovery state changed (seen by the background check or a command).
    RecoveryChanged { info: RecoveryInfo },
    /// The security key in use needs the user: touch it, pick it among several, or enter its
    /// PIN (`passkey_key_pin`).
    SecurityKey {
        prompt: crate::passkey::ctap2::KeyPrompt,
    },
    /// A desktop notification was shown (the web host's notifier reports it, for tests and
    /// an in-page toast).
    NotificationShown { title: String, body: String },
    /// An update check, download or install moved on (progress included).
    UpdateChanged { status: UpdateStatus },
}

/// Where events go: the Tauri shell emits them to the window; the web host streams them.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: CoreEvent);
}
