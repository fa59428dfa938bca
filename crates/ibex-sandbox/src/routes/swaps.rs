//! Swap quotes from CoW Swap and 1inch (docs/api/operations.md §4, docs/api/gaps.md G2) and the unified route
//! engine: capabilities, quotes and status (docs/api/operations.md §5). Prices come from
//! [`crate::market`] at the sandbox clock; quotes live 5 minutes.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::amount;
use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::{self, Token};
use crate::market::{self, Aggregator, Offer};
use crate::routes::extract::{Body, Chain, Fields, Params};
use crate::state::Shared;
use crate::store::{Quote, Route, Safe, Store};
use crate::tokens::Session;
use crate::views;

/// Quotes and routes are valid this long (`validTo` ≈ 5 min).
const QUOTE_TTL_MS: Millis = 300_000;
/// Bridge fee of cross-chain routes.
const BRIDGE_FEE_BPS: u128 = 30;
/// The bridge the sandbox's route engine quotes (IBEx does not name its providers).
const BRIDGE: &str = "LIFI";

fn aggregators(provider: Option<&str>) -> ApiResult<Vec<Aggregator>> {
    match provider.map(str::to_ascii_uppercase).as_deref() {
        None | Some("BOTH") => Ok(vec![Aggregator::CowSwap, Aggregator::OneInch]),
        Some("COWSWAP") => Ok(vec![Aggregator::CowSwap]),
        Some("1INCH") => Ok(vec![Aggregator::OneInch]),
        Some(other) => Err(ApiError::bad_request(format!(
            "provider {other} is not one of COWSWAP, 1INCH, BOTH"
        ))),
    }
}

fn token_on(chain: u64, address: &str, field: &str) -> ApiResult<&'static Token> {
    ledger::token(chain, address)
        .ok_or_else(|| ApiError::bad_request(format!("{field} is unknown on chain {chain}")))
}

fn sell_units(text: &str, sell: &Token) -> ApiResult<u128> {
    amount::parse(text, sell.decimals)
        .filter(|a| *a > 0)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "amount must be a positive decimal string with at most {} decimals",
                sell.decimals
            ))
        })
}

/// The Safe a quote is for: `safeAddress`, else the user's first Safe.
fn quoting_safe<'a>(
    store: &'a Store,
    session: &Session,
    address: Option<&str>,
) -> ApiResult<&'a Safe> {
    match address {
        Some(a) => session.safe(store, a),
        None => views::signer_safes(store, &session.0.sid)
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::bad_request("unknown safe address")),
    }
}

fn offers(
    state: &Shared,
    store: &Store,
    which: &[Aggregator],
    amount: u128,
    sell: &Token,
    buy: &Token,
    now: Millis,
) -> ApiResult<Vec<Offer>> {
    let prices = (
        market::price_eur(state.settings.seed, &store.market, sell, now),
        market::price_eur(state.settings.seed, &store.market, buy, now),
    );
    which
        .iter()
        .map(|a| {
            market::offer(*a, amount, sell, buy, prices)
                .ok_or_else(|| ApiError::bad_request("amount is too large to quote"))
        })
        .collect()
}

