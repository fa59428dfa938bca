//! Session rules against the sandbox's real token rotation (single-use refresh tokens, 1 h
//! access / 24 h refresh on its controllable clock).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

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
        .unwrap();
    restored.me().await.unwrap();
}

/// Accepts the sign-in save, fails the save after the first rotation.
#[derive(Default)]
struct FailsAfterRotation {
    inner: MemoryStore,
    saves: AtomicU32,
}

impl SecretStore for FailsAfterRotation {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        self.inner.load()
    }
    fn save(&self, token: &Secret) -> Result<(), StoreError> {
        if self.saves.fetch_add(1, Ordering::SeqCst) == 0 {
            self.inner.save(token)
        } else {
            Err(StoreError("keychain unavailable".into()))
        }
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear()
    }
}

#[tokio::test]
async fn a_store_failure_between_rotation_and_persisting_is_clear_and_safe() {
    let h = Harness::start().await;
    let auth = h.signed_in().await;
    let store = Arc::new(FailsAfterRotation::default());
    let session = Session::start(
        h.client(),
        store.clone(),
        &auth.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    h.faults(json!({ "expireAccessTokens": true })).await;
    let err = session.signers().await.unwrap_err();
    assert!(
        matches!(&err, Error::SecretStore(m) if m.contains("keychain unavailable")),
        "{err:?}"
    );
    assert!(matches!(
        session.state(),
        SessionState::Ended(EndReason::StoreFailed(_))
    ));
    assert_eq!(h.refreshes().await, 1);
    // The consumed token is gone from the store and never sent again.
    assert!(store.load().unwrap().is_none());
    assert!(matches!(
        session.signers().await,
        Err(Error::SessionExpired(_))
    ));
    assert_eq!(h.refreshes().await, 1);
    // And the server indeed refuses it: restoring with it would have ended the session.
    let replay = h.client().refresh(&auth.tokens.refresh_token).await;
    assert!(
        matches!(replay, Err(Error::Unauthorized { status: 401, .. })),
        "{replay:?}"
    );
}
