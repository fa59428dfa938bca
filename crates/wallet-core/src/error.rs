//! The one error type that crosses IPC: a stable `code` the UI branches on, and a message.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::messages::Msg;

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
    /// The swap quote expired (before review or approval): nothing was signed; quote again.
    QuoteExpired,
    /// The vault does not take deposits now (IBEx `VAULT_PAUSED`).
    VaultPaused,
    /// The deposit would exceed the vault's cap (IBEx `VAULT_FULL`).
    VaultFull,
    /// The payee's name did not match its IBAN (IBEx's Verification of Payee), or was not
    /// checked: the user corrects it or confirms the payment anyway.
    PayeeUnverified,
    /// The action needs the user's explicit confirmation first (removing this device's own
    /// passkey as an owner); nothing was sent.
    ConfirmationNeeded,
    /// The current account is not the one a review was prepared for: nothing was signed.
    AccountChanged,
    /// The signed-in account's signer cannot approve operations here (IBEx documents operation
    /// signing for passkeys only: e-mail, Ethereum-account and PIN signers): nothing was prepared.
    SignerCannotApprove,
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

/// IBEx's symbolic error codes the wallet knows, and what it tells the user instead of the
/// server's text. The rpId and origin come from what the core knows (its network setting, the
/// passkey's clientData), never from the server's words.
/// What to say for a server code, from what the core knows.
type Say = fn(&Context<'_>) -> Msg;

const SERVER_CODES: &[(&str, ErrorCode, Say)] = &[
    ("UNKNOWN_RP_ID", ErrorCode::Validation, |c| match c.rp_id {
        Some(rp_id) => Msg::RpIdNotServed {
            rp_id: rp_id.to_owned(),
        },
        None => Msg::RpIdOfNetworkNotServed,
    }),
    ("CHALLENGE_EXPIRED", ErrorCode::Unauthorized, |_| {
        Msg::ChallengeExpired
    }),
    ("CHALLENGE_UNKNOWN", ErrorCode::Unauthorized, |_| {
        Msg::ChallengeUnknown
    }),
    ("ORIGIN_MISMATCH", ErrorCode::Unauthorized, |c| {
        Msg::OriginRefused {
            origin: c.origin.unwrap_or("?").to_owned(),
        }
    }),
    ("RPID_MISMATCH", ErrorCode::Unauthorized, |_| {
        Msg::PasskeyOtherSite
    }),
    ("STALE_NONCE", ErrorCode::Conflict, |_| {
        Msg::WalletChangedSincePrepared
    }),
    ("VAULT_PAUSED", ErrorCode::VaultPaused, |_| Msg::VaultPaused),
    ("VAULT_FULL", ErrorCode::VaultFull, |_| Msg::VaultFull),
    ("GONE", ErrorCode::Conflict, |_| Msg::RequestExpiredAtIbex),
    ("IBAN_QUOTA", ErrorCode::RateLimited, |_| {
        Msg::BankIbanQuota {
            max: crate::banking::DEFAULT_MAX_IBANS,
        }
    }),
    ("VOP_LIMIT", ErrorCode::RateLimited, |_| Msg::BankVopLimit),
    ("VOP_NO_MATCH", ErrorCode::PayeeUnverified, |_| {
        Msg::BankVopNoMatch
    }),
    ("VOP_CLOSE_MATCH", ErrorCode::PayeeUnverified, |_| {
        Msg::BankVopCloseMatch
    }),
    ("INVALID_IBAN", ErrorCode::Validation, |_| Msg::IbanChecksum),
    ("INVALID_AMOUNT", ErrorCode::Validation, |_| {
        Msg::BankAmountDecimals
    }),
    // One-time codes (e-mail wallet, e-mail confirmation): the attempts left are IBEx's.
    ("INVALID_CODE", ErrorCode::Validation, |c| {
        match c
            .details
            .and_then(|d| d.get("attemptsLeft"))
            .and_then(serde_json::Value::as_u64)
        {
            Some(0) => Msg::EmailCodeBurnt,
            Some(attempts_left) => Msg::EmailCodeWrong { attempts_left },
            None => Msg::EmailCodeRefused,
        }
    }),
    ("CODE_EXPIRED", ErrorCode::Validation, |_| {
        Msg::EmailCodeExpired
    }),
    // A signature IBEx did not verify: said in the words of what signed (passkey, PIN, EOA).
    ("INVALID_SIGNATURE", ErrorCode::Unauthorized, |c| {
        match c.refused {
            Some((_, ref say)) => say.clone(),
            None => Msg::SignatureRefused,
        }
    }),
    ("EXPIRED", ErrorCode::Conflict, |_| {
        Msg::RequestExpiredAtIbex
    }),
];

#[derive(Default)]
pub(crate) struct Context<'a> {
    /// The network's rpId.
    pub rp_id: Option<&'a str>,
    /// The page origin the passkey signed for (its clientData).
    pub origin: Option<&'a str>,
    /// What to say when IBEx refused the request itself (400, 401/403) with no code the wallet
    /// knows: the wallet's words for this call ("IBEx did not accept this passkey…").
    pub refused: Option<(ErrorCode, Msg)>,
    /// The rest of IBEx's error body (`attemptsLeft`…); filled by [`AppError::from_ibex`].
    pub details: Option<&'a serde_json::Value>,
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
        if let Some((_, code, text)) = known {
            let context = Context {
                rp_id: context.rp_id,
                origin: context.origin,
                refused: context.refused.clone(),
                details: e.api().and_then(|a| a.details.as_ref()),
            };
            return Self::new(*code, text(&context));
        }
        let refusal = matches!(
            e,
            ibex::Error::Status { status: 400, .. } | ibex::Error::Unauthorized { .. }
        );
        if let (Some((code, text)), true) = (&context.refused, refusal) {
            return Self::new(*code, text.clone());
        }
        let (code, text) = match e {
            ibex::Error::Transport(_) | ibex::Error::Realtime(_) => {
                (ErrorCode::Network, Msg::IbexUnreachable)
            }
            // IBEx refused the request itself (bad input, unknown Safe, insufficient balance).
            ibex::Error::Status { status, .. } if (400..500).contains(status) => {
                (ErrorCode::Validation, Msg::IbexRefused)
            }
            ibex::Error::Status { .. } => (ErrorCode::Server, Msg::IbexServerError),
            ibex::Error::Decode { .. } | ibex::Error::Refused { .. } => {
                (ErrorCode::BadResponse, Msg::IbexBadAnswer)
            }
            // The client's own words about what it was given (no server text).
            ibex::Error::Config(_) | ibex::Error::Invalid(_) => (
                ErrorCode::Validation,
                Msg::InvalidValue {
                    detail: e.to_string(),
                },
            ),
            ibex::Error::Unauthorized { .. } => (ErrorCode::Unauthorized, Msg::IbexUnauthorized),
            ibex::Error::SessionExpired(_) => (ErrorCode::SessionExpired, Msg::SessionOver),
            ibex::Error::NotReady { .. } => (ErrorCode::NotReady, Msg::IbexNotReady),
            ibex::Error::NotIndexed { .. } => (ErrorCode::NotIndexed, Msg::IbexNotIndexed),
            ibex::Error::RateLimited { retry_after, .. } => (
                ErrorCode::RateLimited,
                match retry_after {
                    Some(wait) => Msg::IbexRateLimitedFor {
                        seconds: wait.as_secs().max(1),
                    },
                    None => Msg::IbexRateLimited,
                },
            ),
            ibex::Error::Conflict { .. } => (ErrorCode::Conflict, Msg::IbexConflict),
            // The keychain's own message (local, no server text).
            ibex::Error::SecretStore(_) => (
                ErrorCode::Internal,
                Msg::KeychainError {
                    detail: e.to_string(),
                },
            ),
        };
        Self::new(code, text)
    }
}

impl From<ibex::Error> for AppError {
    fn from(e: ibex::Error) -> Self {
        Self::from_ibex(&e, &Context::default())
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
            serde_json::json!({"code": "validation", "message": "Donnez un nom au contact."})
        );
        // An error read back from IPC has no message id and keeps its text.
        let read: AppError = serde_json::from_value(serde_json::to_value(&err).unwrap()).unwrap();
        assert_eq!(
            read.localized(Locale::Fr).message,
            "Give the contact a name."
        );
    }

    #[test]
    fn ibex_failures_are_said_by_kind_in_both_languages_without_the_servers_text() {
        let odd = AppError::from(ibex::Error::Decode {
            endpoint: "/v1.2/safes".into(),
            path: "data[0].address".into(),
            message: "<html>oops</html>".into(),
        });
        assert_eq!(odd.code, ErrorCode::BadResponse);
        assert!(!odd.message.contains("html"), "{}", odd.message);
        assert_eq!(
            odd.localized(Locale::Fr).message,
            "IBEx a répondu sous une forme que ce portefeuille ne comprend pas. Rien n’a été modifié\u{202f}; réessayez plus tard."
        );
    }
}
