//! The hand-off's one-time loopback server: the page (strict CSP, random `state`, host check)
//! and the callback that takes back exactly one answer.
//!
//! The page's address is `localhost`, which the browser may resolve to `127.0.0.1` or `[::1]`:
//! the server holds the port on both (or on the only one this host has), so no other process
//! can answer on the other address first; and an answer counts only with the page's `Origin`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use super::lock;
use crate::error::{AppError, ErrorCode};
use crate::i18n::Locale;
use crate::messages::Msg;
use crate::passkey::ceremony::random_id;

const PAGE: &str = include_str!("page.html");

/// What the page reported.
#[derive(Debug)]
pub enum Reply {
    Credential(serde_json::Value),
    /// The browser's DOMException.
    Failed {
        name: String,
        message: String,
    },
}

impl Reply {
    pub(super) fn into_result(self) -> Result<serde_json::Value, AppError> {
        let (name, message) = match self {
            Self::Credential(c) => return Ok(c),
            Self::Failed { name, message } => (name, message),
        };
        Err(match name.as_str() {
            "NotAllowedError" | "AbortError" => {
                AppError::new(ErrorCode::PasskeyCancelled, Msg::BrowserPromptClosed)
            }
            "InvalidStateError" => AppError::new(ErrorCode::Conflict, Msg::BrowserHasPasskey),
            "SecurityError" => AppError::new(
                ErrorCode::PasskeyUnsupported,
                Msg::BrowserRefusedPasskeys { message },
            ),
            "NotSupportedError" => AppError::new(
                ErrorCode::PasskeyUnsupported,
                Msg::BrowserCannotCreate { message },
            ),
            _ => AppError::new(
                ErrorCode::PasskeyUnsupported,
                Msg::BrowserPasskeyFailed { name, message },
            ),
        })
    }
}

/// The one-time page and callback on `localhost:<port>` (both loopback addresses).
pub(super) struct LoopbackServer {
    pub url: String,
    pub origin: String,
    pub reply: oneshot::Receiver<Reply>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Listeners on `127.0.0.1:<port>` and `[::1]:<port>`, the two addresses `localhost` names.
/// A port whose IPv6 twin is taken is given up for another; a host without IPv6 loopback
/// (nothing can listen there either) keeps IPv4 alone.
async fn bind_localhost() -> std::io::Result<(Vec<TcpListener>, u16)> {
    for _ in 0..16 {
        let v4 = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = v4.local_addr()?.port();
        match TcpListener::bind(("::1", port)).await {
            Ok(v6) => return Ok((vec![v4, v6], port)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                tracing::debug!(error = %e, "no IPv6 loopback here; localhost is 127.0.0.1 only");
                return Ok((vec![v4], port));
            }
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "every port tried was taken on [::1]",
    ))
}

struct Shared {
    port: u16,
    state: String,
    page: String,
    nonce: String,
    /// Taken by the first callback with the right `state`.
    answer: Mutex<Option<oneshot::Sender<Reply>>>,
}

impl LoopbackServer {
    pub async fn start(
        kind: &'static str,
        options: &serde_json::Value,
        locale: Locale,
    ) -> Result<Self, AppError> {
        let (listeners, port) = bind_localhost().await.map_err(|e| {
            AppError::internal(Msg::LoopbackPortFailed {
                error: e.to_string(),
            })
        })?;
        let state = random_id();
        let nonce = random_id();
        // The page's texts, in the wallet's language; `{name}` and `{error}` are filled in by
        // the page.
        let say = |m: Msg| m.render(locale);
        let texts = serde_json::json!({
            "noSupport": say(Msg::HandoffNoSupport),
            "waiting": say(Msg::HandoffWaiting),
            "done": say(Msg::HandoffDone),
            "noPasskey": say(Msg::HandoffNoPasskey { name: "{name}".into() }),
            "gone": say(Msg::HandoffGone { error: "{error}".into() }),
        });
        let data =
            serde_json::json!({ "kind": kind, "state": state, "options": options, "texts": texts });
        let what = match kind {
            "create" => Msg::HandoffWhatCreate,
            _ => Msg::HandoffWhatSign,
        };
        let lang = match locale {
            Locale::En => "en",
            Locale::Fr => "fr",
        };
        let page = PAGE
            .replace("{{NONCE}}", &nonce)
            .replace("{{LANG}}", lang)
            .replace("{{TITLE}}", &html_text(&say(Msg::HandoffTitle)))
            .replace("{{STARTING}}", &html_text(&say(Msg::HandoffStarting)))
            .replace("{{WHAT}}", &html_text(&say(what)))
            .replace("{{DATA}}", &script_safe_json(&data));
        let (tx, reply) = oneshot::channel();
        let shared = Arc::new(Shared {
            port,
            state: state.clone(),
            page,
            nonce,
            answer: Mutex::new(Some(tx)),
        });
        let app = Router::new()
            .route("/", get(page_route))
            .route("/callback", post(callback_route))
            .with_state(shared);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts both servers.
            let mut servers = JoinSet::new();
            for listener in listeners {
                let mut stopped = stopped.clone();
                let serve = axum::serve(listener, app.clone()).with_graceful_shutdown(async move {
                    let _ = stopped.changed().await;
                });
                servers.spawn(std::future::IntoFuture::into_future(serve));
            }
            while let Some(served) = servers.join_next().await {
                if let Ok(Err(e)) = served {
                    tracing::warn!(error = %e, "browser hand-off server failed");
                }
            }
        });
        let origin = format!("http://localhost:{port}");
        Ok(Self {
            url: format!("{origin}/?state={state}"),
            origin,
            reply,
            stop,
            task,
        })
    }

    /// Stops listening; in-flight answers finish, a lingering browser connection is cut after
    /// a second.
    pub async fn close(mut self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(1), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// JSON that cannot end the `<script>` element it sits in.
fn script_safe_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Text for an HTML element's content (the page's texts are ours, but say them safely).
fn html_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Only `localhost:<port>`, the page's own address: a page on another name that resolves to
/// loopback (DNS rebinding) must not reach the ceremony.
fn host_ok(headers: &HeaderMap, port: u16) -> bool {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == format!("localhost:{port}"))
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct PageQuery {
    state: Option<String>,
}