/// `GET /v1.2/safes/swap/quote` and `GET /v1.2/safes/quote?from&to`: every asked aggregator's
/// offer at the current market; the top level is the best one's (highest `buyAmount`). The sell
/// balance is checked at quote time.
pub async fn quote(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let chain = match params.get("chainId") {
        Some(_) => params.number("chainId", ledger::DEFAULT_CHAIN)?,
        None => chain.or_default(),
    };
    let sell = token_on(
        chain,
        params.require_any(&["sellTokenAddress", "from"])?,
        "sellTokenAddress",
    )?;
    let buy = token_on(
        chain,
        params.require_any(&["buyTokenAddress", "to"])?,
        "buyTokenAddress",
    )?;
    if sell.address == buy.address {
        return Err(ApiError::bad_request(
            "sellTokenAddress and buyTokenAddress are the same token",
        ));
    }
    let sell_amount = sell_units(params.require("amount")?, sell)?;
    let which = aggregators(params.get("provider"))?;
    let mut store = state.store();
    let safe = quoting_safe(&store, &session, params.get("safeAddress"))?;
    if safe.balance(chain, sell.address) < sell_amount {
        return Err(ApiError::bad_request(format!(
            "insufficient balance: the Safe holds {} {}",
            amount::format(safe.balance(chain, sell.address), sell.decimals),
            sell.symbol
        )));
    }
    let safe_key = safe.address.to_ascii_lowercase();
    let offers = offers(&state, &store, &which, sell_amount, sell, buy, now)?;
    let best = *offers
        .iter()
        .max_by_key(|o| o.buy_amount)
        .expect("at least one aggregator");
    let valid_to = now + QUOTE_TTL_MS;
    let valid_s = valid_to / 1000;
    let id = ids::uuid(&store.new_id("quote"));
    store.quotes.insert(
        id.clone(),
        Quote {
            chain,
            safe: safe_key,
            sell: sell.address.to_ascii_lowercase(),
            buy: buy.address.to_ascii_lowercase(),
            sell_amount,
            buy_amount: best.buy_amount,
            valid_to,
            aggregator: best.aggregator,
        },
    );
    let mut comparisons = Map::new();
    for offer in &offers {
        let buy_text = amount::format(offer.buy_amount, buy.decimals);
        let entry = match offer.aggregator {
            Aggregator::CowSwap => {
                json!({ "provider": "COWSWAP", "buyAmount": buy_text, "feeAmount": amount::format(offer.fee, sell.decimals), "validTo": valid_s })
            }
            Aggregator::OneInch => {
                json!({ "provider": "1INCH", "buyAmount": buy_text, "estimatedGas": "150000" })
            }
        };
        let key = match offer.aggregator {
            Aggregator::CowSwap => "cowswap",
            Aggregator::OneInch => "oneinch",
        };
        comparisons.insert(key.into(), entry);
    }
    Ok(Json(json!({
        "quoteId": id, "sellToken": sell.address, "sellTokenDecimals": sell.decimals,
        "buyToken": buy.address, "buyTokenDecimals": buy.decimals,
        "sellAmount": amount::format(sell_amount, sell.decimals),
        "feeAmount": amount::format(best.fee, sell.decimals),
        "buyAmount": amount::format(best.buy_amount, buy.decimals),
        "validTo": valid_s, "comparisons": comparisons, "bestProvider": best.aggregator.name(),
    })))
}

pub fn mode_of(route: &Route) -> &'static str {
    if route.cross_chain() {
        "CROSS_CHAIN_BRIDGE"
    } else {
        "SAME_CHAIN_SWAP"
    }
}

/// What the route engine can do between two chains: swap on one chain, bridge between two main
/// networks or two test networks; nothing bridges a test network to a main one (it would turn
/// test tokens into real value), nor reaches a chain the engine does not know.
fn capabilities_between(source: u64, destination: u64) -> Value {
    match (ledger::chain(source), ledger::chain(destination)) {
        (Some(_), Some(_)) if source == destination => {
            json!({ "mode": "SAME_CHAIN_SWAP", "providers": ["COWSWAP", "1INCH"] })
        }
        (Some(a), Some(b)) if a.testnet == b.testnet => {
            json!({ "mode": "CROSS_CHAIN_BRIDGE", "providers": [BRIDGE] })
        }
        _ => json!({ "mode": "UNSUPPORTED", "providers": [] }),
    }
}

/// `GET /v1.2/safes/routes/capabilities?sourceChainId=&destinationChainId=`.
pub async fn capabilities(_: Session, params: Params) -> ApiResult<Json<Value>> {
    let source: u64 = params
        .require("sourceChainId")?
        .parse()
        .map_err(|_| ApiError::bad_request("sourceChainId must be a number"))?;
    let destination: u64 = params
        .require("destinationChainId")?
        .parse()
        .map_err(|_| ApiError::bad_request("destinationChainId must be a number"))?;
    Ok(Json(capabilities_between(source, destination)))
}

