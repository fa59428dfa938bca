//! The documented retry rules against the sandbox's fault injection.

use std::time::{Duration, Instant};

use ibex::models::operations::{Operation, PrepareRequest};
use ibex::Error;
use serde_json::json;

use crate::harness::Harness;

#[tokio::test]
async fn a_wallet_not_ready_is_retried_then_reported() {
    let h = Harness::start().await;
    h.faults(json!({ "notReadySeconds": 3600 })).await;
    let (session, _, _) = h.session().await;
    let err = session.address(false).await.unwrap_err();
    assert!(matches!(err, Error::NotReady { .. }), "{err:?}");
    // The first answer plus the configured retries (5), then it gives up.
    assert_eq!(h.route_hits("GET /v1.2/users/me/address").await, 6);
}

#[tokio::test]
async fn not_indexed_reads_are_retried_once() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    h.faults(json!({ "notIndexedReads": 1 })).await;
    session.balances(&Default::default()).await.unwrap();
    assert_eq!(h.route_hits("GET /v1.2/users/me/balances").await, 2);

    h.faults(json!({ "notIndexedReads": 10 })).await;
    let err = session.transactions(&Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::NotIndexed { .. }), "{err:?}");
    assert_eq!(h.route_hits("GET /v1.2/users/me/transactions").await, 2);
}

#[tokio::test]
async fn rate_limits_honour_retry_after_on_reads_and_never_repeat_writes() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    h.faults(json!({ "rateLimit": { "requests": 1, "retryAfterSeconds": 1 } }))
        .await;
    session.signers().await.unwrap();
    let started = Instant::now();
    session.signers().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(h.route_hits("GET /v1.2/users/me/signers").await, 3);

    let safe = *auth.safe_address.unwrap().values().next().unwrap();
    let body = PrepareRequest::new(
        safe,
        vec![Operation::SignMessage {
            message: "hi".into(),
        }],
    );
    let err = session.prepare(&body).await.unwrap_err();
    match err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(1)))
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(h.route_hits("POST /v1.2/safes/operations").await, 1);
}

#[tokio::test]
async fn server_errors_back_off_on_reads_only() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    h.faults(json!({ "serverErrorRate": 1.0 })).await;
    let err = session.signers().await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 500, .. }), "{err:?}");
    assert_eq!(h.route_hits("GET /v1.2/users/me/signers").await, 4);

    let safe = *auth.safe_address.unwrap().values().next().unwrap();
    let body = PrepareRequest::new(safe, vec![Operation::CancelRecovery]);
    let err = session.prepare(&body).await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 500, .. }), "{err:?}");
    assert_eq!(h.route_hits("POST /v1.2/safes/operations").await, 1);

    h.clear_faults().await;
    session.signers().await.unwrap();
}
