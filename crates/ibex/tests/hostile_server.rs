//! A hostile or broken server cannot hurt the client: small loopback servers that misbehave
//! on purpose (the sandbox is faithful, so it cannot play these parts).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use axum::{Json, Router};
use ibex::models::auth::AuthTokens;
use ibex::realtime::{RealtimeConfig, RealtimeEvent};
use ibex::{Client, Config, Error, MemoryStore, Secret, SecretStore, Session, SessionConfig};
use serde_json::json;

/// What the hostile server saw.
#[derive(Default)]
struct Seen {
    refreshes: AtomicU32,
    connections: AtomicU32,
    /// Requests that reached the redirect target, with the headers they carried.
    stolen: Mutex<Vec<HeaderMap>>,
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// `POST /v1.2/auth/refresh` that rotates (and counts) every time, plus `extra` routes.
async fn rotating_server(seen: Arc<Seen>, expires_in: u64, extra: Router<Arc<Seen>>) -> String {
    let app = extra
        .route(
            "/v1.2/auth/refresh",
            post(move |State(s): State<Arc<Seen>>| async move {
                let i = s.refreshes.fetch_add(1, Ordering::SeqCst);
                Json(json!({
                    "access_token": format!("a{i}"),
                    "refresh_token": format!("r{i}"),
                    "expires_in": expires_in,
                }))
            }),
        )
        .with_state(seen);
    serve(app).await
}

fn tokens(expires_in: Option<u64>) -> AuthTokens {
    serde_json::from_value(json!({
        "access_token": "a", "refresh_token": "r", "expires_in": expires_in,
    }))
    .unwrap()
}

async fn session_on(url: &str, store: Arc<MemoryStore>, expires_in: Option<u64>) -> Session {
    Session::start(
        Client::new(Config::new(url, "localhost").unwrap()).unwrap(),
        store,
        &tokens(expires_in),
        SessionConfig::default(),
    )
    .await
    .unwrap()
}

/// Counts refreshes for 5 s against a socket that refuses every token (`TOKEN_EXPIRED` then
/// close 4002, or close 4002 alone), and collects what the connection reported.
async fn refreshes_in_five_seconds(auth_error_first: bool) -> (u32, u32, Vec<RealtimeEvent>) {
    let seen = Arc::new(Seen::default());
    let ws = Router::new().route(
        "/ws",
        get(
            move |ws: WebSocketUpgrade, State(s): State<Arc<Seen>>| async move {
                ws.on_upgrade(move |socket| refuse_every_token(socket, s, auth_error_first))
            },
        ),
    );
    let url = rotating_server(seen.clone(), 3600, ws).await;
    let session = session_on(&url, Arc::new(MemoryStore::new()), None).await;
    // Fast backoff on purpose: the bound must come from the rule, not from slow retries.
    let config = RealtimeConfig {
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        ..RealtimeConfig::default()
    };
    let mut rt = session.realtime(config).unwrap();
    let mut events = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(event) = rt.next().await {
            events.push(event);
        }
    })
    .await;
    (
        seen.refreshes.load(Ordering::SeqCst),
        seen.connections.load(Ordering::SeqCst),
        events,
    )
}

async fn refuse_every_token(mut socket: WebSocket, seen: Arc<Seen>, auth_error_first: bool) {
    let _auth = socket.recv().await;
    seen.connections.fetch_add(1, Ordering::SeqCst);
    if auth_error_first {
        let refusal = json!({
            "type": "auth_error",
            "data": { "message": "token expired", "error_code": "TOKEN_EXPIRED" },
        });
        let _ = socket.send(Message::Text(refusal.to_string().into())).await;
    }
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 4002,
            reason: "authentication failed".into(),
        })))
        .await;
}

#[tokio::test]
async fn a_socket_refusing_every_token_gets_one_refresh_then_backoff_then_polling() {
    for auth_error_first in [true, false] {
        let (refreshes, connections, events) = refreshes_in_five_seconds(auth_error_first).await;
        eprintln!(
            "hostile socket ({}): {refreshes} refreshes, {connections} connections in 5 s",
            if auth_error_first {
                "TOKEN_EXPIRED + 4002"
            } else {
                "close 4002"
            }
        );
        assert_eq!(refreshes, 1, "one rotation per run of refusals");
        assert!(
            matches!(events.last(), Some(RealtimeEvent::GaveUp(_))),
            "it falls back to polling: {events:?}"
        );
        assert!(connections <= 10, "{connections} connections");
    }
}

