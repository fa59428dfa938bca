//! Vaults: the Aave, Morpho and Hyperliquid catalog, deposits and withdrawals with share
//! accounting, yield on the clock, positions and lending, paused and full vaults.

mod common;

use common::{safe_on, start, token, units, Harness, ORIGIN};
use reqwest::StatusCode;
use serde_json::{json, Value};

const BASE: u64 = 8453;
const ARB: u64 = 421_614;
const USDC_BASE: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const USDC_ARB: &str = "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d";
const MORPHO_BASE: &str = "0xBEEF01735c132Ada46AA9aA4c54623cAA92A64CB";

async fn run(
    h: &Harness,
    a: &passkey_soft::Authenticator,
    token: &str,
    safe: &str,
    chain: u64,
    ops: Value,
) -> Value {
    let hash = h.run_operation(a, token, safe, chain, ops).await;
    h.advance(3).await;
    h.get(
        &format!("/v1.2/safes/operations/{hash}/status"),
        Some(token),
    )
    .await
    .1
}

async fn prepare(
    h: &Harness,
    token: &str,
    safe: &str,
    chain: u64,
    ops: Value,
) -> (StatusCode, Value) {
    h.post(
        "/v1.2/safes/operations",
        Some(token),
        json!({ "safeAddress": safe, "chainId": chain, "operations": ops }),
    )
    .await
}

/// The position items of `provider` in `/users/me/pools` for `chain`.
async fn positions(h: &Harness, token: &str, chain: u64, provider: &str) -> Vec<Value> {
    let (_, pools) = h.get("/v1.2/users/me/pools", Some(token)).await;
    pools
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["blockchainId"].as_str().and_then(|c| c.parse().ok()) == Some(chain))
        .flat_map(|p| p["pools"].as_array().unwrap().clone())
        .filter(|g| g["provider"] == provider)
        .flat_map(|g| g["items"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn the_catalog_lists_every_provider_with_its_figures() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let token = token(&auth);
    for (chain, provider, name) in [
        (ARB, "AAVE", "Aave USDC"),
        (BASE, "MORPHO", "Steakhouse USDC"),
        (ARB, "HYPERLIQUID", "Hyperliquidity Provider (HLP)"),
    ] {
        let (status, list) = h
            .get(
                &format!("/v1.2/safes/vaults?provider={provider}&blockchainId={chain}"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let vault = list
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {list}"));
        for field in [
            "poolAddress",
            "assetTicker",
            "assetAddress",
            "assetDecimals",
            "apy",
            "tvl",
            "isDefault",
            "supplyToken",
            "metadata",
        ] {
            assert!(!vault[field].is_null(), "{name}.{field}: {vault}");
        }
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["provider"] == provider));
    }
    let (status, _) = h
        .get("/v1.2/safes/vaults?provider=COMPOUND", Some(&token))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Lending lists the same vaults in the mirror's shape; user-scoped, only what is held.
    let (_, lending) = h.get("/v1.2/users/me/lending", Some(&token)).await;
    let providers: Vec<&str> = lending
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["provider"].as_str())
        .collect();
    for p in ["AAVE", "MORPHO", "HYPERLIQUID"] {
        assert!(providers.contains(&p), "{p}");
    }
    let hlp = lending
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["provider"] == "HYPERLIQUID")
        .unwrap();
    assert!(
        hlp["leader"].is_string() && hlp["leaderCommission"].is_number(),
        "{hlp}"
    );
    let (_, scoped) = h
        .get("/v1.2/users/me/lending?userScoped=true", Some(&token))
        .await;
    assert_eq!(scoped, json!([]));
}