async fn page_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    if !host_ok(&headers, shared.port) {
        return text(StatusCode::MISDIRECTED_REQUEST, "Wrong host.");
    }
    if !query
        .state
        .as_deref()
        .is_some_and(|s| same(s, &shared.state))
    {
        return text(
            StatusCode::FORBIDDEN,
            "This link is not for an open IBEx Wallet request.",
        );
    }
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{n}'; style-src 'nonce-{n}'; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        n = shared.nonce
    );
    let mut response = shared.page.clone().into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[derive(Deserialize)]
struct Callback {
    state: Option<String>,
    credential: Option<serde_json::Value>,
    error: Option<PageError>,
}

#[derive(Deserialize)]
struct PageError {
    name: String,
    #[serde(default)]
    message: String,
}

async fn callback_route(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !host_ok(&headers, shared.port) {
        return text(StatusCode::MISDIRECTED_REQUEST, "Wrong host.");
    }
    // The page's fetch always sends its Origin; an answer without it did not come from the page.
    let own_origin = format!("http://localhost:{}", shared.port);
    if headers
        .get(header::ORIGIN)
        .is_none_or(|o| o.as_bytes() != own_origin.as_bytes())
    {
        return text(StatusCode::FORBIDDEN, "Wrong origin.");
    }
    let reply = match parse_answer(&body, &shared.state) {
        Ok(reply) => reply,
        Err(AnswerError::Malformed) => {
            return text(StatusCode::BAD_REQUEST, "Not a hand-off answer.")
        }
        Err(AnswerError::WrongState) => return text(StatusCode::FORBIDDEN, "Wrong state."),
    };
    let Some(answer) = lock(&shared.answer).take() else {
        return text(StatusCode::GONE, "This request was already answered.");
    };
    match answer.send(reply) {
        Ok(()) => text(StatusCode::OK, "Received."),
        Err(_) => text(StatusCode::GONE, "IBEx Wallet stopped waiting."),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum AnswerError {
    Malformed,
    WrongState,
}

/// Reads the page's POST body: a credential or a DOMException, with the one-time `state`.
/// Public for the fuzzer (any bytes must give a verdict, never a panic).
pub fn parse_answer(body: &[u8], state: &str) -> Result<Reply, AnswerError> {
    let callback: Callback = serde_json::from_slice(body).map_err(|_| AnswerError::Malformed)?;
    if !callback.state.as_deref().is_some_and(|s| same(s, state)) {
        return Err(AnswerError::WrongState);
    }
    match (callback.credential, callback.error) {
        (Some(credential), None) => Ok(Reply::Credential(credential)),
        (None, Some(e)) => Ok(Reply::Failed {
            name: e.name,
            message: e.message,
        }),
        _ => Err(AnswerError::Malformed),
    }
}

/// Compares secrets without an early exit.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
