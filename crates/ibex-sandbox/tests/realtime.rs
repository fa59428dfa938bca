//! WebSocket `/ws`: auth, burst, pushed operation and balance events, expiry, duplicates, drops.

mod common;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(h: &common::Harness, token: &str) -> Socket {
    let url = format!("ws://{}/ws?blockchainId=421614", h.sandbox.addr());
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    socket
        .send(Message::Text(
            json!({ "type": "auth", "token": token, "clientName": "test" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    socket
}

/// Next JSON frame, or the close code when the server closes.
async fn next(socket: &mut Socket) -> Result<Value, Option<u16>> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
        {
            Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| f.code.into())),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(None),
        }
    }
}

async fn until(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = next(socket)
            .await
            .unwrap_or_else(|code| panic!("closed ({code:?}) before {kind}"));
        if frame["type"] == kind {
            return frame;
        }
    }
}

#[tokio::test]
async fn burst_then_operation_and_balance_events() {
    let h = common::start().await;
    let (authenticator, auth) = h.passkey_user().await;
    let token = common::token(&auth);
    let mut socket = connect(&h, &token).await;
    let mut kinds = Vec::new();
    for _ in 0..8 {
        let frame = next(&mut socket).await.unwrap();
        assert!(frame["timestamp"].is_string());
        kinds.push(frame["type"].as_str().unwrap().to_owned());
        if frame["type"] == "user_data" {
            assert_eq!(
                frame["data"]["addresses"]["status"], 200,
                "sections are wrapped over WS"
            );
        }
    }
    for kind in [
        "auth_success",
        "connection_success",
        "balance_data",
        "transaction_data",
        "chainid_data",
        "recovery_data",
        "user_data",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }

    socket
        .send(Message::Text(
            json!({ "type": "get_balance", "requestId": "r1" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let reply = until(&mut socket, "balance_data").await;
    assert_eq!(
        (
            reply["data"]["mode"].clone(),
            reply["data"]["requestId"].clone()
        ),
        (json!("request"), json!("r1"))
    );

    let safe = auth["safeAddress"]["421614"].as_str().unwrap();
    let transfer = json!([{ "type": "TRANSFER_TOKEN", "tokenAddress": "0x0000000000000000000000000000000000000000", "to": "0x1111111111111111111111111111111111111111", "amount": "0.001" }]);
    let hash = h
        .run_operation(&authenticator, &token, safe, 421_614, transfer)
        .await;
    let signed = until(&mut socket, "operation_status").await;
    assert_eq!(
        (
            signed["data"]["userOpHash"].as_str(),
            signed["data"]["status"].as_str()
        ),
        (Some(hash.as_str()), Some("SIGNED"))
    );
    h.advance(3).await;
    let update = until(&mut socket, "balance_update").await;
    assert_eq!(update["data"]["address"], safe);
    assert!(
        update["data"]["balance"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit()),
        "raw base units"
    );
    until(&mut socket, "new_transaction").await;
}

#[tokio::test]
async fn expiry_duplicates_and_drops() {
    let h = common::start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = common::token(&session);

    let mut first = connect(&h, &token).await;
    until(&mut first, "auth_success").await;
    let mut second = connect(&h, &token).await;
    let error = next(&mut second).await.unwrap();
    assert_eq!(error["data"]["error_code"], "ALREADY_CONNECTED");
    assert_eq!(next(&mut second).await.unwrap_err(), Some(4003));

    h.advance(3601).await;
    let expired = until(&mut first, "auth_error").await;
    assert_eq!(expired["data"]["error_code"], "TOKEN_EXPIRED");
    assert_eq!(next(&mut first).await.unwrap_err(), Some(4002));
    let mut late = connect(&h, &token).await;
    assert_eq!(
        next(&mut late).await.unwrap()["data"]["error_code"],
        "TOKEN_EXPIRED"
    );

    let (_, renewed) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": session["refresh_token"] }),
        )
        .await;
    let mut third = connect(&h, &common::token(&renewed)).await;
    until(&mut third, "recovery_data").await;
    h.post("/__sandbox/faults", None, json!({ "dropWebSockets": true }))
        .await;
    loop {
        match next(&mut third).await {
            Ok(_) => continue,
            Err(code) => {
                assert_eq!(code, None, "dropped without a close frame");
                break;
            }
        }
    }
}
