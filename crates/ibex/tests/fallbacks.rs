//! The documented path fallbacks, against a server that only has the older routes (the sandbox
//! serves both, so it cannot show the client choosing): recovery status `/v1.1` (docs/api/gaps.md G3)
//! and the swap quote's `/v1.2/safes/quote?from&to` (G2).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use ibex::models::auth::AuthTokens;
use ibex::models::operations::SwapQuoteRequest;
use ibex::{Address, Client, Config, MemoryStore, RetryPolicy, Session, SessionConfig};
use serde_json::{json, Value};

const SAFE: &str = "0xd676c6188195372EC269E9C2cAf815C56436A679";

async fn legacy_only_server() -> String {
    let app = Router::new()
        .route(
            "/v1.1/recovery/status/{safe}",
            get(|| async {
                Json(json!({ "safeAddress": SAFE, "recoveryEnabled": true, "delay": 86400 }))
            }),
        )
        .route(
            "/v1.2/safes/quote",
            get(
                |Query(q): Query<std::collections::HashMap<String, String>>| async move {
                    assert!(q.contains_key("from") && q.contains_key("to"), "{q:?}");
                    Json::<Value>(json!({ "quoteId": "q-1", "buyAmount": "9.95" }))
                },
            ),
        );
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn session(url: &str) -> Session {
    let mut config = Config::new(url, "localhost").unwrap();
    config.retry = RetryPolicy::none();
    let tokens: AuthTokens =
        serde_json::from_value(json!({ "access_token": "a", "refresh_token": "r" })).unwrap();
    Session::start(
        Client::new(config).unwrap(),
        Arc::new(MemoryStore::new()),
        &tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn older_routes_are_used_when_the_current_ones_are_missing() {
    let url = legacy_only_server().await;
    let session = session(&url).await;
    let safe: Address = SAFE.parse().unwrap();

    let status = session.recovery_status(&safe, None).await.unwrap();
    assert!(status.recovery_enabled);
    assert_eq!(status.delay, Some(86400));

    let quote = session
        .swap_quote(&SwapQuoteRequest {
            sell_token_address: Address::ZERO,
            buy_token_address: safe,
            amount: "10".parse().unwrap(),
            chain_id: None,
            safe_address: None,
            provider: None,
        })
        .await
        .unwrap();
    assert_eq!(quote.quote_id, "q-1");
    assert_eq!(quote.buy_amount.as_str(), "9.95");
}
