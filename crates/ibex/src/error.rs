//! The one error type of the client.

use std::time::Duration;

/// Everything that can go wrong talking to IBEx.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request never got an HTTP answer (DNS, connect, TLS, timeout).
    #[error("network error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered with a status the call does not expect.
    #[error("server answered {status}: {body}")]
    Status { status: u16, body: String },
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
    #[error("unauthorized ({status}): {body}")]
    Unauthorized { status: u16, body: String },
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
    #[error("rate limited (retry after {retry_after:?}): {body}")]
    RateLimited {
        retry_after: Option<Duration>,
        body: String,
    },
    /// HTTP 409/410/422: conflicting or stale state (`CONFLICT`, `STALE_NONCE`, `GONE`,
    /// `EXPIRED`, `NO_MASTER`…); `code` is the server's symbol when it sent one.
    #[error("conflict ({status}{}): {body}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Conflict {
        status: u16,
        code: Option<String>,
        body: String,
    },
    /// The refresh-token store failed; the session was ended so no consumed token is reused.
    #[error("secret store failed: {0}")]
    SecretStore(String),
    /// The WebSocket could not be used (handshake, protocol, or the server closed it).
    #[error("realtime connection: {0}")]
    Realtime(String),
}

impl Error {
    /// True for failures a later identical request may not hit (network, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            Error::Status { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }
}
