//! The DeFi surface through the typed client against the sandbox: both aggregators' quotes and a
//! swap to CONFIRMED, a cross-chain route, each vault kind in and out, positions and lending.

use std::time::Duration;

use ibex::models::account::Scope;
use ibex::models::operations::{
    HyperliquidData, Operation, OperationStatus, RouteQuoteRequest, SwapQuoteRequest,
};
use ibex::models::ChainId;
use ibex::{Address, Decimal};
use serde_json::json;

use crate::harness::Harness;
use crate::operations::{user, wallet_ready_soon, User};

const BASE: ChainId = ChainId(8453);
const ARB: ChainId = ChainId(421_614);
const GNOSIS: ChainId = ChainId(100);

fn eure_gnosis() -> Address {
    "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430"
        .parse()
        .unwrap()
}

fn usdc_base() -> Address {
    "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
        .parse()
        .unwrap()
}

fn usdc_arb() -> Address {
    "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d"
        .parse()
        .unwrap()
}

fn native() -> Address {
    "0x0000000000000000000000000000000000000000"
        .parse()
        .unwrap()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

async fn deposit(h: &Harness, u: &User, chain: ChainId, token: Address, amount: &str) {
    h.control(
        reqwest::Method::POST,
        "/__sandbox/ledger/transfers",
        Some(json!({ "safeAddress": u.safe.to_string(), "chainId": chain.0, "tokenAddress": token.to_string(), "amount": amount })),
    )
    .await;
}

async fn settle(h: &Harness, u: &User, hash: &str) -> OperationStatus {
    h.advance(8).await;
    u.session
        .wait_for_operation(hash, Duration::from_millis(50), Duration::from_secs(5))
        .await
        .unwrap()
        .status
}

/// Base units `symbol` holds on `chain`.
async fn held(u: &User, chain: ChainId, symbol: &str) -> u128 {
    let balances = u
        .session
        .balances(&Scope {
            chain_id: Some(chain),
            ..Default::default()
        })
        .await
        .unwrap();
    balances
        .crypto
        .get(&chain.to_string())
        .into_iter()
        .flat_map(|w| w.values())
        .flat_map(|w| w.tokens.iter())
        .filter(|t| t.symbol.as_deref() == Some(symbol))
        .map(|t| t.balance.to_base_units(t.decimals.unwrap_or(18)).unwrap())
        .sum()
}

#[tokio::test]
async fn quotes_from_both_aggregators_and_a_swap_to_confirmed() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    h.advance(5).await;
    deposit(&h, &u, BASE, native(), "1").await;
    let request = |provider: Option<&str>| SwapQuoteRequest {
        sell_token_address: native(),
        buy_token_address: usdc_base(),
        amount: dec("0.5"),
        chain_id: Some(BASE),
        safe_address: Some(u.safe),
        provider: provider.map(str::to_owned),
    };
    let both = u.session.swap_quote(&request(None)).await.unwrap();
    let (cow, one) = (&both.comparisons["cowswap"], &both.comparisons["oneinch"]);
    assert_eq!(
        (cow.provider.as_str(), one.provider.as_str()),
        ("COWSWAP", "1INCH")
    );
    assert!(cow.fee_amount.is_some() && one.estimated_gas.is_some());
    assert_eq!(both.best_provider.as_deref(), Some("COWSWAP"));
    assert_eq!(both.sell_token_decimals, Some(18));
    assert_eq!(both.buy_token_decimals, Some(6));
    let one_only = u.session.swap_quote(&request(Some("1INCH"))).await.unwrap();
    assert_eq!(one_only.comparisons.len(), 1);

    let before = held(&u, BASE, "USDC").await;
    let hash = u
        .run_on(
            BASE,
            vec![Operation::SwapFromQuote {
                quote_id: both.quote_id.clone(),
                slippage: Some(dec("1")),
                order_uid: None,
                aggregator: None,
                calldata: None,
                min_out: None,
                deadline: None,
            }],
        )
        .await;
    assert_eq!(settle(&h, &u, &hash).await, OperationStatus::Confirmed);
    let got = held(&u, BASE, "USDC").await - before;
    let promised = both.buy_amount.to_base_units(6).unwrap();
    assert!(got * 100 >= promised * 99, "{got} vs {promised}");
}

#[tokio::test]
async fn a_cross_chain_route_lands_on_the_destination_chain() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    h.advance(5).await;
    deposit(&h, &u, BASE, usdc_base(), "100").await;
    let caps = u.session.route_capabilities(BASE, GNOSIS).await.unwrap();
    assert_eq!(caps.mode, "CROSS_CHAIN_BRIDGE");
    // A test network and a main one are not bridged.
    let caps = u.session.route_capabilities(BASE, ARB).await.unwrap();
    assert_eq!(caps.mode, "UNSUPPORTED");
    let route = u
        .session
        .route_quote(&RouteQuoteRequest {
            source_chain_id: BASE,
            destination_chain_id: GNOSIS,
            sell_token_address: usdc_base(),
            buy_token_address: eure_gnosis(),
            amount: dec("10"),
            safe_address: Some(u.safe),
            provider: None,
        })
        .await
        .unwrap();
    let quoted = route.buy_amount.clone().unwrap().to_base_units(18).unwrap();
    assert!(route.valid_to.is_some());
    let offer = &route.offers()[0];
    assert_eq!(offer.fee_amount, Some(dec("0.03")));
    assert!(offer.estimated_duration_seconds.is_some());
    let before = held(&u, GNOSIS, "EURe").await;
    let hash = u
        .run_on(
            BASE,
            vec![Operation::RouteFromQuote {
                quote_id: route.route_id.clone(),
            }],
        )
        .await;
    assert_eq!(settle(&h, &u, &hash).await, OperationStatus::Confirmed);
    assert_eq!(
        u.session
            .route_status(&route.route_id)
            .await
            .unwrap()
            .status,
        "DEST_PENDING"
    );
    h.advance(21).await;
    let state = u.session.route_status(&route.route_id).await.unwrap();
    assert_eq!(state.status, "DEST_COMPLETED");
    assert_eq!(state.source_user_op_hash.as_deref(), Some(hash.as_str()));
    assert_eq!(held(&u, GNOSIS, "EURe").await - before, quoted);
}

