//! Dev-only web host: serves the built UI and the app's commands to a browser over loopback,
//! so UI tests run in headless Chromium against the real core. Compiled only with the
//! `devhost` feature, which release builds never enable.
//!
//! Every command call must carry the per-run secret (`x-devhost-secret`); the page learns it
//! from the URL fragment it is opened with, which never reaches the server's logs.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use ibex_wallet_core::notify::Notifier;
use ibex_wallet_core::sync::lock;
use ibex_wallet_core::{AppError, Core, CoreEvent, EventSink, Msg};
use rand::RngCore;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::commands;

/// The same policy as the app's window (tauri.conf.json), adapted to an http origin.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
                   form-action 'none'";

/// Core events fanned out to every open `/events` stream.
#[derive(Clone)]
pub struct BroadcastEvents(broadcast::Sender<CoreEvent>);

impl BroadcastEvents {
    pub fn new() -> Self {
        Self(broadcast::channel(256).0)
    }
}

impl Default for BroadcastEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl EventSink for BroadcastEvents {
    fn emit(&self, event: CoreEvent) {
        // No subscriber is fine: nobody is looking.
        let _ = self.0.send(event);
    }
}

/// The web host's notifier: there is no OS to show notifications, so it keeps them (for tests,
/// at `GET /test/notifications`) and announces each as an event (an in-page toast).
#[derive(Clone)]
pub struct RecordingNotifier {
    events: BroadcastEvents,
    shown: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl RecordingNotifier {
    pub fn new(events: BroadcastEvents) -> Self {
        Self {
            events,
            shown: Arc::default(),
        }
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, title: &str, body: &str) {
        lock(&self.shown).push(serde_json::json!({ "title": title, "body": body }));
        self.events.emit(CoreEvent::NotificationShown {
            title: title.to_owned(),
            body: body.to_owned(),
        });
    }
}

#[derive(Clone)]
struct HostState {
    core: Arc<Core>,
    events: BroadcastEvents,
    notifications: RecordingNotifier,
    secret: Arc<str>,
    port: u16,
}

/// A running web host.
pub struct DevHost {
    pub addr: SocketAddr,
    secret: Arc<str>,
}

impl DevHost {
    /// The URL to open: `localhost` (so rpId `localhost` passkeys work) with the secret in
    /// the fragment.
    pub fn url(&self) -> String {
        format!(
            "http://localhost:{}/#secret={}",
            self.addr.port(),
            self.secret
        )
    }
}

/// Binds 127.0.0.1:`port` (0 = free port) and serves `dist` plus the command API.
pub async fn start(
    core: Arc<Core>,
    events: BroadcastEvents,
    notifications: RecordingNotifier,
    dist: PathBuf,
    port: u16,
) -> std::io::Result<DevHost> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let addr = listener.local_addr()?;
    let secret: Arc<str> = random_secret().into();
    let state = HostState {
        core,
        events,
        notifications,
        secret: secret.clone(),
        port: addr.port(),
    };
    let static_files =
        ServeDir::new(&dist).not_found_service(ServeFile::new(dist.join("index.html")));
    let app = Router::new()
        .route("/ipc/{command}", post(invoke))
        .route("/events", get(event_stream))
        .route("/test/notifications", get(list_notifications))
        .fallback_service(static_files)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_host,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .with_state(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "devhost stopped");
        }
    });
    Ok(DevHost { addr, secret })
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Refuses requests whose Host is not this loopback server (DNS-rebinding defence).
async fn check_host(
    State(state): State<HostState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let allowed = [
        format!("localhost:{}", state.port),
        format!("127.0.0.1:{}", state.port),
    ];
    if allowed.iter().any(|a| a == host) {
        next.run(req).await
    } else {
        (StatusCode::FORBIDDEN, "unexpected Host").into_response()
    }
}

fn secret_ok(state: &HostState, given: Option<&str>) -> bool {
    let Some(given) = given else { return false };
    // Constant-time comparison: the secret is the only thing guarding the core.
    given.len() == state.secret.len()
        && given
            .bytes()
            .zip(state.secret.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn invoke(
    State(state): State<HostState>,
    Path(command): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let given = headers
        .get("x-devhost-secret")
        .and_then(|v| v.to_str().ok());
    if !secret_ok(&state, given) {
        return (StatusCode::UNAUTHORIZED, "missing or wrong devhost secret").into_response();
    }
    let args = if body.is_empty() {
        serde_json::json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return error_response(AppError::validation(Msg::ArgumentsNotJson {
                    error: e.to_string(),
                }))
            }
        }
    };
    match commands::dispatch(&state.core, &command, args).await {
        Ok(value) => Json(serde_json::json!({ "ok": value })).into_response(),
        Err(err) => error_response(err),
    }
}

/// A command's error is an answer, not a transport failure: `200 {"err": AppError}`, which the
/// page's transport rejects with as-is, exactly like Tauri's IPC does.
fn error_response(err: AppError) -> Response {
    Json(serde_json::json!({ "err": err })).into_response()
}

/// Every notification shown so far, oldest first (secret required).
async fn list_notifications(State(state): State<HostState>, headers: HeaderMap) -> Response {
    let given = headers
        .get("x-devhost-secret")
        .and_then(|v| v.to_str().ok());
    if !secret_ok(&state, given) {
        return (StatusCode::UNAUTHORIZED, "missing or wrong devhost secret").into_response();
    }
    let shown = lock(&state.notifications.shown).clone();
    Json(shown).into_response()
}

#[derive(serde::Deserialize)]
struct EventsQuery {
    secret: Option<String>,
}

async fn event_stream(
    State(state): State<HostState>,
    Query(q): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    if !secret_ok(&state, q.secret.as_deref()) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    let stream = BroadcastStream::new(state.events.0.subscribe()).filter_map(|msg| {
        let event = msg.ok()?;
        let json = serde_json::to_string(&event).ok()?;
        Some(Ok(Event::default().data(json)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
