//! Session rules against the sandbox's real token rotation (single-use refresh tokens, 1 h
//! access / 24 h refresh on its controllable clock).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ibex::{
    EndReason, Error, MemoryStore, Secret, SecretStore, Session, SessionConfig, SessionState,
    StoreError,
};
use serde_json::json;

use crate::harness::Harness;

/// 1,000 concurrent reads; the access tokens are revoked while they are in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_storm_across_an_expiry_causes_exactly_one_refresh() {
    let h = Harness::start().await;
    let (session, store, _) = h.session().await;
    let before = h.refreshes().await;
    h.faults(json!({ "latencyMs": 5 })).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let session = session.clone();
            let base = h.base.clone();
            tokio::spawn(async move {
                if i == 300 {
                    reqwest::Client::new()
                        .post(format!("{base}/__sandbox/faults"))
                        .json(&json!({ "expireAccessTokens": true }))
                        .send()
                        .await
                        .unwrap();
                }
                session.signers().await
            })
        })
        .collect();
    let mut failures = Vec::new();
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            failures.push(e.to_string());
        }
    }
    eprintln!("storm of 1,000 calls took {:?}", started.elapsed());
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert_eq!(h.refreshes().await - before, 1);
    assert_eq!(session.state(), SessionState::Active);
    assert!(store.load().unwrap().is_some());
}

#[tokio::test]
async fn a_consumed_refresh_token_ends_the_session_with_an_event_and_no_loop() {
    let h = Harness::start().await;
    let auth = h.signed_in().await;
    // Someone else (another device, a crash after rotation) already used the refresh token.
    h.client()
        .refresh(&auth.tokens.refresh_token)
        .await
        .unwrap();
    let store = Arc::new(MemoryStore::new());
    let session = Session::start(
        h.client(),
        store.clone(),
        &auth.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    let mut events = session.subscribe();
    h.faults(json!({ "expireAccessTokens": true })).await;
    let err = session.signers().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired(_)), "{err:?}");
    events.changed().await.unwrap();
    assert_eq!(
        *events.borrow(),
        SessionState::Ended(EndReason::RefreshRejected)
    );
    let refreshes = h.refreshes().await;
    for _ in 0..5 {
        assert!(matches!(session.me().await, Err(Error::SessionExpired(_))));
    }
    assert_eq!(h.refreshes().await, refreshes, "no refresh after the end");
    assert!(store.load().unwrap().is_none());
}

#[tokio::test]
async fn a_refresh_token_older_than_a_day_ends_the_session() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    session.signers().await.unwrap();
    h.advance(25 * 3600).await;
    let err = session.signers().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired(_)), "{err:?}");
    assert_eq!(
        session.state(),
        SessionState::Ended(EndReason::RefreshRejected)
    );
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_call_replayed() {
    let h = Harness::start().await;
    let (session, store, auth) = h.session().await;
    h.advance(3700).await;
    session.signers().await.unwrap();
    assert_eq!(h.refreshes().await, 1);
    assert_ne!(store.load().unwrap().unwrap(), auth.tokens.refresh_token);
    // The rotated token restores a session on "the next start".
    let restored = Session::restore(h.client(), store.clone(), SessionConfig::default())
        .await
        .unwrap()
        .expect("a stored session");
    restored.me().await.unwrap();
}

/// A keychain that stops answering while `down` (the Secret Service killed mid-session).
#[derive(Default)]
struct Flaky {
    inner: MemoryStore,
    down: AtomicBool,
    saves: AtomicU32,
}

impl SecretStore for Flaky {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        self.inner.load()
    }
    fn save(&self, token: &Secret) -> Result<(), StoreError> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError("keychain unavailable".into()));
        }
        self.inner.save(token)
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear()
    }
}

