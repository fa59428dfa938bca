//! The one error type of the client.

use std::time::Duration;

/// Everything that can go wrong talking to IBEx.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request never got an HTTP answer (DNS, connect, TLS, timeout).
    #[error("network error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered with a status the call does not expect.
    #[error("server answered {status}: {error}")]
    Status { status: u16, error: ApiError },
    /// The body did not match the documented shape; `path` names the JSON path that failed.
    #[error("unexpected response from {endpoint} at `{path}`: {message}")]
    Decode {
        endpoint: String,
        path: String,
        message: String,
    },
    /// The answer was not read, for the client's safety: a redirect (API calls never follow
    /// one: it would resend the bearer, refresh token or API key elsewhere) or a body larger
    /// than the cap.
    #[error("refused the answer from {endpoint}: {reason}")]
    Refused { endpoint: String, reason: String },
    /// The configuration cannot produce a request (e.g. a malformed base URL).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A value given to the client is malformed (address, amount…); nothing was sent.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// IBEx refused the credentials of this call (401/403) even after one refresh.
    #[error("unauthorized ({status}): {error}")]
    Unauthorized { status: u16, error: ApiError },
    /// The session is over: no refresh token, or it was consumed or expired. Sign in again.
    #[error("session ended: {0}")]
    SessionExpired(String),
    /// HTTP 204: IBEx is still preparing this resource (e.g. the wallet right after sign-up).
    #[error("{endpoint} is not ready yet")]
    NotReady { endpoint: String },
    /// HTTP 404 on balances/transactions/pools: the address is not indexed yet.
    #[error("{endpoint}: address not indexed yet")]
    NotIndexed { endpoint: String },
    /// HTTP 429; `retry_after` is the server's `Retry-After`, when given.
    #[error("rate limited (retry after {retry_after:?}): {error}")]
    RateLimited {
        retry_after: Option<Duration>,
        error: ApiError,
    },
    /// HTTP 409/410/422: conflicting or stale state (`CONFLICT`, `STALE_NONCE`, `GONE`,
    /// `EXPIRED`, `NO_MASTER`…, in the body's `code`).
    #[error("conflict ({status}): {error}")]
    Conflict { status: u16, error: ApiError },
    /// The refresh-token store failed; the session was ended so no consumed token is reused.
    #[error("secret store failed: {0}")]
    SecretStore(String),
    /// The WebSocket could not be used (handshake, protocol, or the server closed it).
    #[error("realtime connection: {0}")]
    Realtime(String),
}

impl Error {
    /// The error body IBEx answered with, for the variants that carry one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Status { error, .. }
            | Error::Unauthorized { error, .. }
            | Error::RateLimited { error, .. }
            | Error::Conflict { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The server's symbolic error code (`STALE_NONCE`, `UNKNOWN_RP_ID`…), when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.api()?.code.as_deref()
    }

    /// True for failures a later identical request may not hit (network, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            Error::Status { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }
}

/// IBEx's error body, parsed once where the answer arrives. IBEx has no uniform envelope
/// (docs/api/gaps.md G37), so it is read leniently: the symbolic code from `code`, `error_code`, `error`
/// or a `SYMBOL:` prefix of `message`; the server's words from `message` (or a prose `error`);
/// whatever else the body carried in `details`. The text is the server's, for logs: never show
/// it to a user as is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiError {
    pub code: Option<String>,
    pub message: Option<String>,
    /// The rest of a JSON body (`details`, `context`…), or the raw text of a body that is not
    /// JSON; `None` when there is nothing more.
    pub details: Option<serde_json::Value>,
}

impl ApiError {
    pub fn parse(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_slice(body) else {
            let text = String::from_utf8_lossy(body).trim().to_owned();
            return Self {
                details: (!text.is_empty()).then_some(serde_json::Value::String(text)),
                ..Self::default()
            };
        };
        let mut take_str = |key: &str| match fields.remove(key) {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(other) => {
                fields.insert(key.to_owned(), other);
                None
            }
            None => None,
        };
        let message = take_str("message");
        let mut code = take_str("code").or_else(|| take_str("error_code"));
        let error = take_str("error");
        // `error` is a symbol (`"NOT_FOUND"`) or prose (`"Bad Request"`).
        let message = match error {
            Some(e) if code.is_none() && is_symbol(&e) => {
                code = Some(e);
                message
            }
            Some(e) => message.or(Some(e)),
            None => message,
        };
        let code = code.or_else(|| {
            let (head, _) = message.as_deref()?.split_once(':')?;
            let head = head.trim();
            is_symbol(head).then(|| head.to_owned())
        });
        Self {
            code,
            message,
            details: (!fields.is_empty()).then_some(serde_json::Value::Object(fields)),
        }
    }
}

fn is_symbol(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}")?,
            (Some(code), None) => f.write_str(code)?,
            (None, Some(message)) => f.write_str(message)?,
            (None, None) if self.details.is_none() => f.write_str("(no body)")?,
            (None, None) => {}
        }
        if let Some(details) = &self.details {
            let sep = if self.code.is_some() || self.message.is_some() {
                " "
            } else {
                ""
            };
            write!(f, "{sep}{details}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;

    #[test]
    fn error_bodies_are_read_leniently() {
        let e = ApiError::parse(
            br#"{"code":"STALE_NONCE","message":"nonce moved","details":{"nonce":3}}"#,
        );
        assert_eq!(e.code.as_deref(), Some("STALE_NONCE"));
        assert_eq!(e.message.as_deref(), Some("nonce moved"));
        assert_eq!(
            e.details,
            Some(serde_json::json!({"details": {"nonce": 3}}))
        );
        let e = ApiError::parse(br#"{"message":"NO_MASTER: signer has none"}"#);
        assert_eq!(e.code.as_deref(), Some("NO_MASTER"));
        assert_eq!(e.message.as_deref(), Some("NO_MASTER: signer has none"));
        let e = ApiError::parse(br#"{"message":"Unknown domain/rpId"}"#);
        assert_eq!(
            (e.code, e.message.as_deref()),
            (None, Some("Unknown domain/rpId"))
        );
        let e = ApiError::parse(br#"{"error_code":"TOKEN_EXPIRED"}"#);
        assert_eq!(e.code.as_deref(), Some("TOKEN_EXPIRED"));
        let e = ApiError::parse(br#"{"error":"NOT_FOUND"}"#);
        assert_eq!((e.code.as_deref(), e.message), (Some("NOT_FOUND"), None));
        let e = ApiError::parse(br#"{"error":"Bad Request","statusCode":400}"#);
        assert_eq!((e.code, e.message.as_deref()), (None, Some("Bad Request")));
        let e = ApiError::parse(b"upstream timeout");
        assert_eq!(e.code, None);
        assert_eq!(e.details, Some(serde_json::json!("upstream timeout")));
        assert_eq!(e.to_string(), "\"upstream timeout\"");
        assert_eq!(ApiError::parse(b"").to_string(), "(no body)");
    }
}
