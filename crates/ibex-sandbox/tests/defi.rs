//! Swaps and routes: exact quotes from both aggregators, expiry, moving prices, fills and
//! slippage failures on the clock, the cross-chain route engine.

mod common;

use common::{safe_on, start, token, units, Harness};
use reqwest::StatusCode;
use serde_json::{json, Value};

const GNOSIS: u64 = 100;
const BASE: u64 = 8453;
const ARB: u64 = 421_614;
const EURE_GNOSIS: &str = "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430";
const NATIVE: &str = "0x0000000000000000000000000000000000000000";
const USDC_BASE: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const USDC_ARB: &str = "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d";

pub async fn status_of(h: &Harness, token: &str, hash: &str) -> Value {
    h.get(
        &format!("/v1.2/safes/operations/{hash}/status"),
        Some(token),
    )
    .await
    .1
}

fn balance_of(balances: &Value, chain: u64, safe: &str, symbol: &str) -> String {
    balances["crypto"][chain.to_string()][safe]["tokens"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["symbol"] == symbol))
        .map_or("0.0".into(), |t| t["balance"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn eighteen_to_eighteen_decimal_quotes_are_exact_for_large_amounts() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    // One million EURe: the old u128 product (amount × price × 10^18) overflowed here.
    h.deposit(&safe, GNOSIS, EURE_GNOSIS, "1000000").await;
    let (status, quote) = h
        .get(&format!("/v1.2/safes/swap/quote?sellTokenAddress={EURE_GNOSIS}&buyTokenAddress={NATIVE}&amount=1000000&chainId={GNOSIS}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let sell = units("1000000", 18);
    // EURe 1.0000 EUR, xDAI 0.8477 EUR (both pegged): exact floor arithmetic.
    let cow = (sell - sell / 200) * 10_000 / 8_477;
    let one_inch = sell * 10_000 / 8_477 * 9_940 / 10_000;
    assert_eq!(
        units(
            quote["comparisons"]["cowswap"]["buyAmount"]
                .as_str()
                .unwrap(),
            18
        ),
        cow
    );
    assert_eq!(
        units(
            quote["comparisons"]["oneinch"]["buyAmount"]
                .as_str()
                .unwrap(),
            18
        ),
        one_inch
    );
    assert_eq!(quote["feeAmount"], "5000.0");
    // A 0.5 % fee costs less than 0.6 % of price impact.
    assert_eq!(quote["bestProvider"], "COWSWAP", "{quote}");
    assert_eq!(
        units(quote["buyAmount"].as_str().unwrap(), 18),
        cow.max(one_inch)
    );
    assert_eq!(quote["sellTokenDecimals"], 18);
    assert_eq!(quote["buyTokenDecimals"], 18);

    // More than the Safe holds, more decimals than the token has, or nonsense: 400.
    for amount in ["2000000", "0.0000000000000000001", "1e3", "-1"] {
        let (status, body) = h
            .get(&format!("/v1.2/safes/swap/quote?sellTokenAddress={EURE_GNOSIS}&buyTokenAddress={NATIVE}&amount={amount}&chainId={GNOSIS}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{amount}: {body}");
    }
}

#[tokio::test]
async fn each_aggregator_quotes_as_documented_and_prices_move() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    let path = |provider: &str| {
        format!("/v1.2/safes/swap/quote?sellTokenAddress={NATIVE}&buyTokenAddress={USDC_BASE}&amount=0.001&chainId={BASE}&safeAddress={safe}&provider={provider}")
    };
    let (_, cow) = h.get(&path("COWSWAP"), Some(&token)).await;
    assert_eq!(cow["bestProvider"], "COWSWAP");
    assert!(cow["comparisons"].get("oneinch").is_none(), "{cow}");
    assert_eq!(cow["comparisons"]["cowswap"]["feeAmount"], "0.000005");
    let (_, one) = h.get(&path("1INCH"), Some(&token)).await;
    assert_eq!(one["bestProvider"], "1INCH");
    assert_eq!(one["comparisons"]["oneinch"]["estimatedGas"], "150000");
    assert!(one["comparisons"].get("cowswap").is_none());
    let (status, _) = h.get(&path("UNISWAP"), Some(&token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The reference page's `/v1.2/safes/quote?from&to` (gaps.md G2) answers the same.
    let (status, legacy) = h
        .get(
            &format!("/v1.2/safes/quote?from={NATIVE}&to={USDC_BASE}&amount=0.001&chainId={BASE}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{legacy}");
    let (_, clock) = h.get("/__sandbox/clock", None).await;
    let now_s = time_of(&clock["now"]);
    let valid_to = legacy["validTo"].as_i64().unwrap();
    assert!(
        (now_s + 295..=now_s + 301).contains(&valid_to),
        "{valid_to} vs {now_s}"
    );

    // A 10 % fall of ETH moves the next quote by as much.
    let before = units(cow["buyAmount"].as_str().unwrap(), 6);
    let (status, shocked) = h
        .post(
            "/__sandbox/market",
            None,
            json!({ "chainId": BASE, "tokenAddress": NATIVE, "shockBps": -1000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shocked}");
    let (_, after) = h.get(&path("COWSWAP"), Some(&token)).await;
    let after = units(after["buyAmount"].as_str().unwrap(), 6);
    assert!(
        after * 100 > before * 88 && after * 100 < before * 92,
        "{before} → {after}"
    );
}

fn time_of(iso: &Value) -> i64 {
    let text = iso.as_str().unwrap();
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    t.unix_timestamp()
}

async fn eth_quote(h: &Harness, token: &str) -> Value {
    let path = format!("/v1.2/safes/swap/quote?sellTokenAddress={NATIVE}&buyTokenAddress={USDC_BASE}&amount=0.001&chainId={BASE}&provider=COWSWAP");
    h.get(&path, Some(token)).await.1
}

async fn route_state(h: &Harness, token: &str, id: &str) -> Value {
    let path = format!("/v1.2/safes/routes/{id}/status");
    h.get(&path, Some(token)).await.1["status"].clone()
}

#[tokio::test]
async fn a_swap_fills_at_the_market_or_fails_beyond_its_slippage() {
    let h = start().await;
    let (authenticator, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    h.deposit(&safe, BASE, NATIVE, "1").await;
    let (_, before) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let usdc_before = units(&balance_of(&before, BASE, &safe, "USDC"), 6);

    let filled = eth_quote(&h, &token).await;
    let swap =
        json!([{ "type": "SWAP_FROM_QUOTE", "quoteId": filled["quoteId"], "slippage": 0.5 }]);
    let hash = h
        .run_operation(&authenticator, &token, &safe, BASE, swap)
        .await;
    h.advance(3).await;
    let status = status_of(&h, &token, &hash).await;
    assert_eq!(status["status"], "EXECUTED", "{status}");
    let (_, after) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let received = units(&balance_of(&after, BASE, &safe, "USDC"), 6) - usdc_before;
    let promised = units(filled["buyAmount"].as_str().unwrap(), 6);
    assert!(
        received * 1000 >= promised * 995,
        "{received} < min of {promised}"
    );

    // The price falls 3 % between signing and execution: a 0.5 % order cannot fill…
    let failing = eth_quote(&h, &token).await;
    let swap =
        json!([{ "type": "SWAP_FROM_QUOTE", "quoteId": failing["quoteId"], "slippage": "0.5" }]);
    let hash = h
        .run_operation(&authenticator, &token, &safe, BASE, swap)
        .await;
    h.post(
        "/__sandbox/market",
        None,
        json!({ "chainId": BASE, "tokenAddress": NATIVE, "shockBps": -300 }),
    )
    .await;
    h.advance(3).await;
    let status = status_of(&h, &token, &hash).await;
    assert_eq!(status["status"], "FAILED", "{status}");
    assert!(
        status["error"].as_str().unwrap().contains("slippage"),
        "{status}"
    );
    // …and nothing moved.
    let (_, unchanged) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    assert_eq!(
        balance_of(&unchanged, BASE, &safe, "USDC"),
        balance_of(&after, BASE, &safe, "USDC")
    );

    // A 5 % slippage order absorbs the same move.
    h.post(
        "/__sandbox/market",
        None,
        json!({ "chainId": BASE, "tokenAddress": NATIVE, "shockBps": 0 }),
    )
    .await;
    let tolerant = eth_quote(&h, &token).await;
    let swap =
        json!([{ "type": "SWAP_FROM_QUOTE", "quoteId": tolerant["quoteId"], "slippage": 5 }]);
    let hash = h
        .run_operation(&authenticator, &token, &safe, BASE, swap)
        .await;
    h.post(
        "/__sandbox/market",
        None,
        json!({ "chainId": BASE, "tokenAddress": NATIVE, "shockBps": -300 }),
    )
    .await;
    h.advance(3).await;
    assert_eq!(status_of(&h, &token, &hash).await["status"], "EXECUTED");

    // Slippage outside 0–100 % is refused at prepare.
    let bad = eth_quote(&h, &token).await;
    let (status, _) = h
        .post("/v1.2/safes/operations", Some(&token), json!({ "safeAddress": safe, "chainId": BASE, "operations": [{ "type": "SWAP_FROM_QUOTE", "quoteId": bad["quoteId"], "slippage": 150 }] }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cross_chain_routes_bridge_through_their_statuses() {
    let h = start().await;
    let (authenticator, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    for (from, to, mode) in [
        (BASE, BASE, "SAME_CHAIN_SWAP"),
        (BASE, GNOSIS, "CROSS_CHAIN_BRIDGE"),
        (GNOSIS, BASE, "CROSS_CHAIN_BRIDGE"),
        // A test network and a main one: no bridge turns test tokens into real ones.
        (BASE, ARB, "UNSUPPORTED"),
        (ARB, GNOSIS, "UNSUPPORTED"),
        (BASE, 1, "UNSUPPORTED"),
    ] {
        let (_, caps) = h
            .get(
                &format!(
                    "/v1.2/safes/routes/capabilities?sourceChainId={from}&destinationChainId={to}"
                ),
                Some(&token),
            )
            .await;
        assert_eq!(caps["mode"], mode, "{caps}");
    }
    let (status, refused) = h
        .post("/v1.2/safes/routes/quote", Some(&token), json!({ "sourceChainId": BASE, "destinationChainId": ARB, "sellTokenAddress": USDC_BASE, "buyTokenAddress": USDC_ARB, "amount": "5" }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (status, route) = h
        .post("/v1.2/safes/routes/quote", Some(&token), json!({ "sourceChainId": BASE, "destinationChainId": GNOSIS, "sellTokenAddress": USDC_BASE, "buyTokenAddress": EURE_GNOSIS, "amount": "5" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{route}");
    assert_eq!(route["mode"], "CROSS_CHAIN_BRIDGE");
    // The bridge's candidate states its fee (0.3 % of what is sold) and how long it takes.
    assert_eq!(route["candidates"][0]["feeAmount"], "0.015");
    assert!(
        route["candidates"][0]["estimatedDurationSeconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(route["validTo"].as_u64().is_some());
    let quoted = units(route["buyAmount"].as_str().unwrap(), 18);
    assert!(quoted > 0, "{route}");
    let id = route["routeId"].as_str().unwrap().to_owned();
    assert_eq!(route_state(&h, &token, &id).await, "CREATED");
    let (_, before) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let gnosis_before = units(&balance_of(&before, GNOSIS, &safe, "EURe"), 18);

    let (_, prepared) = h
        .post("/v1.2/safes/operations", Some(&token), json!({ "safeAddress": safe, "chainId": BASE, "operations": [{ "type": "ROUTE_FROM_QUOTE", "quoteId": id }] }))
        .await;
    assert_eq!(route_state(&h, &token, &id).await, "SOURCE_PREPARED");
    let assertion = authenticator.get(&prepared, common::ORIGIN).unwrap();
    h.put(
        "/v1.2/safes/operations",
        Some(&token),
        json!({ "credential": assertion }),
    )
    .await;
    assert_eq!(route_state(&h, &token, &id).await, "SOURCE_SUBMITTED");
    h.advance(3).await;
    assert_eq!(route_state(&h, &token, &id).await, "SOURCE_CONFIRMED");
    h.advance(4).await;
    assert_eq!(route_state(&h, &token, &id).await, "DEST_PENDING");
    h.advance(20).await;
    assert_eq!(route_state(&h, &token, &id).await, "DEST_COMPLETED");
    let (_, after) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    // What arrives is what was quoted, to the unit.
    assert_eq!(
        units(&balance_of(&after, GNOSIS, &safe, "EURe"), 18) - gnosis_before,
        quoted
    );

    // A route is used once; an unknown one is refused.
    let (status, _) = h
        .post("/v1.2/safes/operations", Some(&token), json!({ "safeAddress": safe, "chainId": BASE, "operations": [{ "type": "ROUTE_FROM_QUOTE", "quoteId": id }] }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = h.get("/v1.2/safes/routes/nope/status", Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