/// The store refusing the rotated token used to end the session (the work lost with it); now
/// the session runs from memory, says so, and saves the token once the store is back.
#[tokio::test]
async fn a_store_failure_after_rotation_keeps_the_session_and_saves_it_once_back() {
    let h = Harness::start().await;
    let auth = h.signed_in().await;
    let store = Arc::new(Flaky::default());
    let config = SessionConfig {
        save_retry: Duration::from_millis(50),
        ..SessionConfig::default()
    };
    let session = Session::start(h.client(), store.clone(), &auth.tokens, config)
        .await
        .unwrap();
    store.down.store(true, Ordering::SeqCst);
    h.faults(json!({ "expireAccessTokens": true })).await;
    session.signers().await.expect("the session keeps working");
    assert!(
        matches!(session.state(), SessionState::Unsaved(ref why) if why.contains("keychain unavailable")),
        "{:?}",
        session.state()
    );
    assert_eq!(h.refreshes().await, 1);
    // Retried in the background while the store is down, one call at a time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tries = store.saves.load(Ordering::SeqCst);
    assert!((3..=6).contains(&tries), "{tries} saves");
    assert_eq!(
        store.load().unwrap(),
        Some(auth.tokens.refresh_token.clone())
    );

    store.down.store(false, Ordering::SeqCst);
    let mut state = session.subscribe();
    tokio::time::timeout(
        Duration::from_secs(2),
        state.wait_for(|s| *s == SessionState::Active),
    )
    .await
    .expect("saved once the store answers")
    .unwrap();
    let saved = store.load().unwrap().unwrap();
    assert_ne!(
        saved, auth.tokens.refresh_token,
        "the rotated token, not the consumed one"
    );
    // What a restart would do: the saved token restores the session.
    let restored = Session::restore(h.client(), store.clone(), SessionConfig::default())
        .await
        .unwrap()
        .expect("a stored session");
    restored.me().await.unwrap();
    assert_eq!(h.refreshes().await, 2);
}

/// Two instances of the app share one keychain item: the one whose token the other rotated
/// continues with the fresh token from the store instead of ending (once per refresh).
#[tokio::test]
async fn a_token_rotated_by_another_instance_is_taken_over_not_ended() {
    let h = Harness::start().await;
    let (first, store, _) = h.session().await;
    // The second instance starts from the shared item and rotates it.
    let second = Session::restore(h.client(), store.clone(), SessionConfig::default())
        .await
        .unwrap()
        .expect("a stored session");
    h.faults(json!({ "expireAccessTokens": true })).await;
    first.signers().await.expect("the first instance goes on");
    assert_eq!(first.state(), SessionState::Active);
    second.signers().await.expect("and so does the second");
    assert_eq!(second.state(), SessionState::Active);
    // restore 1, first: refused + adopted 2, second: refused + adopted 2.
    assert_eq!(h.refreshes().await, 5);
    Session::restore(h.client(), store, SessionConfig::default())
        .await
        .expect("the stored token is the live one")
        .expect("a stored session");
}

/// A replaced session retires: its refresh token is spent at IBEx (refused afterwards), the
/// store it shared is left alone, it makes no call after, and retiring twice is harmless.
#[tokio::test]
async fn a_retired_session_spends_its_refresh_token_and_leaves_the_store_alone() {
    let h = Harness::start().await;
    let auth = h.signed_in().await;
    let store = Arc::new(MemoryStore::new());
    let session = Session::start(
        h.client(),
        store.clone(),
        &auth.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    // What a newer sign-in of the same account wrote into the shared item.
    store.save(&Secret::new("the-new-sessions-token")).unwrap();
    session.retire().await.unwrap().spend().await.unwrap();
    assert_eq!(session.state(), SessionState::Ended(EndReason::Replaced));
    let refused = h
        .client()
        .refresh(&auth.tokens.refresh_token)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::Unauthorized { status: 401, .. }),
        "{refused:?}"
    );
    assert_eq!(
        store.load().unwrap(),
        Some(Secret::new("the-new-sessions-token"))
    );
    let refreshes = h.refreshes().await;
    assert!(matches!(session.me().await, Err(Error::SessionExpired(_))));
    assert!(session.retire().await.is_none(), "already retired");
    assert_eq!(h.refreshes().await, refreshes, "nothing spent twice");
}

/// A replaced session that rotated its token while its successor started saved that token over
/// the successor's in the item they share; once it is retired (it writes nothing after), the
/// successor saves again, and a restart resumes the successor, not the spent token.
#[tokio::test]
async fn a_rotation_by_the_replaced_session_is_saved_over_once_it_is_retired() {
    let h = Harness::start().await;
    let (old, store, _) = h.session().await;
    let auth = h.signed_in().await;
    let new = Session::start(
        h.client(),
        store.clone(),
        &auth.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    h.faults(json!({ "expireAccessTokens": true })).await;
    old.signers().await.expect("the old session refreshes");
    let olds = store.load().unwrap().unwrap();
    assert_ne!(
        olds, auth.tokens.refresh_token,
        "the race: the old token is stored"
    );

    let retired = old.retire().await.expect("it was running");
    new.save_again().await;
    retired.spend().await.unwrap();
    assert_eq!(
        store.load().unwrap(),
        Some(auth.tokens.refresh_token.clone())
    );
    assert_eq!(new.state(), SessionState::Active);
    let refused = h.client().refresh(&olds).await.unwrap_err();
    assert!(
        matches!(refused, Error::Unauthorized { status: 401, .. }),
        "{refused:?}"
    );
    Session::restore(h.client(), store, SessionConfig::default())
        .await
        .expect("the stored token is the new session's, live")
        .expect("a stored session");
}
