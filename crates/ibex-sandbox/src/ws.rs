//! WebSocket `/ws` (docs/api/realtime.md): `auth` first (30 s, else 4001), JWT checks (4002 with
//! `auth_error`, `TOKEN_EXPIRED` when expired), one session per user (4003), the initial burst,
//! `get_balance` / `get_transactions` replies, pushed events, pings, and the drop and stall faults.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::jwt::{Claims, JwtError};
use crate::routes::extract::Chain;
use crate::state::{frame, AppState, Shared};
use crate::tokens::verify_access;
use crate::views::{self, BalanceQuery, TxQuery};

const AUTH_TIMEOUT: Duration = Duration::from_secs(30);
const PING_EVERY: Duration = Duration::from_secs(30);

pub async fn upgrade(
    State(state): State<Shared>,
    chain: Result<Chain, ApiError>,
    ws: WebSocketUpgrade,
) -> Response {
    // Header over query (the session rule of docs/api/gaps.md G23); a malformed one is ignored.
    let chain = chain.ok().and_then(|c| c.0);
    if state.faults().stalls_websockets() {
        // The request was read; the 101 never comes (until the client gives up).
        std::future::pending::<()>().await;
    }
    ws.on_upgrade(move |socket| serve(state, socket, chain))
}

/// Removes the session from the live set however the connection ends.
struct Registration<'a> {
    state: &'a AppState,
    user: String,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.state
            .sockets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.user);
    }
}

