//! The one error type that crosses IPC: a stable `code` the UI branches on, and a message.

use serde::{Deserialize, Serialize};

/// Stable error codes. The UI branches on these; never rename one. Serialised in camelCase,
/// like every enum that crosses IPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The input was rejected before anything was sent.
    Validation,
    /// IBEx refused the credentials of this call.
    Unauthorized,
    /// The session is over (refresh token used or expired); sign in again.
    SessionExpired,
    /// IBEx is still preparing this resource (HTTP 204); try again shortly.
    NotReady,
    /// The address is not indexed yet (HTTP 404 on balances/transactions/pools).
    NotIndexed,
    /// Too many requests; wait before retrying.
    RateLimited,
    /// Stale or conflicting state (HTTP 409/410/422).
    Conflict,
    /// IBEx could not be reached.
    Network,
    /// IBEx answered with an error.
    Server,
    /// IBEx answered something the wallet does not understand.
    BadResponse,
    /// The user cancelled the passkey prompt.
    PasskeyCancelled,
    /// No passkey provider can run here.
    PasskeyUnsupported,
    /// The wallet is locked after inactivity; unlock with the passkey.
    Locked,
    /// A bug or an unexpected local failure.
    Internal,
    /// The passkey prompt (e.g. the browser hand-off) got no answer in time.
    PasskeyTimedOut,
    /// The authenticator's answer failed the core's checks (rpId, presence, verification,
    /// signature); nothing was sent.
    PasskeyRefused,
    /// No security key answered: none is plugged in (or the OS does not let the app reach it).
    KeyNotFound,
    /// The security key holds no passkey for this wallet.
    KeyNotRegistered,
    /// The security key's PIN is blocked (too many wrong PINs).
    KeyPinBlocked,
    /// The security key has no PIN, and this wallet requires user verification.
    KeyPinNotSet,
}

/// An error as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

/// IBEx's symbolic error codes the wallet knows, and what it tells the user instead of the
/// server's text. `{rpId}` and `{origin}` are filled from what the core knows (its network
/// setting, the passkey's clientData), never from the server's words.
const SERVER_CODES: &[(&str, ErrorCode, &str)] = &[
    (
        "UNKNOWN_RP_ID",
        ErrorCode::Validation,
        "This IBEx server does not serve the rpId {rpId}. Check the network's rpId in the settings.",
    ),
    (
        "CHALLENGE_EXPIRED",
        ErrorCode::Unauthorized,
        "Your passkey answered after this request had expired (IBEx allows about a minute). Nothing was changed; try again.",
    ),
    (
        "CHALLENGE_UNKNOWN",
        ErrorCode::Unauthorized,
        "IBEx no longer knows this passkey request (it was already used or replaced). Nothing was changed; try again.",
    ),
    (
        "ORIGIN_MISMATCH",
        ErrorCode::Unauthorized,
        "IBEx does not accept passkeys used from this page (origin {origin}). Nothing was changed; sign from a page this IBEx allows, or use a PIN.",
    ),
    (
        "RPID_MISMATCH",
        ErrorCode::Unauthorized,
        "This passkey belongs to a different site than this IBEx network. Nothing was changed; use a passkey made for this network.",
    ),
    (
        "STALE_NONCE",
        ErrorCode::Conflict,
        "Your wallet changed since this operation was prepared. Nothing was signed; review it again.",
    ),
    (
        "GONE",
        ErrorCode::Conflict,
        "This request expired at IBEx. Nothing was changed; start it again.",
    ),
    (
        "EXPIRED",
        ErrorCode::Conflict,
        "This request expired at IBEx. Nothing was changed; start it again.",
    ),
];

/// What the core knows about the request that failed, to word its error.
#[derive(Default)]
pub(crate) struct Context<'a> {
    /// The network's rpId.
    pub rp_id: Option<&'a str>,
    /// The page origin the passkey signed for (its clientData).
    pub origin: Option<&'a str>,
    /// What to say when IBEx refused the request itself (400, 401/403) with no code the wallet
    /// knows: the wallet's words for this call ("IBEx did not accept this passkey…").
    pub refused: Option<(ErrorCode, &'a str)>,
}