#[tokio::test]
async fn expires_in_of_zero_or_u64_max_neither_spins_nor_panics() {
    let seen = Arc::new(Seen::default());
    let url = rotating_server(seen.clone(), 0, Router::new()).await;
    let session = session_on(&url, Arc::new(MemoryStore::new()), Some(0)).await;
    for _ in 0..100 {
        session.access_token().await.unwrap();
    }
    assert_eq!(
        seen.refreshes.load(Ordering::SeqCst),
        0,
        "expires_in 0 must not rotate on every call"
    );

    let huge = session_on(&url, Arc::new(MemoryStore::new()), Some(u64::MAX)).await;
    assert_eq!(huge.access_token().await.unwrap().expose(), "a");
    let refresher = huge.spawn_refresher();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !refresher.is_finished(),
        "the refresher waits (capped at 24 h)"
    );
    refresher.abort();
}

#[tokio::test]
async fn a_403_is_not_a_401_and_spends_no_rotation() {
    let seen = Arc::new(Seen::default());
    let forbidden = Router::new().route(
        "/v1.2/users/me",
        get(|| async {
            (
                StatusCode::FORBIDDEN,
                Json(json!({ "message": "Forbidden" })),
            )
        }),
    );
    let url = rotating_server(seen.clone(), 3600, forbidden).await;
    let session = session_on(&url, Arc::new(MemoryStore::new()), None).await;
    let err = session.me().await.unwrap_err();
    assert!(
        matches!(err, Error::Unauthorized { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(seen.refreshes.load(Ordering::SeqCst), 0);
}

/// Another instance of the app sharing the keychain item, rotating it right after each read.
#[derive(Default)]
struct BusyNeighbour {
    inner: MemoryStore,
    rotations: AtomicU32,
}

impl SecretStore for BusyNeighbour {
    fn load(&self) -> Result<Option<Secret>, ibex::StoreError> {
        let now = self.inner.load();
        let i = self.rotations.fetch_add(1, Ordering::SeqCst);
        self.inner.save(&Secret::new(format!("neighbour-{i}")))?;
        now
    }
    fn save(&self, token: &Secret) -> Result<(), ibex::StoreError> {
        self.inner.save(token)
    }
    fn clear(&self) -> Result<(), ibex::StoreError> {
        self.inner.clear()
    }
}

/// The session ending on a refused token (its own, then the one it took over from the other
/// instance) deletes the item only while it still holds that token.
#[tokio::test]
async fn a_refused_refresh_spares_the_token_another_instance_saved() {
    let refuses = Router::new()
        .route("/v1.2/users/me", get(|| async { StatusCode::UNAUTHORIZED }))
        .route(
            "/v1.2/auth/refresh",
            post(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({ "message": "Unauthorized" })),
                )
            }),
        );
    let url = serve(refuses).await;
    let store = Arc::new(BusyNeighbour::default());
    let session = Session::start(
        Client::new(Config::new(&url, "localhost").unwrap()).unwrap(),
        store.clone(),
        &tokens(None),
        SessionConfig::default(),
    )
    .await
    .unwrap();
    // A second instance of the app rotated the shared token and saved its fresh one; it goes
    // on rotating after each of our reads.
    store
        .inner
        .save(&Secret::new("second-instance-fresh"))
        .unwrap();
    assert!(matches!(session.me().await, Err(Error::SessionExpired(_))));
    let left = store
        .inner
        .load()
        .unwrap()
        .expect("the neighbour's token is kept");
    assert!(left.expose().starts_with("neighbour-"), "{left:?}");

    // Alone, the refused token is the stored one, and it goes.
    let alone = Arc::new(MemoryStore::new());
    let session = session_on(&url, alone.clone(), None).await;
    assert!(session.me().await.is_err());
    assert_eq!(alone.load().unwrap(), None);
}

#[tokio::test]
async fn redirects_are_refused_and_carry_no_credential_anywhere() {
    let seen = Arc::new(Seen::default());
    let thief = Router::new()
        .route(
            "/{*path}",
            any(
                |State(s): State<Arc<Seen>>, headers: HeaderMap| async move {
                    s.stolen.lock().unwrap().push(headers);
                    "thanks"
                },
            ),
        )
        .with_state(seen.clone());
    let thief_url = serve(thief).await;
    let to = thief_url.clone();
    let redirecting = Router::new().fallback(move || {
        let to = to.clone();
        async move {
            (
                StatusCode::TEMPORARY_REDIRECT,
                [("location", format!("{to}/steal"))],
            )
        }
    });
    let url = serve(redirecting).await;
    let mut config = Config::new(&url, "localhost").unwrap();
    config.api_key = Some("tenant-key".into());
    let client = Client::new(config).unwrap();

    let err = client
        .refresh(&Secret::new("single-use"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Refused { reason, .. } if reason.contains("redirect")),
        "{err:?}"
    );
    assert!(client.health().await.is_err());
    assert!(
        seen.stolen.lock().unwrap().is_empty(),
        "nothing reached the redirect target"
    );
}