async fn send(socket: &mut WebSocket, state: &AppState, kind: &str, data: Value) -> bool {
    socket
        .send(Message::Text(
            frame(kind, data, state.now()).to_string().into(),
        ))
        .await
        .is_ok()
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

async fn reject(
    socket: &mut WebSocket,
    state: &AppState,
    error_code: &str,
    message: &str,
    extra: Value,
    code: u16,
) {
    let mut data =
        json!({ "message": message, "error_code": error_code, "context": "auth_process" });
    crate::ledger::merge(&mut data, extra);
    send(socket, state, "auth_error", data).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    close(socket, code, error_code).await;
}

async fn serve(state: Shared, mut socket: WebSocket, chain: Option<u64>) {
    let first = match tokio::time::timeout(AUTH_TIMEOUT, socket.recv()).await {
        Err(_) => return close(&mut socket, 4001, "auth timeout").await,
        Ok(Some(Ok(Message::Text(text)))) => {
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
        }
        Ok(_) => return,
    };
    let token = match (
        first.get("type").and_then(Value::as_str),
        first.get("token").and_then(Value::as_str),
    ) {
        (Some("auth"), Some(token)) => token.to_owned(),
        _ => {
            return reject(
                &mut socket,
                &state,
                "AUTH_REQUIRED",
                "First message must be {\"type\":\"auth\",\"token\":…}",
                json!({}),
                4002,
            )
            .await
        }
    };
    let claims = match verify_access(&state, &token) {
        Ok(claims) => claims,
        Err(JwtError::Expired) => {
            return reject(
                &mut socket,
                &state,
                "TOKEN_EXPIRED",
                "JWT token expired, please refresh your token",
                json!({}),
                4002,
            )
            .await
        }
        Err(e) => {
            return reject(
                &mut socket,
                &state,
                "INVALID_TOKEN",
                &e.to_string(),
                json!({}),
                4002,
            )
            .await
        }
    };
    let connection = crate::ids::uuid(&crate::ids::random_bytes::<16>());
    let existing = {
        let mut sockets = state.sockets.lock().unwrap_or_else(|e| e.into_inner());
        match sockets.get(&claims.sub) {
            Some(existing) => Some(existing.clone()),
            None => {
                sockets.insert(claims.sub.clone(), connection.clone());
                None
            }
        }
    };
    if let Some(existing) = existing {
        let extra = json!({ "existingConnectionId": existing, "context": "duplicate_session" });
        return reject(
            &mut socket,
            &state,
            "ALREADY_CONNECTED",
            "Already connected — close the existing session first",
            extra,
            4003,
        )
        .await;
    }
    let _registration = Registration {
        state: &state,
        user: claims.sub.clone(),
    };
    let mut events = state.events.subscribe();
    let mut control = state.control.subscribe();
    let drop_generation = control.borrow_and_update().drop_generation;

    for (kind, data) in burst(&state, &claims, chain) {
        if !send(&mut socket, &state, kind, data).await {
            return;
        }
    }
    if state.faults().drops_websockets() {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut expiry = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let (kind, data) = reply(&state, &claims, chain, &text);
                    if !send(&mut socket, &state, kind, data).await { return; }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            event = events.recv() => match event {
                Ok(event) if event.user == claims.sub => {
                    if socket.send(Message::Text(event.frame.to_string().into())).await.is_err() { return; }
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            },
            changed = control.changed() => {
                if changed.is_err() || control.borrow().drop_generation != drop_generation {
                    return;
                }
            }
            _ = expiry.tick() => {
                if claims.exp * 1000 <= state.now() || claims.jti <= control.borrow().revoked_through {
                    return reject(&mut socket, &state, "TOKEN_EXPIRED", "JWT token expired, please refresh your token", json!({}), 4002).await;
                }
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() { return; }
            }
        }
    }
}

fn wrapped(sections: Vec<(&'static str, Value)>) -> Value {
    Value::Object(
        sections
            .into_iter()
            .map(|(k, v)| (k.to_owned(), json!({ "status": 200, "data": v })))
            .collect(),
    )
}

/// `auth_success`, `connection_success` and the initial burst (docs/api/gaps.md G16 union).
fn burst(state: &AppState, claims: &Claims, chain: Option<u64>) -> Vec<(&'static str, Value)> {
    let now = state.now();
    let store = state.store();
    let Some(user) = store.users.get(&claims.sub) else {
        return Vec::new();
    };
    let safes = views::signer_safes(&store, &claims.sid);
    let safe = safes
        .iter()
        .find(|s| chain.is_none_or(|c| s.registered(now).contains(&c)))
        .or(safes.first());
    let address = safe.map(|s| s.address.clone());
    let hello = json!({ "safeAddress": address, "message": "Connected to real-time updates" });
    let user_data = wrapped(views::user_sections(
        &store,
        &state.settings.rp_id,
        user,
        &claims.sid,
        now,
    ));
    let q = BalanceQuery {
        chain,
        include_zero: false,
        include_prices: true,
        books: &store.books,
    };
    let tx = TxQuery {
        chain,
        scope: "mixed".into(),
        start: "2025-01-01".into(),
        end: "9999-12-31".into(),
        page: 1,
        limit: 50,
        include_prices: true,
        ..TxQuery::default()
    };
    let registered: Vec<u64> = safe.map(|s| s.registered(now)).unwrap_or_default();
    let mut recovery = safe
        .map(|s| views::recovery(&store, s, state.settings.recovery_delay_s, now))
        .unwrap_or(json!({}));
    if let Some(map) = recovery.as_object_mut() {
        map.retain(|k, _| {
            [
                "safeAddress",
                "recoveryEnabled",
                "recoveryAddress",
                "delay",
                "pendingRecovery",
                "canExecute",
                "executeAfter",
            ]
            .contains(&k.as_str())
        });
    }
    vec![
        ("auth_success", hello.clone()),
        ("connection_success", hello),
        ("user_data", user_data.clone()),
        (
            "balance_data",
            json!({ "mode": "initial", "safeAddress": address, "balance": views::balances(&safes, &q, now) }),
        ),
        (
            "transaction_data",
            json!({ "mode": "initial", "safeAddress": address, "transactions": views::transactions(&safes, &tx, now) }),
        ),
        (
            "chainid_data",
            json!({ "defaultChainId": chain.unwrap_or(crate::ledger::DEFAULT_CHAIN), "supportedChainIds": registered }),
        ),
        ("recovery_data", recovery),
        ("user_data", user_data),
    ]
}

/// Answers one client message after auth.
fn reply(
    state: &AppState,
    claims: &Claims,
    chain: Option<u64>,
    text: &str,
) -> (&'static str, Value) {
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return (
            "error",
            json!({ "message": "Invalid JSON", "context": "parsing", "error_code": "INVALID_MESSAGE" }),
        );
    };
    let now = state.now();
    let store = state.store();
    let safes = views::signer_safes(&store, &claims.sid);
    let address = safes.first().map(|s| s.address.clone());
    let request_id = message.get("requestId").cloned().unwrap_or(Value::Null);
    let mut data = match message.get("type").and_then(Value::as_str) {
        Some("get_balance") => {
            let q = BalanceQuery {
                chain,
                include_zero: false,
                include_prices: true,
                books: &store.books,
            };
            ("balance_data", views::balances(&safes, &q, now))
        }
        Some("get_transactions") => {
            let p = message.get("params").cloned().unwrap_or(json!({}));
            let text = |k: &str, d: &str| p.get(k).and_then(Value::as_str).unwrap_or(d).to_owned();
            let number =
                |k: &str, d: u64| p.get(k).and_then(Value::as_u64).unwrap_or(d).max(1) as usize;
            let q = TxQuery {
                chain,
                scope: "mixed".into(),
                start: text("startDate", "2025-01-01"),
                end: text("endDate", "9999-12-31"),
                page: number("page", 1),
                limit: number("limit", 50).min(100),
                include_prices: true,
                ..TxQuery::default()
            };
            ("transaction_data", views::transactions(&safes, &q, now))
        }
        _ => {
            return (
                "error",
                json!({ "message": "Unknown message type", "context": "message_handler", "error_code": "UNKNOWN_MESSAGE_TYPE" }),
            )
        }
    };
    crate::ledger::merge(
        &mut data.1,
        json!({ "mode": "request", "safeAddress": address, "requestId": request_id }),
    );
    data
}