#[tokio::test]
async fn aave_deposits_earn_on_the_clock_count_in_totals_and_withdraw_exactly() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    h.deposit(&safe, ARB, USDC_ARB, "1000000").await;
    let (_, before) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let status = run(
        &h,
        &a,
        &token,
        &safe,
        ARB,
        json!([{ "type": "AAVE_SUPPLY", "amount": "100000", "assetTicker": "USDC" }]),
    )
    .await;
    assert_eq!(status["status"], "EXECUTED", "{status}");
    // The aToken is a monitored token (type AAVE): the position stays in the totals.
    let (_, after) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let a_usdc = after["crypto"][ARB.to_string()][&safe]["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["symbol"] == "aUSDC")
        .cloned()
        .expect("aUSDC row");
    assert_eq!(a_usdc["type"], "AAVE");
    let total = |b: &Value| units(b["totals"]["crypto_total_value_eur"].as_str().unwrap(), 2);
    assert!(
        total(&after).abs_diff(total(&before)) <= 1,
        "{} vs {}",
        total(&before),
        total(&after)
    );

    let items = positions(&h, &token, ARB, "AAVE").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["baseBalance"], "100000.0");
    // 40 minutes at 3.10 %: 100 000 × 0.031 × 40 / 525 600 ≈ 0.2359 USDC.
    h.advance(2400).await;
    let items = positions(&h, &token, ARB, "AAVE").await;
    let gain = units(items[0]["gain"].as_str().unwrap(), 6);
    assert!((230_000..=242_000).contains(&gain), "gain {gain}");
    let current = items[0]["currentBalance"].as_str().unwrap().to_owned();

    // More than the position: refused at prepare, with the position in the message.
    let (status, body) = prepare(
        &h,
        &token,
        &safe,
        ARB,
        json!([{ "type": "AAVE_WITHDRAW", "amount": "200000", "assetTicker": "USDC" }]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the position"),
        "{body}"
    );
    // What it was worth a moment ago: only the interest of the seconds since stays (as on
    // Aave, where a withdrawal of an exact amount leaves the interest accrued meanwhile).
    let status = run(
        &h,
        &a,
        &token,
        &safe,
        ARB,
        json!([{ "type": "AAVE_WITHDRAW", "amount": current, "assetTicker": "USDC" }]),
    )
    .await;
    assert_eq!(status["status"], "EXECUTED", "{status}");
    let dust = positions(&h, &token, ARB, "AAVE").await;
    assert!(
        units(dust[0]["currentBalance"].as_str().unwrap(), 6) < 1_000,
        "{dust:?}"
    );
}

#[tokio::test]
async fn morpho_takes_both_amount_forms_and_refuses_paused_or_full_vaults() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    h.deposit(&safe, BASE, USDC_BASE, "10").await;
    // The mirror's example: "1000000" with decimals 6 reads as 1 USDC (gaps.md G21)…
    let example = json!({ "type": "MORPHO_SUPPLY", "amount": "1000000", "assetTicker": "USDC", "tokenAddress": USDC_BASE, "decimals": 6, "vaultAddress": MORPHO_BASE });
    assert_eq!(
        run(&h, &a, &token, &safe, BASE, json!([example])).await["status"],
        "EXECUTED"
    );
    // …and a human amount as every other operation.
    let human = json!({ "type": "MORPHO_SUPPLY", "amount": "2.5", "vaultAddress": MORPHO_BASE });
    assert_eq!(
        run(&h, &a, &token, &safe, BASE, json!([human])).await["status"],
        "EXECUTED"
    );
    let items = positions(&h, &token, BASE, "MORPHO").await;
    assert_eq!(items[0]["baseBalance"], "3.5", "{items:?}");
    assert_eq!(items[0]["method"], "ERC4626_SHARES");
    let (_, lending) = h
        .get("/v1.2/users/me/lending?userScoped=true", Some(&token))
        .await;
    assert_eq!(lending.as_array().unwrap().len(), 1, "{lending}");
    assert_eq!(lending[0]["deposited"], "3.5");

    // Withdraw by shares (half of them).
    let shares = units(items[0]["shares"].as_str().unwrap(), 6) / 2;
    let by_shares = json!({ "type": "MORPHO_WITHDRAW", "vaultAddress": MORPHO_BASE, "assetTicker": "USDC", "decimals": 6, "shares": format!("{}.{:06}", shares / 1_000_000, shares % 1_000_000) });
    assert_eq!(
        run(&h, &a, &token, &safe, BASE, json!([by_shares])).await["status"],
        "EXECUTED"
    );
    assert_eq!(
        positions(&h, &token, BASE, "MORPHO").await[0]["baseBalance"],
        "1.75"
    );

    // Wrong asset, unknown vault.
    for bad in [
        json!({ "type": "MORPHO_SUPPLY", "amount": "1", "assetTicker": "EURe", "vaultAddress": MORPHO_BASE }),
        json!({ "type": "MORPHO_SUPPLY", "amount": "1", "vaultAddress": "0x0000000000000000000000000000000000000001" }),
    ] {
        assert_eq!(
            prepare(&h, &token, &safe, BASE, json!([bad])).await.0,
            StatusCode::BAD_REQUEST
        );
    }
    // Paused, then full: the documented 400 with a code the app can branch on.
    let one = json!([{ "type": "MORPHO_SUPPLY", "amount": "1", "vaultAddress": MORPHO_BASE }]);
    h.post(
        "/__sandbox/vaults",
        None,
        json!({ "vaultAddress": MORPHO_BASE, "paused": true }),
    )
    .await;
    let (status, body) = prepare(&h, &token, &safe, BASE, one.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("VAULT_PAUSED")),
        "{body}"
    );
    let (_, vault) = h
        .post(
            "/__sandbox/vaults",
            None,
            json!({ "vaultAddress": MORPHO_BASE, "paused": false, "cap": "25000000" }),
        )
        .await;
    assert_eq!(vault["metadata"]["supplyCap"], "25000000.0");
    let (status, body) = prepare(&h, &token, &safe, BASE, one).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("VAULT_FULL")),
        "{body}"
    );
}

