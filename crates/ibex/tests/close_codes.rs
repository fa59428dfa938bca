//! WebSocket close codes without an `auth_error` first: 4003 (duplicate session) stops for
//! good; 4002 (authentication failed) refreshes the token and reconnects.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use ibex::models::auth::AuthTokens;
use ibex::realtime::{RealtimeConfig, RealtimeEvent};
use ibex::{Client, Config, MemoryStore, Session, SessionConfig};
use serde_json::json;

#[derive(Default)]
struct Counts {
    connections: AtomicU32,
    refreshes: AtomicU32,
}

/// Closes the first connection with `first_code`, then (if still reconnecting) with 4003.
async fn closing_server(first_code: u16) -> (Arc<Counts>, String) {
    let counts = Arc::new(Counts::default());
    let app = Router::new()
        .route(
            "/ws",
            get(
                move |ws: WebSocketUpgrade, State(c): State<Arc<Counts>>| async move {
                    ws.on_upgrade(move |socket| close_after_auth(socket, c, first_code))
                },
            ),
        )
        .route(
            "/v1.2/auth/refresh",
            post(|State(c): State<Arc<Counts>>| async move {
                c.refreshes.fetch_add(1, Ordering::SeqCst);
                Json(json!({ "access_token": "fresh", "refresh_token": "r2", "expires_in": 3600 }))
            }),
        )
        .with_state(counts.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (counts, url)
}

async fn close_after_auth(mut socket: WebSocket, counts: Arc<Counts>, first_code: u16) {
    let _auth = socket.recv().await;
    let n = counts.connections.fetch_add(1, Ordering::SeqCst);
    let code = if n == 0 { first_code } else { 4003 };
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: "bye".into(),
        })))
        .await;
}

async fn session(url: &str) -> Session {
    let tokens: AuthTokens =
        serde_json::from_value(json!({ "access_token": "a", "refresh_token": "r" })).unwrap();
    Session::start(
        Client::new(Config::new(url, "localhost").unwrap()).unwrap(),
        Arc::new(MemoryStore::new()),
        &tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap()
}

fn fast() -> RealtimeConfig {
    RealtimeConfig {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
        max_attempts: 5,
        ..Default::default()
    }
}

async fn events_until_stop(rt: &mut ibex::realtime::Realtime) -> Vec<RealtimeEvent> {
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut seen = Vec::new();
        while let Some(event) = rt.next().await {
            seen.push(event);
        }
        seen
    })
    .await
    .expect("the connection stops by itself")
}

#[tokio::test]
async fn close_4003_is_never_reconnected() {
    let (counts, url) = closing_server(4003).await;
    let session = session(&url).await;
    let mut rt = session.realtime(fast()).unwrap();
    let seen = events_until_stop(&mut rt).await;
    assert_eq!(seen, vec![RealtimeEvent::DuplicateSession]);
    assert_eq!(counts.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn close_4002_refreshes_then_reconnects() {
    let (counts, url) = closing_server(4002).await;
    let session = session(&url).await;
    let mut rt = session.realtime(fast()).unwrap();
    let seen = events_until_stop(&mut rt).await;
    // Refreshed once, reconnected once (then that server's 4003 ends it).
    assert_eq!(counts.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(counts.connections.load(Ordering::SeqCst), 2);
    assert_eq!(seen.last(), Some(&RealtimeEvent::DuplicateSession));
    assert_eq!(session.access_token().await.unwrap().expose(), "fresh");
}
