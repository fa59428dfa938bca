//! The background refresh at `expires_in − margin`. Needs tokens that live seconds, not the
//! sandbox's hour, so a minimal token-rotating server stands in (everything else about the
//! session runs against the sandbox in `tests/integration`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use ibex::models::auth::AuthTokens;
use ibex::{Client, Config, EndReason, MemoryStore, Session, SessionConfig, SessionState};
use serde_json::{json, Value};

/// Issues 2-second tokens and counts refreshes.
async fn short_lived_tokens() -> (Arc<AtomicU64>, String) {
    let refreshes = Arc::new(AtomicU64::new(0));
    let app = Router::new()
        .route(
            "/v1.2/auth/refresh",
            post(|State(n): State<Arc<AtomicU64>>| async move {
                let i = n.fetch_add(1, Ordering::SeqCst);
                Json(json!({ "access_token": format!("a{i}"), "refresh_token": format!("r{i}"), "expires_in": 2 }))
            }),
        )
        .with_state(refreshes.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (refreshes, url)
}

#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry_until_sign_out() {
    let (refreshes, url) = short_lived_tokens().await;
    let issued: AuthTokens = serde_json::from_value::<Value>(
        json!({ "access_token": "a", "refresh_token": "r", "expires_in": 2 }),
    )
    .and_then(serde_json::from_value)
    .unwrap();
    let client = Client::new(Config::new(&url, "localhost").unwrap()).unwrap();
    let session = Session::start(
        client,
        Arc::new(MemoryStore::new()),
        &issued,
        // The default 30 s floor between proactive refreshes would hide the timer here.
        SessionConfig {
            min_refresh_interval: std::time::Duration::from_millis(500),
            ..SessionConfig::default()
        },
    )
    .await
    .unwrap();
    let refresher = session.spawn_refresher();
    // The 300 s margin is capped at half of a 2 s lifetime: due after 1 s, then every 1 s.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(refreshes.load(Ordering::SeqCst), 0);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(refreshes.load(Ordering::SeqCst), 2);
    assert_eq!(session.access_token().await.unwrap().expose(), "a1");

    session.sign_out().await.unwrap();
    assert_eq!(session.state(), SessionState::Ended(EndReason::SignedOut));
    tokio::time::timeout(Duration::from_secs(3), refresher)
        .await
        .expect("the refresher stops with the session")
        .unwrap();
    assert_eq!(refreshes.load(Ordering::SeqCst), 2);
}
