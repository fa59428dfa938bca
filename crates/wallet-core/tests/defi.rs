//! Swaps and signed messages through the one operation pipeline: quotes from both aggregators
//! side by side with exact minimums, a swap approved and confirmed, an expired quote refused at
//! approval (nothing signed), bad amounts and a server error mid-flow refused with their codes,
//! and a message the Safe signs and then answers for (EIP-1271). Real core, embedded sandbox,
//! software passkey.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use std::str::FromStr;

use ibex::Decimal;
use ibex_wallet_core::earn::{EarnDraft, VaultProvider};
use ibex_wallet_core::message::MessageDraft;
use ibex_wallet_core::operations::{OpStatus, Remainder, Reviewed};
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::route::{RouteAnswer, RouteDraft, RouteRequest, RouteStatus};
use ibex_wallet_core::swap::{Aggregator, SwapDraft, SwapQuotes, SwapRequest};
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::{CoreEvent, ErrorCode};
use serde_json::{json, Value};

const ARB: u32 = 421_614;
const EURE_ARB: &str = "0x0c0a4f4c0d1fd81a0f4e8b1f3c8c0e4d2b1a9e71";
const NATIVE: &str = "0x0000000000000000000000000000000000000000";
const BASE: u32 = 8453;
const GNOSIS: u32 = 100;
const USDC_BASE: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const EURE_GNOSIS: &str = "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430";