#[tokio::test]
async fn an_oversized_answer_is_refused_with_a_clear_error() {
    let big = Router::new()
        .route("/health", get(|| async { vec![b' '; 3 << 20] }))
        .route(
            "/v1.2/users/me",
            get(|| async {
                // No Content-Length: the cap must hold while streaming, too.
                let chunks =
                    (0..64).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 64 << 10])));
                Body::from_stream(futures_util::stream::iter(chunks)).into_response()
            }),
        );
    let url = serve(big).await;
    let mut config = Config::new(&url, "localhost").unwrap();
    config.max_response_bytes = 1 << 20;
    let client = Client::new(config).unwrap();
    let err = client.health().await.unwrap_err();
    assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
    let session = Session::start(
        client,
        Arc::new(MemoryStore::new()),
        &tokens(None),
        SessionConfig::default(),
    )
    .await
    .unwrap();
    let err = session.me().await.unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
}

/// A TCP listener that accepts and then says nothing: the WebSocket handshake never ends.
async fn stalled_listener() -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

fn quick() -> RealtimeConfig {
    RealtimeConfig {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(10),
        max_attempts: 2,
        connect_timeout: Duration::from_millis(300),
        auth_timeout: Duration::from_millis(300),
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(350),
        ..RealtimeConfig::default()
    }
}

#[tokio::test]
async fn a_stalled_handshake_times_out_and_falls_back_to_polling() {
    let url = stalled_listener().await;
    let session = session_on(&url, Arc::new(MemoryStore::new()), None).await;
    let started = Instant::now();
    let mut rt = session.realtime(quick()).unwrap();
    let mut last = None;
    tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(event) = rt.next().await {
            last = Some(event);
        }
    })
    .await
    .expect("a stalled handshake does not hang the connection task");
    assert!(matches!(last, Some(RealtimeEvent::GaveUp(_))), "{last:?}");
    eprintln!("stalled handshake: gave up after {:?}", started.elapsed());
}

/// Answers the upgrade, then behaves per `mode` and never reads again (so no pong either).
async fn misbehaving_socket(mode: &'static str) -> String {
    let app = Router::new().route(
        "/ws",
        get(move |ws: WebSocketUpgrade| async move {
            ws.max_message_size(8 << 20)
                .on_upgrade(move |mut socket| async move {
                    let _auth = socket.recv().await;
                    if mode != "no-auth-answer" {
                        let ok = json!({ "type": "auth_success", "data": {} });
                        let _ = socket.send(Message::Text(ok.to_string().into())).await;
                    }
                    if mode == "huge-frame" {
                        let huge = json!({ "type": "noise", "data": "x".repeat(2 << 20) });
                        let _ = socket.send(Message::Text(huge.to_string().into())).await;
                    }
                    tokio::time::sleep(Duration::from_secs(60)).await;
                })
        }),
    );
    serve(app).await
}

async fn first_disconnect(url: &str) -> (Vec<RealtimeEvent>, Duration) {
    let session = session_on(url, Arc::new(MemoryStore::new()), None).await;
    let config = RealtimeConfig {
        max_message_bytes: 64 << 10,
        // Deadlines that hold on a loaded machine (300 ms for the handshake and auth made the
        // frame-cap case flaky), still far apart from each other.
        connect_timeout: Duration::from_secs(5),
        auth_timeout: Duration::from_secs(2),
        ping_interval: Duration::from_millis(500),
        idle_timeout: Duration::from_millis(1500),
        ..quick()
    };
    let mut rt = session.realtime(config).unwrap();
    let started = Instant::now();
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(event) = rt.next().await {
            let stop = matches!(event, RealtimeEvent::Disconnected { .. });
            seen.push(event);
            if stop {
                return;
            }
        }
    })
    .await
    .expect("the connection notices within seconds");
    (seen, started.elapsed())
}

#[tokio::test]
async fn a_silent_server_is_detected_by_ping_and_idle_timeout() {
    let (seen, after) = first_disconnect(&misbehaving_socket("silent").await).await;
    assert_eq!(seen[0], RealtimeEvent::Connected);
    assert!(
        after >= Duration::from_millis(1500),
        "by the idle deadline: {after:?}"
    );
}

#[tokio::test]
async fn an_auth_never_answered_times_out() {
    let (seen, _) = first_disconnect(&misbehaving_socket("no-auth-answer").await).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
}

#[tokio::test]
async fn a_frame_over_the_size_cap_drops_the_connection() {
    let (seen, after) = first_disconnect(&misbehaving_socket("huge-frame").await).await;
    // Connected (and its auth_success frame), then dropped: the oversized frame never arrives.
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        after < Duration::from_millis(1500),
        "not by idle: {after:?}"
    );
}