/// `POST /v1.2/safes/routes/quote`: a same-chain route is the best aggregator swap; a
/// cross-chain one bridges `sellToken` into `buyToken` on the destination chain (market price,
/// a 0.3 % bridge fee). Execute with `ROUTE_FROM_QUOTE {quoteId: routeId}` on the source chain.
pub async fn route_quote(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let number = |field: &str| -> ApiResult<u64> {
        body.get(field)
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .ok_or_else(|| ApiError::bad_request(format!("{field} must be a chain id")))
    };
    let (source, destination) = (number("sourceChainId")?, number("destinationChainId")?);
    let mode = capabilities_between(source, destination);
    if mode["mode"] == "UNSUPPORTED" {
        return Err(ApiError::bad_request(format!(
            "no route from chain {source} to chain {destination}"
        )));
    }
    let sell = token_on(source, body.text("sellTokenAddress")?, "sellTokenAddress")?;
    let buy = token_on(
        destination,
        body.text("buyTokenAddress")?,
        "buyTokenAddress",
    )?;
    let sell_amount = match body.get("amount") {
        Some(Value::Number(n)) => sell_units(&n.to_string(), sell)?,
        _ => sell_units(body.text("amount")?, sell)?,
    };
    let cross = source != destination;
    let which = if cross {
        vec![Aggregator::CowSwap]
    } else {
        aggregators(body.opt_text("provider"))?
    };
    let mut store = state.store();
    let safe = quoting_safe(&store, &session, body.opt_text("safeAddress"))?;
    if safe.balance(source, sell.address) < sell_amount {
        return Err(ApiError::bad_request("insufficient balance"));
    }
    let safe_key = safe.address.to_ascii_lowercase();
    let (provider, buy_amount, candidates) = if cross {
        let prices = (
            market::price_eur(state.settings.seed, &store.market, sell, now),
            market::price_eur(state.settings.seed, &store.market, buy, now),
        );
        let fee = sell_amount * BRIDGE_FEE_BPS / 10_000;
        let out = market::convert(sell_amount - fee, sell, prices.0, buy, prices.1)
            .ok_or_else(|| ApiError::bad_request("amount is too large to quote"))?;
        let candidate = json!({ "provider": BRIDGE, "buyAmount": amount::format(out, buy.decimals), "feeAmount": amount::format(fee, sell.decimals), "estimatedDurationSeconds": 20 });
        (BRIDGE.to_owned(), out, vec![candidate])
    } else {
        let all = offers(&state, &store, &which, sell_amount, sell, buy, now)?;
        let best = *all.iter().max_by_key(|o| o.buy_amount).expect("one");
        let candidates = all
            .iter()
            .map(|o| json!({ "provider": o.aggregator.name(), "buyAmount": amount::format(o.buy_amount, buy.decimals) }))
            .collect();
        (
            best.aggregator.name().to_owned(),
            best.buy_amount,
            candidates,
        )
    };
    let id = ids::uuid(&store.new_id("route"));
    let route = Route {
        safe: safe_key,
        source_chain: source,
        destination_chain: destination,
        sell: sell.address.to_ascii_lowercase(),
        buy: buy.address.to_ascii_lowercase(),
        sell_amount,
        buy_amount,
        provider: provider.clone(),
        valid_to: now + QUOTE_TTL_MS,
        user_op_hash: None,
        delivered_at: None,
        deliver_amount: state
            .faults()
            .config
            .bridge_shortfall_bps
            .filter(|_| cross)
            .and_then(|bps| exact_math::mul_div(buy_amount, 10_000 - u128::from(bps), 10_000)),
    };
    let mode = mode_of(&route);
    store.routes.insert(id.clone(), route);
    Ok(Json(json!({
        "routeId": id, "mode": mode, "provider": provider,
        "sellAmount": amount::format(sell_amount, sell.decimals),
        "buyAmount": amount::format(buy_amount, buy.decimals),
        "validTo": (now + QUOTE_TTL_MS) / 1000, "candidates": candidates,
    })))
}

/// `GET /v1.2/safes/routes/{routeId}/status`.
pub async fn route_status(
    State(state): State<Shared>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let route = store
        .routes
        .get(&id)
        .filter(|r| session.safe(&store, &r.safe).is_ok())
        .ok_or_else(|| ApiError::not_found("unknown routeId"))?;
    Ok(Json(crate::operations::route_status(&store, &id, route)))
}
