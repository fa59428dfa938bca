//! The one error type that crosses IPC: a stable `code` the UI branches on, and a message.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::messages::Msg;

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
///
/// Built from a [`Msg`], so it can be said in the user's language: `message` is English (logs,
/// `Display`) until the IPC boundary calls [`AppError::localized`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// What `message` says; `None` for an error read back from IPC.
    #[serde(skip)]
    text: Option<Msg>,
}

impl AppError {
    pub fn new(code: ErrorCode, text: Msg) -> Self {
        Self {
            code,
            message: text.render(Locale::En),
            text: Some(text),
        }
    }

    pub fn validation(text: Msg) -> Self {
        Self::new(ErrorCode::Validation, text)
    }

    pub fn internal(text: Msg) -> Self {
        Self::new(ErrorCode::Internal, text)
    }

    /// The same error, said in `locale`.
    pub fn localized(mut self, locale: Locale) -> Self {
        if let Some(text) = &self.text {
            self.message = text.render(locale);
        }
        self
    }

    /// What the message says, whatever the language.
    pub fn text(&self) -> Option<&Msg> {
        self.text.as_ref()
    }
}

/// IBEx's own reason from an error body (`{"message": …}`, no uniform envelope: README §6),
/// or the body itself.
pub(crate) fn server_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_owned))
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
            ibex::Error::Decode { .. } => ErrorCode::BadResponse,
            ibex::Error::Config(_) | ibex::Error::Invalid(_) => ErrorCode::Validation,
            ibex::Error::Unauthorized { .. } => ErrorCode::Unauthorized,
            ibex::Error::SessionExpired(_) => ErrorCode::SessionExpired,
            ibex::Error::NotReady { .. } => ErrorCode::NotReady,
            ibex::Error::NotIndexed { .. } => ErrorCode::NotIndexed,
            ibex::Error::RateLimited { .. } => ErrorCode::RateLimited,
            ibex::Error::Conflict { .. } => ErrorCode::Conflict,
            ibex::Error::SecretStore(_) => ErrorCode::Internal,
        };
        // The user gets a sentence for the kind of failure; the details go to the log.
        tracing::warn!(error = %e, "IBEx call failed");
        let text = match e {
            ibex::Error::Transport(_) | ibex::Error::Realtime(_) => Msg::IbexUnreachable,
            ibex::Error::Status { status, body } if (400..500).contains(&status) => {
                Msg::IbexRefused {
                    detail: server_message(&body),
                }
            }
            ibex::Error::Status { .. } => Msg::IbexServerError,
            ibex::Error::Decode { .. } => Msg::IbexBadAnswer,
            ibex::Error::Config(detail) | ibex::Error::Invalid(detail) => {
                Msg::InvalidValue { detail }
            }
            ibex::Error::Unauthorized { .. } => Msg::IbexUnauthorized,
            ibex::Error::SessionExpired(_) => Msg::SessionExpired,
            ibex::Error::NotReady { .. } => Msg::IbexNotReady,
            ibex::Error::NotIndexed { .. } => Msg::IbexNotIndexed,
            ibex::Error::RateLimited { .. } => Msg::IbexRateLimited,
            ibex::Error::Conflict { .. } => Msg::IbexConflict,
            ibex::Error::SecretStore(_) => Msg::KeychainFailed,
        };
        Self::new(code, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_english_until_said_in_the_users_language() {
        let err = AppError::validation(Msg::ContactNameMissing);
        assert_eq!(err.message, "Give the contact a name.");
        let fr = err.clone().localized(Locale::Fr);
        assert_eq!(fr.code, ErrorCode::Validation);
        assert_eq!(fr.message, "Donnez un nom au contact.");
        // The wire shape is unchanged: a code and a message, nothing else.
        assert_eq!(
            serde_json::to_value(&fr).unwrap(),
            serde_json::json!({"code": "Validation", "message": "Donnez un nom au contact."})
        );
        // An error read back from IPC has no message id and keeps its text.
        let read: AppError = serde_json::from_value(serde_json::to_value(&err).unwrap()).unwrap();
        assert_eq!(
            read.localized(Locale::Fr).message,
            "Give the contact a name."
        );
    }

    #[test]
    fn ibex_failures_become_a_sentence_for_their_kind() {
        let err = AppError::from(ibex::Error::Status {
            status: 422,
            body: r#"{"message":"insufficient balance"}"#.into(),
        });
        assert_eq!(err.code, ErrorCode::Validation);
        assert_eq!(
            err.message,
            "IBEx refused this request: insufficient balance"
        );
        assert_eq!(
            err.localized(Locale::Fr).message,
            "IBEx a refusé cette demande\u{a0}: insufficient balance"
        );
        let server = AppError::from(ibex::Error::Status {
            status: 503,
            body: "<html>down</html>".into(),
        });
        assert_eq!(server.code, ErrorCode::Server);
        assert!(!server.message.contains("html"), "{}", server.message);
    }
}