#[tokio::test]
async fn hyperliquid_moves_usdc_between_wallet_account_and_vault() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    h.deposit(&safe, ARB, USDC_ARB, "1000").await;
    let hl = |kind: &str, action: &str, amount: Value| json!([{ "type": kind, "hyperliquidData": { "action": action, "amount": amount } }]);
    // Amounts are JSON numbers here; their exact text is read.
    assert_eq!(
        run(
            &h,
            &a,
            &token,
            &safe,
            ARB,
            hl("HYPERLIQUID_DEPOSIT", "DEPOSIT", json!(100))
        )
        .await["status"],
        "EXECUTED"
    );
    assert_eq!(
        run(
            &h,
            &a,
            &token,
            &safe,
            ARB,
            hl("HYPERLIQUID_ENTER_VAULT", "ENTER_VAULT", json!(50.25))
        )
        .await["status"],
        "EXECUTED"
    );
    let items = positions(&h, &token, ARB, "HYPERLIQUID").await;
    let account = items
        .iter()
        .find(|i| i["method"] == "ACCOUNT_BALANCE")
        .unwrap();
    assert_eq!(account["currentBalance"], "49.75");
    let vault = items
        .iter()
        .find(|i| i["method"] == "VAULT_EQUITY")
        .unwrap();
    assert_eq!(vault["baseBalance"], "50.25");
    assert_eq!(
        run(
            &h,
            &a,
            &token,
            &safe,
            ARB,
            hl("HYPERLIQUID_WITHDRAW_VAULT", "WITHDRAW", json!(25))
        )
        .await["status"],
        "EXECUTED"
    );
    let out = json!([{ "type": "HYPERLIQUID_WITHDRAW", "hyperliquidData": { "action": "WITHDRAW_WALLET", "to": safe, "amount": 74.75 } }]);
    assert_eq!(
        run(&h, &a, &token, &safe, ARB, out).await["status"],
        "EXECUTED"
    );
    let items = positions(&h, &token, ARB, "HYPERLIQUID").await;
    assert!(
        items.iter().all(|i| i["method"] != "ACCOUNT_BALANCE"),
        "{items:?}"
    );

    // More than the account holds fails at prepare; wrong action, other chain, batches refused.
    assert_eq!(
        prepare(
            &h,
            &token,
            &safe,
            ARB,
            hl("HYPERLIQUID_ENTER_VAULT", "ENTER_VAULT", json!(1))
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        prepare(
            &h,
            &token,
            &safe,
            ARB,
            hl("HYPERLIQUID_DEPOSIT", "WITHDRAW", json!(1))
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        prepare(
            &h,
            &token,
            &safe,
            BASE,
            hl("HYPERLIQUID_DEPOSIT", "DEPOSIT", json!(1))
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    let (status, body) = h
        .post("/v1.2/safes/operations/batch-intent", Some(&token), json!({ "safeAddress": safe, "chainId": ARB, "operations": hl("HYPERLIQUID_DEPOSIT", "DEPOSIT", json!(1)) }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_IMPLEMENTED, Some("NOT_IMPLEMENTED"))
    );
    let _ = ORIGIN;
}
