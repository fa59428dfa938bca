//! The WebSocket against the sandbox: auth and typed frames, request/reply, TOKEN_EXPIRED →
//! refresh → reconnect, no reconnect on a duplicate session, reconnect after drops, giving up.

use std::time::Duration;

use ibex::models::realtime::{ClientMessage, ServerMessage};
use ibex::realtime::{Realtime, RealtimeConfig, RealtimeEvent};
use serde_json::json;

use crate::harness::Harness;

fn fast() -> RealtimeConfig {
    RealtimeConfig {
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        max_attempts: 3,
        ..Default::default()
    }
}

/// The next event matching `pick`, failing after a few seconds.
async fn until<T>(rt: &mut Realtime, mut pick: impl FnMut(&RealtimeEvent) -> Option<T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let event = rt.next().await.expect("the connection is still running");
            if let Some(found) = pick(&event) {
                return found;
            }
        }
    })
    .await
    .expect("event in time")
}

#[tokio::test]
async fn authenticates_streams_typed_frames_and_answers_requests() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let mut rt = session.realtime(fast()).unwrap();
    until(&mut rt, |e| (*e == RealtimeEvent::Connected).then_some(())).await;
    until(&mut rt, |e| match e {
        RealtimeEvent::Frame(f) => matches!(f.message, ServerMessage::UserData(_)).then_some(()),
        _ => None,
    })
    .await;
    rt.send(ClientMessage::GetBalance {
        request_id: Some("r-1".into()),
    })
    .unwrap();
    let reply = until(&mut rt, |e| match e {
        RealtimeEvent::Frame(f) => match &f.message {
            ServerMessage::BalanceData(b) if b.mode == "request" => Some(b.request_id.clone()),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(reply.as_deref(), Some("r-1"));
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_socket_reopened() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let mut rt = session.realtime(fast()).unwrap();
    until(&mut rt, |e| (*e == RealtimeEvent::Connected).then_some(())).await;
    h.faults(json!({ "expireAccessTokens": true })).await;
    until(&mut rt, |e| match e {
        RealtimeEvent::Frame(f) => matches!(&f.message, ServerMessage::AuthError(a) if a.error_code.as_deref() == Some("TOKEN_EXPIRED")).then_some(()),
        _ => None,
    })
    .await;
    until(&mut rt, |e| (*e == RealtimeEvent::Connected).then_some(())).await;
    assert_eq!(h.refreshes().await, 1);
}

#[tokio::test]
async fn a_duplicate_session_is_not_reconnected() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let mut first = session.realtime(fast()).unwrap();
    until(&mut first, |e| {
        (*e == RealtimeEvent::Connected).then_some(())
    })
    .await;
    let mut second = session.realtime(fast()).unwrap();
    until(&mut second, |e| {
        (*e == RealtimeEvent::DuplicateSession).then_some(())
    })
    .await;
    // The task ends: no reconnect loop.
    let end = tokio::time::timeout(Duration::from_secs(2), async {
        while second.next().await.is_some() {}
    })
    .await;
    assert!(end.is_ok(), "the duplicate connection stopped");
}

#[tokio::test]
async fn dropped_sockets_reconnect() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let mut rt = session.realtime(fast()).unwrap();
    until(&mut rt, |e| (*e == RealtimeEvent::Connected).then_some(())).await;
    h.faults(json!({ "dropWebSockets": true })).await;
    until(&mut rt, |e| {
        matches!(e, RealtimeEvent::Disconnected { .. }).then_some(())
    })
    .await;
    h.clear_faults().await;
    until(&mut rt, |e| (*e == RealtimeEvent::Connected).then_some(())).await;
}

#[tokio::test]
async fn an_unreachable_server_is_given_up_for_http_polling() {
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ibex::Client::new(
        ibex::Config::new(&format!("http://127.0.0.1:{port}"), "localhost").unwrap(),
    )
    .unwrap();
    let tokens = serde_json::from_value(json!({
        "access_token": "a", "refresh_token": "r", "expires_in": 3600
    }))
    .unwrap();
    let session = ibex::Session::start(
        client,
        std::sync::Arc::new(ibex::MemoryStore::new()),
        &tokens,
        Default::default(),
    )
    .await
    .unwrap();
    let mut rt = session.realtime(fast()).unwrap();
    let mut disconnects = 0;
    let reason = until(&mut rt, |e| match e {
        RealtimeEvent::Disconnected { .. } => {
            disconnects += 1;
            None
        }
        RealtimeEvent::GaveUp(why) => Some(why.clone()),
        _ => None,
    })
    .await;
    assert_eq!(disconnects, 3, "one backoff per allowed attempt");
    assert!(reason.contains("failed"), "{reason}");
    assert!(rt.next().await.is_none(), "no reconnect after giving up");
}
