//! Fault injection and counters, as client tests use them.

mod common;

use std::time::Instant;

use common::{start, token};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn latency_errors_and_rate_limits() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);

    h.post("/__sandbox/faults", None, json!({ "latencyMs": 150 }))
        .await;
    let started = Instant::now();
    h.get("/v1.2/users/me/signers", Some(&token)).await;
    assert!(started.elapsed().as_millis() >= 150);

    let (status, active) = h
        .post(
            "/__sandbox/faults",
            None,
            json!({ "latencyMs": 0, "serverErrorRate": 1.0 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(active, json!({ "latencyMs": 0, "serverErrorRate": 1.0 }));
    let (status, _) = h.get("/v1.2/users/me/signers", Some(&token)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (status, _) = h.get("/health", None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "test and health routes are never faulted"
    );
    let (status, _) = h
        .post("/__sandbox/faults", None, json!({ "serverErrorRate": 2.0 }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    h.call(reqwest::Method::DELETE, "/__sandbox/faults", None, None)
        .await;
    h.post(
        "/__sandbox/faults",
        None,
        json!({ "rateLimit": { "requests": 2, "retryAfterSeconds": 30 } }),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            h.get("/v1.2/users/me/signers", Some(&token)).await.0,
            StatusCode::OK
        );
    }
    let response = h
        .http
        .get(h.url("/v1.2/users/me/signers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after));
    h.advance(retry_after as i64).await;
    assert_eq!(
        h.get("/v1.2/users/me/signers", Some(&token)).await.0,
        StatusCode::OK,
        "after Retry-After the window resets"
    );

    let (_, counters) = h.get("/__sandbox/counters", None).await;
    assert_eq!(counters["routes"]["GET /v1.2/users/me/signers"], 6);
}

#[tokio::test]
async fn not_indexed_and_not_ready_windows() {
    let h = start().await;
    h.post(
        "/__sandbox/faults",
        None,
        json!({ "notIndexedReads": 2, "notReadySeconds": 10 }),
    )
    .await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);
    let (status, _) = h.get("/v1.2/users/me/address", Some(&token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    h.advance(11).await;
    assert_eq!(
        h.get("/v1.2/users/me/address", Some(&token)).await.0,
        StatusCode::OK
    );

    for _ in 0..2 {
        let (status, body) = h.get("/v1.2/users/me/balances", Some(&token)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    assert_eq!(
        h.get("/v1.2/users/me/balances", Some(&token)).await.0,
        StatusCode::OK
    );
    let (_, faults) = h.get("/__sandbox/faults", None).await;
    assert_eq!(
        faults,
        json!({ "notIndexedReads": 2, "notReadySeconds": 10 })
    );
}

#[tokio::test]
async fn session_endpoint_reuses_a_named_user() {
    let h = start().await;
    let (_, first) = h
        .post(
            "/__sandbox/session",
            None,
            json!({ "externalUserId": "alice" }),
        )
        .await;
    let (_, again) = h
        .post(
            "/__sandbox/session",
            None,
            json!({ "externalUserId": "alice" }),
        )
        .await;
    assert_eq!(first["subject"], "alice");
    assert_eq!(first["safeAddress"], again["safeAddress"]);
    assert_eq!(
        first["safeAddress"].as_object().unwrap().len(),
        3,
        "a Safe on every chain at once"
    );
    let (_, clock) = h.get("/__sandbox/clock", None).await;
    assert_eq!(clock["timeScale"], 1.0);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_world() {
    async fn world(seed: u64) -> (serde_json::Value, serde_json::Value) {
        let h = common::start_with(ibex_sandbox::SandboxConfig {
            seed,
            ..Default::default()
        })
        .await;
        let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
        let (_, balances) = h
            .get(
                "/v1.2/users/me/balances?includePrices=false",
                Some(&token(&session)),
            )
            .await;
        let (_, history) = h
            .get(
                "/v1.2/users/me/transactions?includePrices=false",
                Some(&token(&session)),
            )
            .await;
        (
            json!([
                session["subject"],
                session["safeAddress"],
                balances["crypto"]
            ]),
            history["crypto"]["transactions"].clone(),
        )
    }
    let (a, a_history) = world(7).await;
    let (b, b_history) = world(7).await;
    assert_eq!(a, b);
    assert_eq!(
        a_history["100"]["data"][0]["transactionHash"],
        b_history["100"]["data"][0]["transactionHash"]
    );
    let (c, _) = world(8).await;
    assert_ne!(a, c);
}
