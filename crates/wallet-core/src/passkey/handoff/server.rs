//! The hand-off's one-time loopback server: the page (strict CSP, random `state`, host check)
//! and the callback that takes back exactly one answer.

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
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::lock;
use crate::error::{AppError, ErrorCode};
use crate::i18n::Locale;
use crate::messages::Msg;
use crate::passkey::ceremony::random_id;

const PAGE: &str = include_str!("page.html");

/// What the page reported.
#[derive(Debug)]
pub(super) enum Reply {
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

/// The one-time page and callback on `127.0.0.1:<port>`.
pub(super) struct LoopbackServer {
    pub url: String,
    pub origin: String,
    pub reply: oneshot::Receiver<Reply>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
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
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            AppError::internal(Msg::LoopbackPortFailed {
                error: e.to_string(),
            })
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| {
                AppError::internal(Msg::Unexpected {
                    detail: e.to_string(),
                })
            })?
            .port();
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
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "browser hand-off server failed");
            }
        });
        let origin = format!("http://localhost:{port}");
        Ok(Self {
            url: format!("{origin}/?state={state}"),
            origin,
            reply,
            stop: Some(stop),
            task,
        })
    }

    /// Stops listening; in-flight answers finish, a lingering browser connection is cut after
    /// a second.
    pub async fn close(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
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

/// Only `localhost:<port>` / `127.0.0.1:<port>`: a page on another name that resolves to
/// loopback (DNS rebinding) must not reach the ceremony.
fn host_ok(headers: &HeaderMap, port: u16) -> bool {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h == format!("localhost:{port}") || h == format!("127.0.0.1:{port}"))
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
    let own_origin = format!("http://localhost:{}", shared.port);
    if headers
        .get(header::ORIGIN)
        .is_some_and(|o| o.as_bytes() != own_origin.as_bytes())
    {
        return text(StatusCode::FORBIDDEN, "Wrong origin.");
    }
    let Ok(callback) = serde_json::from_slice::<Callback>(&body) else {
        return text(StatusCode::BAD_REQUEST, "Not a hand-off answer.");
    };
    if !callback
        .state
        .as_deref()
        .is_some_and(|s| same(s, &shared.state))
    {
        return text(StatusCode::FORBIDDEN, "Wrong state.");
    }
    let reply = match (callback.credential, callback.error) {
        (Some(credential), None) => Reply::Credential(credential),
        (None, Some(e)) => Reply::Failed {
            name: e.name,
            message: e.message,
        },
        _ => return text(StatusCode::BAD_REQUEST, "Not a hand-off answer."),
    };
    let Some(answer) = lock(&shared.answer).take() else {
        return text(StatusCode::GONE, "This request was already answered.");
    };
    match answer.send(reply) {
        Ok(()) => text(StatusCode::OK, "Received."),
        Err(_) => text(StatusCode::GONE, "IBEx Wallet stopped waiting."),
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
