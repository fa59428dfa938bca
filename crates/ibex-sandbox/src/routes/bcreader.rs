//! The legacy BCReader (indexer) proxies (docs/api/account.md §16), over the same ledger. Served under
//! `/v1.1/bcreader/…` and `/v1.2/bcreader/…` (docs/api/gaps.md G26). Addresses are the user's Safes.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::amount;
use crate::clock::iso;
use crate::error::{ApiError, ApiResult};
use crate::ledger;
use crate::routes::extract::{Chain, Params};
use crate::state::Shared;
use crate::store::{Safe, Store};
use crate::tokens::Session;
use crate::views::{self, BalanceQuery};

/// The user's Safes named by `address` (comma list), or the first one.
fn watched<'a>(
    store: &'a Store,
    session: &Session,
    address: Option<&str>,
) -> ApiResult<Vec<&'a Safe>> {
    let mine: Vec<&Safe> = store
        .safes
        .values()
        .filter(|s| s.user == session.0.sub)
        .collect();
    match address {
        None => Ok(mine.into_iter().take(1).collect()),
        Some(list) => list
            .split(',')
            .map(|a| {
                mine.iter()
                    .copied()
                    .find(|s| s.address.eq_ignore_ascii_case(a.trim()))
                    .ok_or_else(|| ApiError::not_found(format!("address {a} is not watched")))
            })
            .collect(),
    }
}

/// `GET /v1.1/bcreader/balances` → native balance of one address on one chain.
pub async fn native_balance(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let chain = chain.or_default();
    let store = state.store();
    let safe = watched(&store, &session, params.get("address"))?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("no watched address"))?;
    let native = ledger::token(chain, ledger::NATIVE)
        .ok_or_else(|| ApiError::bad_request("unknown chain"))?;
    Ok(Json(
        json!({ "timestamp": iso(state.now()), "balance": { "address": safe.address, "balance": amount::format(safe.balance(chain, ledger::NATIVE), native.decimals) } }),
    ))
}

/// `GET /v1.{1,2}/bcreader/v1.1/balances`: multi-token, per address; paginated over addresses
/// when both `page` and `limit` are given; one chain with `X-Blockchain-Id`, else every chain.
pub async fn balances(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let chain = chain.0;
    let store = state.store();
    let safes = watched(&store, &session, params.get("address"))?;
    let q = BalanceQuery {
        chain,
        include_zero: params.flag("includeZero", false),
        include_prices: params.flag("includePrices", true),
        books: &store.books,
    };
    let paging = params.get("page").zip(params.get("limit")).map(|(p, l)| {
        (
            p.parse::<usize>().unwrap_or(1).max(1),
            l.parse::<usize>().unwrap_or(10).clamp(1, 100),
        )
    });
    let total = safes.len();
    let shown: Vec<&Safe> = match paging {
        Some((page, limit)) => safes
            .into_iter()
            .skip((page - 1) * limit)
            .take(limit)
            .collect(),
        None => safes,
    };
    let aggregated = views::balances(&shown, &q, now);
    let mut out = json!({ "timestamp": iso(now), "prices_available": q.include_prices });
    match chain {
        Some(chain) => {
            out["blockchainId"] = json!(chain.to_string());
            out["balances"] = aggregated["crypto"]
                .get(chain.to_string())
                .cloned()
                .unwrap_or(json!({}));
        }
        None => out["balances"] = aggregated["crypto"].clone(),
    }
    if let Some((page, limit)) = paging {
        let pages = total.div_ceil(limit);
        out["pagination"] = json!({ "page": page, "limit": limit, "total": total, "totalPages": pages, "hasNext": page < pages, "hasPrevious": page > 1 });
    }
    Ok(Json(out))
}

/// `GET /v1.2/bcreader/v1.1/balances/{address}`: one address, one chain; 404 if not watched.
pub async fn address_balance(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    Path(address): Path<String>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let chain = chain.or_default();
    let store = state.store();
    let safe = watched(&store, &session, Some(&address))?.remove(0);
    let q = BalanceQuery {
        chain: Some(chain),
        include_zero: true,
        include_prices: true,
        books: &store.books,
    };
    let tokens = views::wallet_balances(safe, &q, now)["balance"]["tokens"].clone();
    Ok(Json(
        json!({ "timestamp": iso(now), "blockchainId": chain.to_string(), "balance": { "tokens": tokens } }),
    ))
}

/// `GET /v1.1/bcreader/transactions` for one address on the selected chain.
pub async fn transactions(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let chain = chain.or_default();
    let store = state.store();
    let safe = watched(&store, &session, params.get("address"))?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("no watched address"))?;
    let number = |k: &str, d: usize| {
        params
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
            .max(1)
    };
    let (page, limit) = (number("page", 1), number("limit", 20).min(100));
    let rows: Vec<Value> = safe
        .transfers
        .iter()
        .filter(|t| t.chain == chain)
        .filter(|t| {
            params
                .get("direction")
                .is_none_or(|d| json!(t.direction) == json!(d))
        })
        .map(|t| {
            // BCReader v1 prints valueFormatted as a decimal string (the v1.2 API as a number).
            let mut row = ledger::transfer_row(t, params.flag("includePrices", false));
            let decimals = ledger::token(t.chain, &t.token).map_or(18, |k| k.decimals);
            row["valueFormatted"] = json!(amount::format(t.value, decimals));
            row
        })
        .collect();
    let total = rows.len();
    let data: Vec<Value> = rows
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    Ok(Json(
        json!({ "total": total, "page": page, "limit": limit, "totalPages": total.div_ceil(limit), "data": data }),
    ))
}

/// `GET /v1.1/bcreader/pools` (chain required): one AAVE pool per token.
pub async fn pools(_: Session, chain: Chain) -> ApiResult<Json<Value>> {
    let chain = chain
        .0
        .ok_or_else(|| ApiError::bad_request("X-Blockchain-Id is required"))?;
    let pool = crate::ids::address_from(&[b"aave-pool", &chain.to_be_bytes()]);
    let provider = crate::ids::address_from(&[b"aave-addresses-provider", &chain.to_be_bytes()]);
    let token = |t: &ledger::Token, prefix: &str| json!({ "address": t.address, "symbol": format!("{prefix}{}", t.symbol), "name": t.name, "decimals": t.decimals });
    let list: Vec<Value> = ledger::tokens(chain)
        .enumerate()
        .map(|(i, t)| {
            let mut a_token = token(t, "a");
            a_token["address"] = json!(crate::ids::address_from(&[b"atoken", t.address.as_bytes()]));
            json!({
                "id": i + 1, "blockchainId": chain.to_string(), "provider": "AAVE", "poolAddress": pool, "addressesProvider": provider,
                "metadata": { "network": ledger::chain(chain).map_or("unknown", |c| c.name), "version": "v3" }, "active": true,
                "supplyToken": token(t, ""), "borrowToken": token(t, ""), "poolToken": a_token,
            })
        })
        .collect();
    Ok(Json(json!(list)))
}

/// `GET /v1.1/bcreader/pools/{address}`: the address's positions on the selected chain.
pub async fn address_pools(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
    Path(address): Path<String>,
) -> ApiResult<Json<Value>> {
    let chain = chain.or_default();
    let store = state.store();
    let safe = watched(&store, &session, Some(&address))?.remove(0);
    Ok(Json(crate::defi::positions(
        safe,
        &store.books,
        chain,
        params.flag("includeZero", false),
        state.now(),
    )))
}
