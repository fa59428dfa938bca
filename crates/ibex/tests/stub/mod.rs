//! A deliberately tiny IBEx stand-in for the session and retry rules: token rotation with
//! single-use refresh tokens, a protected read, and scripted failures. Everything the API
//! contract covers is tested against `ibex-sandbox` instead.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

#[derive(Default)]
pub struct Stub {
    access: Mutex<HashSet<String>>,
    refresh: Mutex<HashSet<String>>,
    serial: AtomicU64,
    /// Refresh attempts, accepted or not.
    pub refresh_calls: AtomicU64,
    /// Per-route scripts: how many times to fail before answering normally.
    scripts: Mutex<HashMap<&'static str, u32>>,
    pub hits: Mutex<HashMap<&'static str, u64>>,
    pub latency: Mutex<Duration>,
    pub expires_in: AtomicU64,
}

impl Stub {
    /// Issues a fresh pair, as a sign-in would.
    pub fn issue(&self) -> Value {
        let n = self.serial.fetch_add(1, Ordering::SeqCst);
        let (a, r) = (format!("access-{n}"), format!("refresh-{n}"));
        self.access.lock().unwrap().insert(a.clone());
        self.refresh.lock().unwrap().insert(r.clone());
        let expires_in = match self.expires_in.load(Ordering::SeqCst) {
            0 => 3600,
            s => s,
        };
        json!({ "access_token": a, "refresh_token": r, "token_type": "Bearer", "expires_in": expires_in })
    }

    /// Every access token stops working (as if the clock passed their expiry).
    pub fn expire_access_tokens(&self) {
        self.access.lock().unwrap().clear();
    }

    /// `route` fails `times` times before succeeding.
    pub fn script(&self, route: &'static str, times: u32) {
        self.scripts.lock().unwrap().insert(route, times);
    }

    pub fn hits(&self, route: &'static str) -> u64 {
        self.hits.lock().unwrap().get(route).copied().unwrap_or(0)
    }

    fn hit(&self, route: &'static str) -> bool {
        *self.hits.lock().unwrap().entry(route).or_default() += 1;
        let mut scripts = self.scripts.lock().unwrap();
        match scripts.get_mut(route) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        token.is_some_and(|t| self.access.lock().unwrap().contains(t))
    }
}

pub async fn start() -> (Arc<Stub>, String) {
    let stub = Arc::new(Stub::default());
    let app = Router::new()
        .route("/v1.2/auth/refresh", post(refresh))
        .route("/v1.2/users/me/signers", get(signers))
        .route("/v1.2/users/me/address", get(address))
        .route("/v1.2/users/me/balances", get(balances))
        .route("/v1.2/chains/", get(chains))
        .route("/v1.2/users/kyc/status", get(kyc))
        .route("/v1.2/safes/operations", post(prepare))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (stub, url)
}

async fn refresh(State(s): State<Arc<Stub>>, Json(body): Json<Value>) -> Response {
    s.refresh_calls.fetch_add(1, Ordering::SeqCst);
    let token = body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !s.refresh.lock().unwrap().remove(&token) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "refresh token used"})),
        )
            .into_response();
    }
    Json(s.issue()).into_response()
}

async fn signers(State(s): State<Arc<Stub>>, headers: HeaderMap) -> Response {
    let latency = *s.latency.lock().unwrap();
    tokio::time::sleep(latency).await;
    s.hit("signers");
    if !s.authorised(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(json!({ "count": 0, "signers": [] })).into_response()
}

async fn address(State(s): State<Arc<Stub>>) -> Response {
    if s.hit("address") {
        return StatusCode::NO_CONTENT.into_response();
    }
    Json(json!({ "count": 1, "wallets": [{ "safeAddress": "0xd676c6188195372EC269E9C2cAf815C56436A679", "chainIds": [421614] }] })).into_response()
}

async fn balances(State(s): State<Arc<Stub>>) -> Response {
    if s.hit("balances") {
        return (StatusCode::NOT_FOUND, "not indexed").into_response();
    }
    Json(json!({ "crypto": {}, "fiat": {} })).into_response()
}

async fn chains(State(s): State<Arc<Stub>>) -> Response {
    if s.hit("chains") {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "0")],
            "slow down",
        )
            .into_response();
    }
    Json(json!([{ "id": 100, "name": "Gnosis" }])).into_response()
}

async fn kyc(State(s): State<Arc<Stub>>) -> Response {
    if s.hit("kyc") {
        return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
    }
    Json(json!({ "kycLevel": 2, "status": "verified" })).into_response()
}

async fn prepare(State(s): State<Arc<Stub>>) -> Response {
    s.hit("prepare");
    (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
}