async fn sandbox(core: &TestCore, path: &str, body: Value) -> Value {
    let answer = reqwest::Client::new()
        .post(format!("{}{path}", core.sandbox_url().await))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

/// A signed-up wallet holding exactly `eure` more EURe on Arbitrum Sepolia.
async fn wallet_with_eure(eure: &str) -> TestCore {
    wallet_with(ARB, EURE_ARB, eure).await
}

/// A signed-up wallet holding `amount` more of `token` on `chain`.
async fn wallet_with(chain: u32, token: &str, amount: &str) -> TestCore {
    funded(TestCore::new(), chain, token, amount).await
}

/// `core` signed up, its Safe holding `amount` more of `token` on `chain`.
async fn funded(core: TestCore, chain: u32, token: &str, amount: &str) -> TestCore {
    core.sign_up().await;
    let safe = loop {
        let session = core.session_get().await.unwrap();
        let ibex_wallet_core::SessionInfo::SignedIn { account, .. } = session else {
            panic!("not signed in: {session:?}");
        };
        if let Some(w) = account
            .wallets
            .iter()
            .find(|w| w.primary)
            .or(account.wallets.first())
        {
            break w.address.to_checksum();
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    sandbox(
        &core,
        "/__sandbox/ledger/transfers",
        json!({ "safeAddress": safe, "chainId": chain, "tokenAddress": token, "amount": amount }),
    )
    .await;
    // The Safe appears on every chain shortly after sign-up; wait until it holds the token.
    for _ in 0..100 {
        let holdings = core.wallet_holdings().await.unwrap_or_default();
        if holdings.iter().any(|h| {
            h.chain_id == chain && h.token_address.to_checksum().eq_ignore_ascii_case(token)
        }) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    core
}

fn request(amount: &str, aggregators: Vec<Aggregator>) -> SwapRequest {
    SwapRequest {
        chain_id: ARB,
        sell_address: EURE_ARB.to_owned(),
        buy_address: NATIVE.to_owned(),
        amount: amount.to_owned(),
        aggregators,
        slippage: "0.5".to_owned(),
    }
}

async fn eure_balance(core: &TestCore) -> Decimal {
    core.wallet_holdings()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.chain_id == ARB && h.symbol == "EURe")
        .map(|h| h.balance)
        .unwrap()
}

fn units(text: &str, decimals: u8) -> u128 {
    Decimal::from_str(text)
        .unwrap()
        .to_base_units(decimals)
        .unwrap()
}

fn offer(quotes: &SwapQuotes, which: Aggregator) -> &ibex_wallet_core::swap::SwapOffer {
    quotes
        .offers
        .iter()
        .find(|o| o.aggregator == which)
        .unwrap_or_else(|| panic!("no {which:?} offer: {quotes:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_aggregators_quote_side_by_side_and_the_chosen_swap_confirms() {
    let core = wallet_with_eure("100").await;
    let buyable = core.swap_tokens(ARB).await.unwrap();
    assert!(buyable.iter().any(|t| t.symbol == "ETH"), "{buyable:?}");

    let quotes = core
        .swap_quote(request(
            "100",
            vec![Aggregator::CowSwap, Aggregator::OneInch],
        ))
        .await
        .unwrap();
    assert!(quotes.failures.is_empty(), "{:?}", quotes.failures);
    assert_eq!(quotes.offers.len(), 2);
    assert_eq!(
        (quotes.sell.symbol.as_str(), quotes.buy.symbol.as_str()),
        ("EURe", "ETH")
    );
    assert!(quotes.offers[0].best && !quotes.offers[1].best);
    // CoW's 0.5 % fee costs less than 1inch's 0.6 % worse price: CoW is best, first.
    assert_eq!(quotes.offers[0].aggregator, Aggregator::CowSwap);
    let cow = offer(&quotes, Aggregator::CowSwap);
    let one = offer(&quotes, Aggregator::OneInch);
    assert_eq!(cow.fee.as_deref(), Some("0.5"), "CoW's fee, in EURe");
    assert!(one.fee.is_none() && one.estimated_gas.is_some(), "{one:?}");
    assert_ne!(
        cow.quote_id, one.quote_id,
        "each aggregator quotes on its own"
    );
    for o in &quotes.offers {
        // The minimum is the quote less 0.5 %, rounded down, in exact base units.
        let buy = units(&o.buy_amount, 18);
        assert_eq!(
            units(&o.minimum_received, 18),
            buy * 9_950 / 10_000,
            "{o:?}"
        );
        // The rate is per whole EURe: 100 × rate ≈ the amount, to the last unit of the rate.
        assert!(buy - units(&o.rate, 18) * 100 < 100, "{o:?}");
        assert!((290..=300).contains(&o.expires_in_seconds), "{o:?}");
        // Against IBEx's catalog prices, while the market drifts up to ±2 %: within 3 %.
        let impact = o.price_impact.as_deref().unwrap();
        assert!(units(impact.trim_start_matches('-'), 2) < 300, "{o:?}");
    }

    // One aggregator only: one offer.
    let only = core
        .swap_quote(request("100", vec![Aggregator::OneInch]))
        .await
        .unwrap();
    assert_eq!(only.offers.len(), 1);
    assert_eq!(only.offers[0].aggregator, Aggregator::OneInch);

    let before = eure_balance(&core).await;
    let review = core
        .swap_prepare(SwapDraft {
            quote_id: cow.quote_id.clone(),
            slippage: "0.5".into(),
        })
        .await
        .unwrap();
    let Reviewed::Swap(facts) = &review.operation else {
        panic!("not a swap: {:?}", review.operation);
    };
    assert_eq!(facts.aggregator, Aggregator::CowSwap);
    assert_eq!(facts.sell_amount, "100");
    assert_eq!(facts.minimum_received, cow.minimum_received);
    assert_eq!(facts.slippage, "0.5");
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
    core.events
        .wait_for("the swap CONFIRMED", |e| {
            matches!(e, CoreEvent::OperationUpdated { update } if update.status == OpStatus::Confirmed)
        })
        .await;
    let after = eure_balance(&core).await;
    assert_eq!(
        units(before.as_str(), 18) - units(after.as_str(), 18),
        units("100", 18),
        "exactly 100 EURe sold"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_quote_is_never_signed_and_bad_input_is_refused_with_its_code() {
    let core = wallet_with_eure("50").await;
    let held = eure_balance(&core).await;

    // More than held, more decimals than EURe has, a slippage out of bounds: refused first.
    let above = format!("{}1", held.as_str());
    for (amount, slippage, needle) in [
        (above.as_str(), "0.5", "Insufficient balance"),
        ("1.0000000000000000001", "0.5", "at most 18 decimals"),
        ("1", "75", "slippage"),
    ] {
        let mut r = request(amount, vec![Aggregator::CowSwap]);
        r.slippage = slippage.to_owned();
        let e = core.swap_quote(r).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{amount}: {e:?}");
        assert!(e.message.contains(needle), "{amount}: {}", e.message);
    }

    // Reviewed, then the quote's five minutes pass before the passkey is asked.
    let quotes = core
        .swap_quote(request("10", vec![Aggregator::CowSwap]))
        .await
        .unwrap();
    let review = core
        .swap_prepare(SwapDraft {
            quote_id: quotes.offers[0].quote_id.clone(),
            slippage: "1".into(),
        })
        .await
        .unwrap();
    sandbox(&core, "/__sandbox/clock/advance", json!({ "seconds": 300 })).await;
    let e = core
        .operation_approve_native(review.id.clone(), ProviderKind::Soft)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::QuoteExpired, "{e:?}");
    assert!(
        !core
            .events
            .seen(|e| matches!(e, CoreEvent::OperationUpdated { .. })),
        "nothing was signed or submitted"
    );
    // The review is gone; the expired quote cannot be reviewed again either.
    let again = core
        .operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    let stale = core
        .swap_prepare(SwapDraft {
            quote_id: quotes.offers[0].quote_id.clone(),
            slippage: "1".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(stale.code, ErrorCode::QuoteExpired);
    assert_eq!(eure_balance(&core).await, held, "nothing moved");

    // IBEx failing mid-flow: a specific code, and the wallet keeps working after.
    sandbox(
        &core,
        "/__sandbox/faults",
        json!({ "serverErrorRate": 1.0 }),
    )
    .await;
    let e = core
        .swap_quote(request(
            "10",
            vec![Aggregator::CowSwap, Aggregator::OneInch],
        ))
        .await
        .unwrap_err();
    assert!(matches!(e.code, ErrorCode::Server), "{e:?}");
    reqwest::Client::new()
        .delete(format!("{}/__sandbox/faults", core.sandbox_url().await))
        .send()
        .await
        .unwrap();
    let fresh = core
        .swap_quote(request("10", vec![Aggregator::CowSwap]))
        .await
        .unwrap();
    assert_eq!(fresh.offers.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_safe_signs_a_message_exactly_and_answers_for_it() {
    let core = TestCore::new();
    core.sign_up().await;
    let message = "Sign in to example.org\nNonce: 7f3a  (two spaces kept)";
    let before = core.message_verify(ARB, message.to_owned()).await.unwrap();
    assert!(!before.valid, "not signed yet");

    for bad in ["", "   ", "a\u{202E}b"] {
        let e = core
            .message_sign(MessageDraft {
                chain_id: ARB,
                message: bad.to_owned(),
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{bad:?}");
    }
    let too_long = core
        .message_sign(MessageDraft {
            chain_id: ARB,
            message: "x".repeat(4097),
        })
        .await
        .unwrap_err();
    assert!(
        too_long.message.contains("4097 bytes"),
        "{}",
        too_long.message
    );

    let review = core
        .message_sign(MessageDraft {
            chain_id: ARB,
            message: message.to_owned(),
        })
        .await
        .unwrap();
    let Reviewed::SignMessage(facts) = &review.operation else {
        panic!("not a message: {:?}", review.operation);
    };
    assert_eq!(facts.message, message, "shown exactly as signed");
    assert_eq!(facts.hash, before.hash);
    assert_eq!(facts.bytes as usize, message.len());
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
    core.events
        .wait_for("the signature EXECUTED", |e| {
            matches!(e, CoreEvent::OperationUpdated { update } if matches!(update.status, OpStatus::Executed | OpStatus::Confirmed))
        })
        .await;
    let proof = core.message_verify(ARB, message.to_owned()).await.unwrap();
    assert!(proof.valid, "{proof:?}");
    assert_eq!(proof.signature, "0x");
    // Another message (one character off) is not what the Safe signed.
    let other = core
        .message_verify(ARB, message.replace("7f3a", "7f3b"))
        .await
        .unwrap();
    assert!(!other.valid);
}

const USDC_ARB: &str = "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d";
const MORPHO_BASE: &str = "0xBEEF01735c132Ada46AA9aA4c54623cAA92A64CB";

/// Approves `review` with the software passkey and waits for it to be CONFIRMED.
async fn approve_and_confirm(
    core: &TestCore,
    review: ibex_wallet_core::operations::OperationReview,
) {
    core.events.clear();
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
    core.events
        .wait_for("CONFIRMED", |e| {
            matches!(e, CoreEvent::OperationUpdated { update } if update.status == OpStatus::Confirmed)
        })
        .await;
}

fn earn(provider: VaultProvider, chain_id: u32, vault: &str, amount: &str) -> EarnDraft {
    EarnDraft {
        provider,
        chain_id,
        vault_address: vault.to_owned(),
        asset_address: if chain_id == BASE {
            USDC_BASE
        } else {
            USDC_ARB
        }
        .to_owned(),
        amount: amount.to_owned(),
        all: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_vault_kind_deposits_shows_the_position_and_withdraws_exactly() {
    let core = wallet_with_eure("1").await;
    let safe = core
        .session_get()
        .await
        .ok()
        .and_then(|s| match s {
            ibex_wallet_core::SessionInfo::SignedIn { account, .. } => {
                account.wallets.first().map(|w| w.address.to_checksum())
            }
            ibex_wallet_core::SessionInfo::SignedOut { .. } => None,
        })
        .unwrap();
    for (chain, token) in [(ARB, USDC_ARB), (BASE, USDC_BASE)] {
        sandbox(
            &core,
            "/__sandbox/ledger/transfers",
            json!({ "safeAddress": safe, "chainId": chain, "tokenAddress": token, "amount": "1000" }),
        )
        .await;
    }
    let vaults = core.earn_vaults().await.unwrap();
    let find = |provider: VaultProvider, chain: u32, symbol: &str| {
        vaults
            .iter()
            .find(|v| v.provider == provider && v.chain_id == chain && v.asset.symbol == symbol)
            .unwrap_or_else(|| panic!("{provider:?} {symbol} on {chain}: {vaults:?}"))
            .clone()
    };
    let aave = find(VaultProvider::Aave, ARB, "USDC");
    let morpho = find(VaultProvider::Morpho, BASE, "USDC");
    let hlp = find(VaultProvider::Hyperliquid, ARB, "USDC");
    assert_eq!(morpho.address.to_checksum(), MORPHO_BASE);
    for v in [&aave, &morpho, &hlp] {
        assert!(v.apy.is_some() && v.tvl.is_some() && !v.paused, "{v:?}");
        assert!(v.position.is_none(), "nothing deposited yet: {v:?}");
    }

    // Refused before anything is sent: more than held, more decimals than USDC has, nothing
    // to withdraw.
    let aave_at = aave.address.to_checksum();
    for (draft, needle) in [
        (
            earn(VaultProvider::Aave, ARB, &aave_at, "100000"),
            "deposit at most",
        ),
        (
            earn(VaultProvider::Aave, ARB, &aave_at, "1.0000001"),
            "at most 6 decimals",
        ),
    ] {
        let e = core.earn_deposit_prepare(draft).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
        assert!(e.message.contains(needle), "{}", e.message);
    }
    let e = core
        .earn_withdraw_prepare(earn(VaultProvider::Aave, ARB, &aave_at, "1"))
        .await
        .unwrap_err();
    assert!(e.message.contains("nothing in this vault"), "{}", e.message);

    // Aave: deposit, the position, a withdrawal above it refused, then an exact one.
    let review = core
        .earn_deposit_prepare(earn(VaultProvider::Aave, ARB, &aave_at, "100"))
        .await
        .unwrap();
    let Reviewed::VaultDeposit(facts) = &review.operation else {
        panic!("{:?}", review.operation);
    };
    assert_eq!(
        (facts.amount.as_str(), facts.asset.symbol.as_str()),
        ("100", "USDC")
    );
    approve_and_confirm(&core, review).await;
    let e = core
        .earn_withdraw_prepare(earn(VaultProvider::Aave, ARB, &aave_at, "200"))
        .await
        .unwrap_err();
    assert!(e.message.contains("withdraw at most"), "{}", e.message);
    let review = core
        .earn_withdraw_prepare(earn(VaultProvider::Aave, ARB, &aave_at, "40"))
        .await
        .unwrap();
    assert!(matches!(review.operation, Reviewed::VaultWithdraw(_)));
    approve_and_confirm(&core, review).await;

    // Morpho: a whole amount (sent as "5.0", never readable as base units), paused and full
    // vaults refused with their codes.
    let morpho_at = morpho.address.to_checksum();
    let review = core
        .earn_deposit_prepare(earn(VaultProvider::Morpho, BASE, &morpho_at, "5"))
        .await
        .unwrap();
    approve_and_confirm(&core, review).await;
    sandbox(
        &core,
        "/__sandbox/vaults",
        json!({ "vaultAddress": MORPHO_BASE, "paused": true }),
    )
    .await;
    let e = core
        .earn_deposit_prepare(earn(VaultProvider::Morpho, BASE, &morpho_at, "1"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::VaultPaused, "{e:?}");
    sandbox(
        &core,
        "/__sandbox/vaults",
        json!({ "vaultAddress": MORPHO_BASE, "paused": false, "cap": "25000000" }),
    )
    .await;
    let e = core
        .earn_deposit_prepare(earn(VaultProvider::Morpho, BASE, &morpho_at, "1"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::VaultFull, "{e:?}");

    // Hyperliquid: USDC across and into HLP in one operation, then part of it back to the Safe.
    let hlp_at = hlp.address.to_checksum();
    let review = core
        .earn_deposit_prepare(earn(VaultProvider::Hyperliquid, ARB, &hlp_at, "50"))
        .await
        .unwrap();
    approve_and_confirm(&core, review).await;
    let review = core
        .earn_withdraw_prepare(earn(VaultProvider::Hyperliquid, ARB, &hlp_at, "20"))
        .await
        .unwrap();
    approve_and_confirm(&core, review).await;

    let vaults = core.earn_vaults().await.unwrap();
    let position = |address| {
        vaults
            .iter()
            .find(|v| v.address == address && v.asset.symbol == "USDC")
            .and_then(|v| v.position.clone())
            .unwrap_or_else(|| panic!("a position in {address}"))
    };
    assert_eq!(units(&position(morpho.address).deposited, 6), 5_000_000);
    assert_eq!(units(&position(hlp.address).deposited, 6), 30_000_000);
    let aave_now = units(&position(aave.address).current, 6);
    assert!((60_000_000..60_010_000).contains(&aave_now), "{aave_now}");

    let positions = core.positions_list().await.unwrap();
    let row = |provider| {
        positions
            .rows
            .iter()
            .find(|r| r.provider == provider)
            .unwrap_or_else(|| panic!("{provider:?} in {positions:?}"))
    };
    assert!(row(VaultProvider::Aave).in_totals, "IBEx counts aTokens");
    assert!(!row(VaultProvider::Morpho).in_totals && !row(VaultProvider::Hyperliquid).in_totals);
    assert!(row(VaultProvider::Morpho).apy.is_some());
    assert!(row(VaultProvider::Aave).value_eur.is_some());
    // 5 + 30 USDC outside IBEx's totals, at IBEx's 0.8477 € per USDC: 29.67 €.
    assert_eq!(positions.outside_totals_eur, "29.67", "{positions:?}");
}

fn held(holdings: &[ibex_wallet_core::wallet::Holding], chain: u32, symbol: &str) -> u128 {
    holdings
        .iter()
        .filter(|h| h.chain_id == chain && h.symbol == symbol)
        .map(|h| h.balance.to_base_units(h.decimals).unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_is_quoted_reviewed_retried_after_a_failed_approval_and_followed_to_arrival() {
    let core = wallet_with(BASE, USDC_BASE, "50").await;
    let ask = |to: u32, buy: &str, amount: &str| RouteRequest {
        source_chain_id: BASE,
        sell_address: USDC_BASE.to_owned(),
        destination_chain_id: to,
        buy_address: buy.to_owned(),
        amount: amount.to_owned(),
    };
    // The route engine decides: one chain is a swap, a test network is not bridged to Base.
    let same = core.route_quote(ask(BASE, NATIVE, "10")).await.unwrap();
    assert!(matches!(same, RouteAnswer::SameChain), "{same:?}");
    let none = core.route_quote(ask(ARB, EURE_ARB, "10")).await.unwrap();
    assert!(matches!(none, RouteAnswer::Unsupported), "{none:?}");
    // Bad amounts are refused before IBEx is asked.
    for (amount, needle) in [("1.0000001", "at most 6 decimals"), ("500", "Insufficient")] {
        let e = core
            .route_quote(ask(GNOSIS, EURE_GNOSIS, amount))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{amount}: {e:?}");
        assert!(e.message.contains(needle), "{amount}: {}", e.message);
    }

    let RouteAnswer::Bridge { offer } = core
        .route_quote(ask(GNOSIS, EURE_GNOSIS, "10"))
        .await
        .unwrap()
    else {
        panic!("no bridge quoted");
    };
    assert_eq!(offer.sell_amount, "10");
    assert_eq!(offer.sell.symbol, "USDC");
    assert_eq!(offer.buy.symbol, "EURe");
    assert_eq!(offer.fee.as_deref(), Some("0.03"), "0.3 % of 10 USDC");
    assert_eq!(offer.duration_seconds, Some(20));
    assert!(!offer.expiry_assumed);
    assert!((290..=300).contains(&offer.expires_in_seconds), "{offer:?}");
    let quoted = units(&offer.buy_amount, 18);
    assert!(quoted > 0);

    let review = core
        .route_prepare(RouteDraft {
            route_id: offer.route_id.clone(),
        })
        .await
        .unwrap();
    let Reviewed::Route(facts) = &review.operation else {
        panic!("not a route review: {:?}", review.operation);
    };
    assert_eq!(
        (facts.source_chain_id, facts.destination_chain_id),
        (BASE, GNOSIS)
    );
    assert_eq!(facts.buy_amount, offer.buy_amount);
    assert_eq!(review.signing.chain_id.0, u64::from(BASE));
    let before = core.wallet_holdings().await.unwrap();

    // IBEx fails while taking the approval: a specific code, nothing submitted, and the same
    // review approves on the retry.
    sandbox(&core, "/__sandbox/faults", json!({ "failExecutions": 1 })).await;
    core.events.clear();
    let e = core
        .operation_approve_native(review.id.clone(), ProviderKind::Soft)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Server, "{e:?}");
    assert!(e.message.contains("Approve again"), "{}", e.message);
    assert!(
        !core
            .events
            .seen(|e| matches!(e, CoreEvent::OperationUpdated { .. })),
        "nothing was submitted"
    );
    assert_eq!(
        held(&core.wallet_holdings().await.unwrap(), BASE, "USDC"),
        held(&before, BASE, "USDC"),
        "nothing moved"
    );
    approve_and_confirm(&core, review).await;

    // The source leg is confirmed; the bridge delivers 20 s later on IBEx's clock.
    sandbox(&core, "/__sandbox/clock/advance", json!({ "seconds": 25 })).await;
    let arrival = arrival_of(&core, &offer.route_id).await;
    let after = core.wallet_holdings().await.unwrap();
    assert_eq!(
        held(&after, GNOSIS, "EURe") - held(&before, GNOSIS, "EURe"),
        quoted,
        "what arrived is what was quoted"
    );
    // The arrival says what the history shows was credited, compared with the quote.
    assert_eq!(arrival.amount, offer.buy_amount, "{arrival:?}");
    assert_eq!(arrival.shortfall, None);
    assert!(arrival.tx_hash.is_some());
    let flights = core.route_flights().await.unwrap();
    assert_eq!(flights.len(), 1, "{flights:?}");
    assert_eq!(flights[0].status, RouteStatus::DestCompleted);
    assert_eq!(flights[0].arrival.as_ref(), Some(&arrival));
    assert_eq!(flights[0].quoted, offer.buy_amount);
    assert_eq!(
        held(&before, BASE, "USDC") - held(&after, BASE, "USDC"),
        10_000_000
    );
    // A route is used once: its quote cannot be reviewed again.
    let used = core
        .route_prepare(RouteDraft {
            route_id: offer.route_id,
        })
        .await
        .unwrap_err();
    assert_eq!(used.code, ErrorCode::QuoteExpired, "{used:?}");
}

/// What the route's arrival announced (waits for it).
async fn arrival_of(core: &TestCore, route_id: &str) -> ibex_wallet_core::route::flight::Arrival {
    core.events
        .wait_for("the route's arrival", |e| {
            matches!(e, CoreEvent::RouteUpdated { update } if update.status == RouteStatus::DestCompleted && update.route_id == route_id)
        })
        .await;
    core.events
        .all()
        .into_iter()
        .find_map(|e| match e {
            CoreEvent::RouteUpdated { update } if update.route_id == route_id => update.arrival,
            _ => None,
        })
        .expect("the arrival says what was credited")
}

/// A route approved before a restart is followed again after it, and a bridge that delivers
/// less than it quoted is said so, to the unit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_in_flight_is_followed_after_a_restart_and_a_short_arrival_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let first = funded(first, BASE, USDC_BASE, "50").await;
    // This bridge will deliver 1.5 % less than it quotes.
    sandbox(
        &first,
        "/__sandbox/faults",
        json!({ "bridgeShortfallBps": 150 }),
    )
    .await;
    let RouteAnswer::Bridge { offer } = first
        .route_quote(RouteRequest {
            source_chain_id: BASE,
            sell_address: USDC_BASE.to_owned(),
            destination_chain_id: GNOSIS,
            buy_address: EURE_GNOSIS.to_owned(),
            amount: "10".to_owned(),
        })
        .await
        .unwrap()
    else {
        panic!("no bridge quoted");
    };
    let review = first
        .route_prepare(RouteDraft {
            route_id: offer.route_id.clone(),
        })
        .await
        .unwrap();
    approve_and_confirm(&first, review).await;
    let filed = first.route_flights().await.unwrap();
    assert_eq!(filed.len(), 1, "{filed:?}");
    assert_ne!(filed[0].status, RouteStatus::DestCompleted, "{filed:?}");
    assert!(filed[0].arrival.is_none());

    // The app quits with the bridge on its way, and starts again.
    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);
    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    sandbox(
        &second,
        "/__sandbox/clock/advance",
        json!({ "seconds": 25 }),
    )
    .await;
    let arrival = arrival_of(&second, &offer.route_id).await;
    let quoted = units(&offer.buy_amount, 18);
    let delivered = quoted - quoted * 150 / 10_000;
    assert_eq!(units(&arrival.amount, 18), delivered, "{arrival:?}");
    let short = arrival
        .shortfall
        .as_deref()
        .expect("flagged below the quote");
    assert_eq!(units(short, 18), quoted - delivered);
    let flights = second.route_flights().await.unwrap();
    assert_eq!(flights[0].status, RouteStatus::DestCompleted);
    assert_eq!(flights[0].arrival.as_ref(), Some(&arrival), "in Activity");
}

/// The Safe's position in `vault` now (worth, shares), if any.
async fn position_in(
    core: &TestCore,
    vault: ibex::Address,
) -> Option<ibex_wallet_core::earn::VaultPosition> {
    core.earn_vaults()
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.address == vault && v.asset.symbol == "USDC")
        .and_then(|v| v.position)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_all_takes_the_exact_worth_and_says_what_becomes_of_later_interest() {
    let core = wallet_with(BASE, USDC_BASE, "1000").await;
    let vaults = core.earn_vaults().await.unwrap();
    let find = |provider: VaultProvider| {
        vaults
            .iter()
            .find(|v| v.provider == provider && v.chain_id == BASE && v.asset.symbol == "USDC")
            .unwrap_or_else(|| panic!("{provider:?} USDC on Base: {vaults:?}"))
            .clone()
    };
    for provider in [VaultProvider::Aave, VaultProvider::Morpho] {
        let vault = find(provider);
        let at = vault.address.to_checksum();
        let review = core
            .earn_deposit_prepare(earn(provider, BASE, &at, "100"))
            .await
            .unwrap();
        approve_and_confirm(&core, review).await;
        // Half a day of interest (within the session's refresh window).
        sandbox(
            &core,
            "/__sandbox/clock/advance",
            json!({ "seconds": 12 * 3_600 }),
        )
        .await;
        let worth = position_in(&core, vault.address).await.unwrap();
        assert!(units(&worth.current, 6) > 100_000_000, "{worth:?}");

        // "Max": whatever the amount field says, the core takes the exact worth it reads.
        let mut draft = earn(provider, BASE, &at, "ignored");
        draft.all = true;
        let review = core.earn_withdraw_prepare(draft).await.unwrap();
        let Reviewed::VaultWithdraw(facts) = &review.operation else {
            panic!("{:?}", review.operation);
        };
        assert_eq!(facts.amount, worth.current, "{provider:?}");
        // Interest keeps accruing while the review waits for the passkey.
        sandbox(&core, "/__sandbox/clock/advance", json!({ "seconds": 200 })).await;
        let remainder = facts.remainder;
        approve_and_confirm(&core, review).await;
        let left = position_in(&core, vault.address).await;
        match provider {
            // Aave's withdrawal is an amount (IBEx documents no "max"): those 200 s of
            // interest stay in the vault, and the review said so.
            VaultProvider::Aave => {
                assert_eq!(remainder, Some(Remainder::StaysInVault));
                let dust = units(&left.expect("the later interest stays").current, 6);
                assert!((1..1_000).contains(&dust), "{dust}");
            }
            // Morpho's shares are known: every one is redeemed, interest included.
            _ => {
                assert_eq!(remainder, Some(Remainder::Redeemed));
                assert!(left.is_none(), "nothing left: {left:?}");
            }
        }
    }
}
