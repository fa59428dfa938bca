//! The one error type that crosses IPC: a stable `code` the UI branches on, and a message.

use serde::{Deserialize, Serialize};

/// Stable error codes. The UI branches on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
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

/// IBEx's own reason from an error body (`{"message": …}`, no uniform envelope: README §6),
/// or the body itself. A 401 says only `"message": "Unauthorized"`; its detail, when there
/// is one, is in `reason`.
pub(crate) fn server_message(body: &str) -> String {
    let v = serde_json::from_str::<serde_json::Value>(body).ok();
    let field = |key: &str| v.as_ref()?.get(key)?.as_str().map(str::to_owned);
    field("reason")
        .or_else(|| field("message"))
        .unwrap_or_else(|| body.to_owned())
}

impl From<ibex::Error> for AppError {
    fn from(e: ibex::Error) -> Self {
        let code = match &e {
            ibex::Error::Transport(_) | ibex::Error::Realtime(_) => ErrorCode::Network,
            // IBEx refused the request itself (bad input, unknown Safe, insufficient balance).
            ibex::Error::Status { status, .. } if (400..500).contains(status) => {
                ErrorCode::Validation
            }
            ibex::Error::Status { .. } => ErrorCode::Server,
            ibex::Error::Decode { .. } | ibex::Error::Refused { .. } => ErrorCode::BadResponse,
            ibex::Error::Config(_) | ibex::Error::Invalid(_) => ErrorCode::Validation,
            ibex::Error::Unauthorized { .. } => ErrorCode::Unauthorized,
            ibex::Error::SessionExpired(_) => ErrorCode::SessionExpired,
            ibex::Error::NotReady { .. } => ErrorCode::NotReady,
            ibex::Error::NotIndexed { .. } => ErrorCode::NotIndexed,
            ibex::Error::RateLimited { .. } => ErrorCode::RateLimited,
            ibex::Error::Conflict { .. } => ErrorCode::Conflict,
            ibex::Error::SecretStore(_) => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}
