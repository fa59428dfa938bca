//! Operations end to end: validation, the userOpHash challenge, the status lifecycle on the
//! clock, ledger effects, and the recovery timeline.

mod common;

use common::{assert_shape, example, safe_on, start, token, ORIGIN};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CHAIN: u64 = 421_614;
const USDC: &str = "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d";

fn usdc_balance(balances: &Value, safe: &str) -> String {
    balances["crypto"][CHAIN.to_string()][safe]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["symbol"] == "USDC")
        .map(|t| t["balance"].as_str().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn transfer_moves_through_the_lifecycle_and_the_ledger() {
    let h = start().await;
    let (authenticator, auth) = h.passkey_user().await;
    let (_, receiver_auth) = h.passkey_user().await;
    let token = token(&auth);
    let safe = safe_on(&auth, CHAIN);
    let receiver = safe_on(&receiver_auth, CHAIN);

    let (_, balances) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    assert_shape(
        &balances,
        &example("users-me-balances-get-response.aggregated.json"),
        "balances",
    );
    let before: u128 = usdc_balance(&balances, &safe)
        .replace('.', "")
        .parse()
        .unwrap();

    let transfer = json!([{ "type": "TRANSFER_TOKEN", "tokenAddress": USDC, "to": receiver, "amount": "1.5", "decimals": 6 }]);
    let (status, prepared) = h
        .post(
            "/v1.2/safes/operations",
            Some(&token),
            json!({ "safeAddress": safe, "chainId": CHAIN, "operations": transfer }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{prepared}");
    assert_shape(
        &prepared,
        &example("safes-operations-post-response.transfer-token.json"),
        "prepare",
    );
    let hash = prepared["data"]["userOpHash"].as_str().unwrap().to_owned();
    // challenge = base64url(userOpHash bytes)
    let challenge = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        prepared["credentialRequestOptions"]["challenge"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        format!(
            "0x{}",
            challenge
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
        hash
    );

    let status_path = format!("/v1.2/safes/operations/{hash}/status");
    let (_, created) = h.get(&status_path, Some(&token)).await;
    assert_eq!(created["status"], "CREATED");

    let mut tampered = authenticator.get(&prepared, ORIGIN).unwrap();
    tampered["response"]["authenticatorData"] = json!("AAAA");
    let (status, _) = h
        .put(
            "/v1.2/safes/operations",
            Some(&token),
            json!({ "credential": tampered }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let assertion = authenticator.get(&prepared, ORIGIN).unwrap();
    let (status, executed) = h
        .put(
            "/v1.2/safes/operations",
            Some(&token),
            json!({ "credential": assertion }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{executed}");
    assert_shape(
        &executed,
        &example("safes-operations-put-response.enable-recovery.json"),
        "execute",
    );
    let (status, _) = h
        .put(
            "/v1.2/safes/operations",
            Some(&token),
            json!({ "credential": assertion }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an operation assertion is single-use"
    );

    let (_, signed) = h.get(&status_path, Some(&token)).await;
    assert_eq!(signed["status"], "SIGNED");
    h.advance(3).await;
    let (_, done) = h.get(&status_path, Some(&token)).await;
    assert_eq!(done["status"], "EXECUTED");
    assert_shape(
        &done,
        &example("mirror/safes-operations-status-get-response.json"),
        "status",
    );
    h.advance(10).await;
    let (_, done) = h.get(&status_path, Some(&token)).await;
    assert_eq!(done["status"], "CONFIRMED");

    let (_, balances) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let after: u128 = usdc_balance(&balances, &safe)
        .replace('.', "")
        .parse()
        .unwrap();
    assert_eq!(
        before - after,
        15,
        "1.5 USDC left (balances print with one decimal here)"
    );
    let (_, receiver_balances) = h
        .get(
            "/v1.2/users/me/balances",
            Some(receiver_auth["access_token"].as_str().unwrap()),
        )
        .await;
    assert!(receiver_balances["crypto"][CHAIN.to_string()][&receiver].is_object());

    let (_, history) = h
        .get(
            &format!("/v1.2/users/me/transactions?blockchainId={CHAIN}&direction=OUT"),
            Some(&token),
        )
        .await;
    let rows = &history["crypto"]["transactions"][CHAIN.to_string()]["data"];
    assert_eq!(rows[0]["transactionHash"], done["transactionHash"]);
    assert_eq!(rows[0]["value"], "1500000");
    assert_shape(
        &history,
        &example("users-me-transactions-get-response.aggregated.json"),
        "transactions",
    );
}

#[tokio::test]
async fn prepare_validates_each_operation() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let token = token(&auth);
    let safe = &safe_on(&auth, CHAIN);
    let prepare = |operations: Value, safe: &str| {
        let body = json!({ "safeAddress": safe, "chainId": CHAIN, "operations": operations });
        let token = token.clone();
        let h = &h;
        async move { h.post("/v1.2/safes/operations", Some(&token), body).await }
    };
    let other = "0x1111111111111111111111111111111111111111";
    let cases = [
        (
            json!([{ "type": "TRANSFER_TOKEN", "tokenAddress": USDC, "to": other, "amount": "1000000" }]),
            StatusCode::BAD_REQUEST,
            "insufficient",
        ),
        (
            json!([{ "type": "TRANSFER_TOKEN", "tokenAddress": other, "to": other, "amount": "1" }]),
            StatusCode::BAD_REQUEST,
            "unknown",
        ),
        (
            json!([{ "type": "TRANSFER_TOKEN", "tokenAddress": USDC, "to": "0x12", "amount": "1" }]),
            StatusCode::BAD_REQUEST,
            "to",
        ),
        (
            json!([{ "type": "ENABLE_RECOVERY", "firstName": "Jane" }]),
            StatusCode::BAD_REQUEST,
            "lastName",
        ),
        (
            json!([{ "type": "CANCEL_RECOVERY" }]),
            StatusCode::BAD_REQUEST,
            "not enabled",
        ),
        (
            json!([{ "type": "CHANGE_THRESHOLD", "threshold": 2 }]),
            StatusCode::BAD_REQUEST,
            "threshold",
        ),
        (
            json!([{ "type": "SWAP_FROM_QUOTE", "quoteId": "nope" }]),
            StatusCode::BAD_REQUEST,
            "quoteId",
        ),
        (
            json!([{ "type": "AAVE_SUPPLY", "amount": "1", "assetTicker": "USDC", "tokenAddress": USDC }]),
            StatusCode::BAD_REQUEST,
            "exactly one",
        ),
        (json!([]), StatusCode::BAD_REQUEST, "operations"),
    ];
    for (operations, status, needle) in cases {
        let (got, body) = prepare(operations.clone(), safe).await;
        assert_eq!(got, status, "{operations}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{operations}: {body}"
        );
    }
    let (status, body) = prepare(json!([{ "type": "SIGN_MESSAGE", "message": "hi" }]), other).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown safe address"))
    );
    // Bitcoin sends spend the signer's derived (and funded) testnet address.
    let (_, wallets) = h
        .get("/v1.2/users/me/address?includeDerived=true", Some(&token))
        .await;
    let btc = wallets["wallets"][0]["derived"]["global"]["eoaAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "BITCOIN_P2WPKH_TESTNET")
        .unwrap()["address"]
        .clone();
    let (status, body) = prepare(
        json!([{ "type": "BITCOIN_SEND", "from": "tb1qa", "to": "tb1qb", "amountSat": 50000 }]),
        safe,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not an address: {body}");
    for ok in [
        json!([{ "type": "SIGN_MESSAGE", "message": "Hello, world!" }]),
        json!([{ "type": "ADD_OWNER", "owner": other, "threshold": 2 }]),
        json!([{ "type": "AAVE_SUPPLY", "amount": "1", "assetTicker": "USDC" }]),
        json!([{ "type": "BITCOIN_SEND", "from": btc, "to": btc, "amountSat": 10000, "network": "testnet" }]),
    ] {
        let (status, body) = prepare(ok.clone(), safe).await;
        assert_eq!(status, StatusCode::OK, "{ok}: {body}");
    }
}

#[tokio::test]
async fn swap_quote_executes_before_valid_to_only() {
    let h = start().await;
    let (authenticator, auth) = h.passkey_user().await;
    let token = token(&auth);
    let safe = safe_on(&auth, CHAIN);
    let eure = "0x0c0a4f4c0d1fd81a0f4e8b1f3c8c0e4d2b1a9e71";
    let (status, quote) = h.get(&format!("/v1.2/safes/swap/quote?sellTokenAddress={USDC}&buyTokenAddress={eure}&amount=10&chainId={CHAIN}"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_shape(&quote, &example("swap-quote-get-response.json"), "quote");
    let swap = json!([{ "type": "SWAP_FROM_QUOTE", "quoteId": quote["quoteId"], "slippage": 0.5 }]);
    let hash = h
        .run_operation(&authenticator, &token, &safe, CHAIN, swap.clone())
        .await;
    h.advance(3).await;
    let (_, status) = h
        .get(
            &format!("/v1.2/safes/operations/{hash}/status"),
            Some(&token),
        )
        .await;
    assert_eq!(status["status"], "EXECUTED");
    let (_, expired) = h.get(&format!("/v1.2/safes/swap/quote?sellTokenAddress={USDC}&buyTokenAddress={eure}&amount=1&chainId={CHAIN}"), Some(&token)).await;
    h.advance(301).await;
    let (status, _) = h.post("/v1.2/safes/operations", Some(&token), json!({ "safeAddress": safe, "chainId": CHAIN, "operations": [{ "type": "SWAP_FROM_QUOTE", "quoteId": expired["quoteId"] }] })).await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn recovery_timeline_on_an_accelerated_clock() {
    let h = common::start_with(ibex_sandbox::SandboxConfig {
        time_scale: 60.0,
        ..Default::default()
    })
    .await;
    let (authenticator, auth) = h.passkey_sign_up().await;
    let token = token(&auth);
    let safe = safe_on(&auth, CHAIN);
    // 60×: 60 s challenges last 1 s of wall time; 100 ms is 6 simulated seconds.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await; // the Safe is registered
    let path = format!("/v1.2/recovery/status/{safe}");
    let (_, status) = h.get(&path, Some(&token)).await;
    assert_shape(
        &status,
        &example("mirror/recovery-status-get-response.v1.2.json"),
        "recovery",
    );
    assert_eq!(status["recoveryEnabled"], false);

    let enable =
        example("safes-operations-post-request.enable-recovery.json")["operations"].clone();
    h.run_operation(&authenticator, &token, &safe, CHAIN, enable.clone())
        .await;
    let (_, pending) = h.get(&path, Some(&token)).await;
    // At 60× the 2 s to execution pass in 33 ms: it is pending or executed.
    let listed = pending["pending"].as_array().unwrap().len()
        + pending["executed"].as_array().unwrap().len();
    assert_eq!(listed, 1, "{pending}");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await; // > 2 simulated seconds
    let (_, enabled) = h
        .get(&format!("/v1.1/recovery/status/{safe}"), Some(&token))
        .await;
    assert_shape(
        &enabled,
        &example("recovery-status-get-response.v1.1.json"),
        "recovery v1.1",
    );
    assert_eq!(
        (enabled["recoveryEnabled"].clone(), enabled["delay"].clone()),
        (json!(true), json!(86400))
    );
    let (status, body) = h
        .post(
            "/v1.2/safes/operations",
            Some(&token),
            json!({ "safeAddress": safe, "chainId": CHAIN, "operations": enable }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, address) = h.get("/v1.2/users/me/address", Some(&token)).await;
    let chains = address["wallets"][0]["chains"].as_array().unwrap();
    assert!(chains
        .iter()
        .any(|c| c["modules"]["recovery"]["enabled"] == true));

    let (_, started) = h
        .post(
            "/__sandbox/recovery/start",
            None,
            json!({ "safeAddress": safe }),
        )
        .await;
    assert_eq!(
        (
            started["pendingRecovery"].clone(),
            started["canExecute"].clone()
        ),
        (json!(true), json!(false))
    );
    let deadline = time::OffsetDateTime::parse(
        started["executeAfter"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    // A day at 60× is 24 min; jump most of it instead of waiting (and refresh the 1 h token).
    h.advance(85_000).await;
    let (_, renewed) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": auth["refresh_token"] }),
        )
        .await;
    let token = common::token(&renewed);
    let (_, before) = h.get(&path, Some(&token)).await;
    assert_eq!(before["canExecute"], false, "{before}");
    h.advance(1_500).await;
    let (_, after) = h.get(&path, Some(&token)).await;
    assert_eq!(after["canExecute"], true, "{after} (deadline {deadline})");

    let cancel =
        example("safes-operations-post-request.cancel-recovery.json")["operations"].clone();
    h.run_operation(&authenticator, &token, &safe, CHAIN, cancel)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let (_, cancelled) = h.get(&path, Some(&token)).await;
    // `cancelRecovery()` ends the pending recovery; the module stays enabled.
    assert_eq!(
        (
            cancelled["pendingRecovery"].clone(),
            cancelled["recoveryEnabled"].clone()
        ),
        (json!(false), json!(true)),
        "{cancelled}"
    );
    assert_eq!(cancelled["executed"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_operation_that_no_longer_fits_fails_at_execution() {
    let h = start().await;
    let (authenticator, auth) = h.passkey_user().await;
    let token = token(&auth);
    let safe = safe_on(&auth, CHAIN);
    let (_, balances) = h
        .get(
            &format!("/v1.2/users/me/balances?blockchainId={CHAIN}"),
            Some(&token),
        )
        .await;
    let whole: u128 = usdc_balance(&balances, &safe)
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let spend = json!([{ "type": "TRANSFER_TOKEN", "tokenAddress": USDC, "to": "0x1111111111111111111111111111111111111111", "amount": (whole * 2 / 3).to_string() }]);
    // Both intents fit on their own, so both are prepared; once the first is signed the second
    // would no longer be accepted, but it was prepared before and is signed afterwards.
    let prepare = |ops: Value| {
        let body = json!({ "safeAddress": safe, "chainId": CHAIN, "operations": ops });
        let (h, token) = (&h, token.clone());
        async move { h.post("/v1.2/safes/operations", Some(&token), body).await.1 }
    };
    let first = prepare(spend.clone()).await;
    let second = prepare(spend.clone()).await;
    assert_ne!(
        first["data"]["userOpHash"], second["data"]["userOpHash"],
        "distinct nonces, distinct hashes"
    );
    for prepared in [&first, &second] {
        let assertion = authenticator.get(prepared, ORIGIN).unwrap();
        let (status, body) = h
            .put(
                "/v1.2/safes/operations",
                Some(&token),
                json!({ "credential": assertion }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, third) = h
        .post(
            "/v1.2/safes/operations",
            Some(&token),
            json!({ "safeAddress": safe, "chainId": CHAIN, "operations": spend }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "signed-but-pending spends count at prepare: {third}"
    );
    h.advance(3).await;
    let status_of = |v: &Value| {
        format!(
            "/v1.2/safes/operations/{}/status",
            v["data"]["userOpHash"].as_str().unwrap()
        )
    };
    let (_, a) = h.get(&status_of(&first), Some(&token)).await;
    let (_, b) = h.get(&status_of(&second), Some(&token)).await;
    assert_eq!(a["status"], "EXECUTED");
    assert_eq!(
        (b["status"].as_str(), b["error"].as_str()),
        (Some("FAILED"), Some("insufficient balance"))
    );
}