#[tokio::test]
async fn each_vault_kind_takes_a_deposit_shows_it_and_gives_it_back() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    h.advance(5).await;
    deposit(&h, &u, ARB, usdc_arb(), "1000").await;
    deposit(&h, &u, BASE, usdc_base(), "1000").await;
    let morpho = u
        .session
        .vaults(Some("MORPHO"), Some(BASE))
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a Morpho vault on Base");
    let vault_address = morpho.pool_address.unwrap();
    assert!(morpho.apy.is_some() && morpho.tvl.is_some());
    let aave = Operation::AaveSupply {
        amount: dec("100"),
        asset_ticker: Some("USDC".into()),
        token_address: None,
        decimals: None,
        referral_code: None,
        pool_address: None,
    };
    assert_eq!(
        settle(&h, &u, &u.run_on(ARB, vec![aave]).await).await,
        OperationStatus::Confirmed
    );
    let supply = Operation::MorphoSupply {
        amount: dec("200"),
        asset_ticker: Some("USDC".into()),
        token_address: Some(usdc_base()),
        decimals: Some(6),
        vault_address,
    };
    assert_eq!(
        settle(&h, &u, &u.run_on(BASE, vec![supply]).await).await,
        OperationStatus::Confirmed
    );
    let hl = |action: &str, amount: &str| HyperliquidData {
        action: action.into(),
        amount: dec(amount),
        to: None,
    };
    let hash = u
        .run_on(
            ARB,
            vec![Operation::HyperliquidDeposit {
                hyperliquid_data: hl("DEPOSIT", "300"),
            }],
        )
        .await;
    assert_eq!(settle(&h, &u, &hash).await, OperationStatus::Confirmed);
    let hash = u
        .run_on(
            ARB,
            vec![Operation::HyperliquidEnterVault {
                hyperliquid_data: hl("ENTER_VAULT", "300"),
            }],
        )
        .await;
    assert_eq!(settle(&h, &u, &hash).await, OperationStatus::Confirmed);

    let pools = u.session.pools(None).await.unwrap();
    let mut providers: Vec<String> = pools
        .0
        .iter()
        .flat_map(|p| p.pools.iter())
        .filter(|g| !g.items.is_empty())
        .map(|g| g.provider.clone())
        .collect();
    providers.sort();
    assert_eq!(providers, ["AAVE", "HYPERLIQUID", "MORPHO"]);
    let lending = u.session.lending(Some(true), None).await.unwrap();
    assert_eq!(lending.len(), 3, "{lending:?}");
    let morpho_entry = lending
        .iter()
        .find(|e| e.provider.as_deref() == Some("MORPHO"))
        .unwrap();
    assert_eq!(morpho_entry.deposited, Some(dec("200.0")));

    // Out again: Morpho by amount, Hyperliquid vault → account → wallet.
    let withdraw = Operation::MorphoWithdraw {
        asset_ticker: None,
        token_address: None,
        decimals: None,
        vault_address,
        shares: None,
        amount: Some(dec("150")),
    };
    assert_eq!(
        settle(&h, &u, &u.run_on(BASE, vec![withdraw]).await).await,
        OperationStatus::Confirmed
    );
    let hash = u
        .run_on(
            ARB,
            vec![Operation::HyperliquidWithdrawVault {
                hyperliquid_data: hl("WITHDRAW", "100"),
            }],
        )
        .await;
    assert_eq!(settle(&h, &u, &hash).await, OperationStatus::Confirmed);
    let out = HyperliquidData {
        action: "WITHDRAW_WALLET".into(),
        amount: dec("100"),
        to: Some(u.safe),
    };
    let before = held(&u, ARB, "USDC").await;
    let hash = u
        .run_on(
            ARB,
            vec![Operation::HyperliquidWithdraw {
                hyperliquid_data: out,
            }],
        )
        .await;
    assert_eq!(settle(&h, &u, &hash).await, OperationStatus::Confirmed);
    assert_eq!(held(&u, ARB, "USDC").await - before, 100_000_000);
    // What is left of the cost basis: a quarter of the shares, so a hair above 50 (the yield
    // made each share worth a little more than it cost).
    let lending = u.session.lending(Some(true), Some(BASE)).await.unwrap();
    let left = lending[0]
        .deposited
        .as_ref()
        .unwrap()
        .to_base_units(6)
        .unwrap();
    assert!((50_000_000..50_001_000).contains(&left), "{left}");
}