impl AppError {
    /// `e` as the user reads it, from the one table above, then `context`'s refusal, then the
    /// kind of failure. The server's own text goes to the log only.
    pub(crate) fn from_ibex(e: &ibex::Error, context: &Context<'_>) -> Self {
        if let Some(api) = e.api() {
            tracing::warn!(error = %e, "IBEx refused the request");
            if let Some(details) = &api.details {
                tracing::debug!(%details, "IBEx error details");
            }
        }
        let known = e
            .code()
            .and_then(|code| SERVER_CODES.iter().find(|(c, ..)| *c == code));
        if let Some((_, code, message)) = known {
            let message = message
                .replace("{rpId}", context.rp_id.unwrap_or("of this network"))
                .replace("{origin}", context.origin.unwrap_or("unknown"));
            return Self::new(*code, message);
        }
        let refusal = matches!(
            e,
            ibex::Error::Status { status: 400, .. } | ibex::Error::Unauthorized { .. }
        );
        if let (Some((code, message)), true) = (context.refused, refusal) {
            return Self::new(code, message);
        }
        let (code, message) = match e {
            ibex::Error::Transport(_) | ibex::Error::Realtime(_) => (
                ErrorCode::Network,
                "IBEx could not be reached. Check your connection, then try again.".to_owned(),
            ),
            // IBEx refused the request itself (bad input, unknown Safe, insufficient balance).
            ibex::Error::Status { status, .. } if (400..500).contains(status) => (
                ErrorCode::Validation,
                "IBEx refused this request. Nothing was changed.".to_owned(),
            ),
            ibex::Error::Status { .. } => (
                ErrorCode::Server,
                "IBEx could not complete this request right now. Nothing was lost; try again in a moment.".to_owned(),
            ),
            ibex::Error::Decode { .. } | ibex::Error::Refused { .. } => (
                ErrorCode::BadResponse,
                "IBEx answered in a form this wallet does not understand. Nothing was changed; try again later.".to_owned(),
            ),
            // The client's own words about what it was given (no server text).
            ibex::Error::Config(_) | ibex::Error::Invalid(_) => (ErrorCode::Validation, e.to_string()),
            ibex::Error::Unauthorized { .. } => (
                ErrorCode::Unauthorized,
                "IBEx refused this session's credentials. Sign in again.".to_owned(),
            ),
            ibex::Error::SessionExpired(_) => (
                ErrorCode::SessionExpired,
                "Your session is over. Sign in again.".to_owned(),
            ),
            ibex::Error::NotReady { .. } => (
                ErrorCode::NotReady,
                "IBEx is still preparing this. Try again in a few seconds.".to_owned(),
            ),
            ibex::Error::NotIndexed { .. } => (
                ErrorCode::NotIndexed,
                "IBEx is still indexing this address. Try again in a moment.".to_owned(),
            ),
            ibex::Error::RateLimited { retry_after, .. } => (
                ErrorCode::RateLimited,
                match retry_after {
                    Some(wait) => format!(
                        "IBEx asks to slow down. Try again in {} s.",
                        wait.as_secs().max(1)
                    ),
                    None => "IBEx asks to slow down. Wait a moment, then try again.".to_owned(),
                },
            ),
            ibex::Error::Conflict { .. } => (
                ErrorCode::Conflict,
                "Something changed at IBEx since this request started. Nothing was changed; start it again.".to_owned(),
            ),
            // The keychain's own message (local, no server text).
            ibex::Error::SecretStore(_) => (ErrorCode::Internal, e.to_string()),
        };
        Self::new(code, message)
    }
}

impl From<ibex::Error> for AppError {
    fn from(e: ibex::Error) -> Self {
        Self::from_ibex(&e, &Context::default())
    }
}
