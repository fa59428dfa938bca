//! The one error type of the client.

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
    /// The configuration cannot produce a request (e.g. a malformed base URL).
    #[error("invalid configuration: {0}")]
    Config(String),
}
