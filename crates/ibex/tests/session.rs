//! Session rules over real loopback HTTP against a minimal token-rotating stub: single-flight
//! refresh under a storm, one refresh + one replay on 401, clean end on a rejected refresh token,
//! a failing secret store, and the documented retries.

mod stub;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use ibex::models::auth::AuthTokens;
use ibex::{
    Client, Config, EndReason, Error, MemoryStore, RetryPolicy, Secret, SecretStore, Session,
    SessionConfig, SessionState, StoreError,
};

fn client(url: &str) -> Client {
    let mut config = Config::new(url, "localhost").unwrap();
    config.retry = RetryPolicy::fast();
    Client::new(config).unwrap()
}

fn tokens(v: serde_json::Value) -> AuthTokens {
    serde_json::from_value(v).unwrap()
}

async fn session_with(store: Arc<dyn SecretStore>) -> (Arc<stub::Stub>, Session) {
    let (stub, url) = stub::start().await;
    let issued = tokens(stub.issue());
    let session = Session::start(client(&url), store, &issued, SessionConfig::default())
        .await
        .unwrap();
    (stub, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_callers_across_an_expiry_cause_one_refresh() {
    let store = Arc::new(MemoryStore::new());
    let (stub, session) = session_with(store.clone()).await;
    *stub.latency.lock().unwrap() = Duration::from_millis(20);
    let mut tasks = Vec::new();
    for i in 0..1000 {
        let session = session.clone();
        let stub = stub.clone();
        tasks.push(tokio::spawn(async move {
            if i == 500 {
                stub.expire_access_tokens();
            }
            session.signers().await
        }));
    }
    let mut failures = 0;
    for t in tasks {
        if t.await.unwrap().is_err() {
            failures += 1;
        }
    }
    assert_eq!(failures, 0);
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 1);
    // The stored token is the rotated one, which the stub still accepts.
    let stored = store.load().unwrap().unwrap();
    assert!(
        stored.expose().starts_with("refresh-1"),
        "{}",
        stored.expose()
    );
    assert_eq!(session.state(), SessionState::Active);
}

#[tokio::test]
async fn a_401_refreshes_once_and_replays_once() {
    let (stub, session) = session_with(Arc::new(MemoryStore::new())).await;
    stub.expire_access_tokens();
    session.signers().await.unwrap();
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 1);
    assert_eq!(stub.hits("signers"), 2);
}

#[tokio::test]
async fn a_rejected_refresh_token_ends_the_session_once() {
    let (stub, url) = stub::start().await;
    let consumed = tokens(serde_json::json!({
        "access_token": "not-valid", "refresh_token": "already-used", "expires_in": 3600
    }));
    let store = Arc::new(MemoryStore::new());
    let session = Session::start(
        client(&url),
        store.clone(),
        &consumed,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    let mut events = session.subscribe();
    let err = session.signers().await.unwrap_err();
    assert!(matches!(err, Error::SessionExpired(_)), "{err:?}");
    events.changed().await.unwrap();
    assert_eq!(
        *events.borrow(),
        SessionState::Ended(EndReason::RefreshRejected)
    );
    // No loop: later calls fail fast without another refresh or request.
    let again = session.signers().await.unwrap_err();
    assert!(matches!(again, Error::SessionExpired(_)));
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 1);
    assert_eq!(stub.hits("signers"), 1);
    assert!(store.load().unwrap().is_none());
}

/// Accepts the first save (sign-in) and fails every later one, like a keychain that went away.
#[derive(Default)]
struct FlakyStore {
    inner: MemoryStore,
    saves: std::sync::atomic::AtomicU32,
}

impl SecretStore for FlakyStore {
    fn load(&self) -> Result<Option<Secret>, StoreError> {
        self.inner.load()
    }
    fn save(&self, token: &Secret) -> Result<(), StoreError> {
        if self.saves.fetch_add(1, Ordering::SeqCst) == 0 {
            self.inner.save(token)
        } else {
            Err(StoreError("keychain locked".into()))
        }
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear()
    }
}

#[tokio::test]
async fn a_store_failure_after_rotation_is_reported_and_the_consumed_token_never_reused() {
    let store = Arc::new(FlakyStore::default());
    let (stub, session) = session_with(store.clone()).await;
    stub.expire_access_tokens();
    let err = session.signers().await.unwrap_err();
    match &err {
        Error::SecretStore(msg) => assert!(msg.contains("keychain locked"), "{msg}"),
        other => panic!("expected SecretStore, got {other:?}"),
    }
    assert_eq!(
        session.state(),
        SessionState::Ended(EndReason::StoreFailed("keychain locked".into()))
    );
    // The consumed token is neither kept in the store nor sent again.
    assert!(store.load().unwrap().is_none());
    for _ in 0..3 {
        assert!(matches!(
            session.signers().await,
            Err(Error::SessionExpired(_))
        ));
    }
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn restore_rotates_the_stored_token() {
    let (stub, url) = stub::start().await;
    let store = Arc::new(MemoryStore::new());
    let issued = tokens(stub.issue());
    store.save(&issued.refresh_token).unwrap();
    let session = Session::restore(client(&url), store.clone(), SessionConfig::default())
        .await
        .unwrap();
    session.signers().await.unwrap();
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 1);
    assert_ne!(store.load().unwrap().unwrap(), issued.refresh_token);

    let empty = Arc::new(MemoryStore::new());
    let none = Session::restore(client(&url), empty, SessionConfig::default()).await;
    assert!(matches!(none, Err(Error::SessionExpired(_))));
}

#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let (stub, url) = stub::start().await;
    // A 2 s token: the 300 s margin is capped at half the lifetime, so the refresh is due at 1 s.
    stub.expires_in.store(2, Ordering::SeqCst);
    let issued = tokens(stub.issue());
    let session = Session::start(
        client(&url),
        Arc::new(MemoryStore::new()),
        &issued,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    let refresher = session.spawn_refresher();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 0);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(stub.refresh_calls.load(Ordering::SeqCst), 1);
    session.signers().await.unwrap();
    session.sign_out().await.unwrap();
    assert_eq!(session.state(), SessionState::Ended(EndReason::SignedOut));
    refresher.await.unwrap();
}

#[tokio::test]
async fn documented_retries_apply_and_posts_are_never_repeated() {
    let (stub, session) = session_with(Arc::new(MemoryStore::new())).await;

    stub.script("address", 3);
    let wallets = session.address(false).await.unwrap();
    assert_eq!(wallets.count, 1);
    assert_eq!(stub.hits("address"), 4);

    stub.script("address", 100);
    let not_ready = session.address(false).await.unwrap_err();
    assert!(matches!(not_ready, Error::NotReady { .. }), "{not_ready:?}");

    stub.script("balances", 1);
    session.balances(&Default::default()).await.unwrap();
    stub.script("balances", 2);
    let not_indexed = session.balances(&Default::default()).await.unwrap_err();
    assert!(
        matches!(not_indexed, Error::NotIndexed { .. }),
        "{not_indexed:?}"
    );

    stub.script("chains", 1);
    assert_eq!(session.chains().await.unwrap().len(), 1);
    assert_eq!(stub.hits("chains"), 2);

    stub.script("kyc", 2);
    let kyc = session.kyc_status().await.unwrap();
    assert_eq!(kyc.kyc_level.as_deref(), Some("2"));
    assert_eq!(stub.hits("kyc"), 3);

    let body = ibex::models::operations::PrepareRequest::new(ibex::Address::ZERO, vec![]);
    let err = session.prepare(&body).await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 500, .. }), "{err:?}");
    assert_eq!(stub.hits("prepare"), 1);
}
