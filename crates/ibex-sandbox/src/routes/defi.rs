//! DeFi reads (docs/api/account.md §6, §11): the vault catalog, lending entries and the user's positions,
//! plus the test controls that pause a vault, cap it, or shock a price.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::amount;
use crate::defi::{self, Provider};
use crate::error::{ApiError, ApiResult};
use crate::market;
use crate::routes::extract::{Body, Chain, Fields, Params};
use crate::state::Shared;
use crate::tokens::Session;
use crate::views;

fn provider_filter(params: &Params) -> ApiResult<Option<Provider>> {
    params
        .get("provider")
        .map(|p| {
            Provider::parse(p).ok_or_else(|| {
                ApiError::bad_request("provider must be AAVE, MORPHO or HYPERLIQUID")
            })
        })
        .transpose()
}

/// `GET /v1.2/safes/vaults?provider=AAVE|MORPHO|HYPERLIQUID` on the selected chain (default
/// chain when none is named).
pub async fn vaults(
    State(state): State<Shared>,
    _: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let provider = provider_filter(&params)?;
    let chain = chain.or_default();
    let store = state.store();
    let list: Vec<Value> = defi::catalog()
        .iter()
        .filter(|v| v.chain == chain && provider.is_none_or(|p| p == v.provider))
        .map(|v| defi::vault_json(v, store.books.get(&v.id)))
        .collect();
    Ok(Json(json!(list)))
}

/// `GET /v1.2/users/me/lending?userScoped=&blockchainId=`: every vault (of the chain, when one
/// is named); `userScoped=true` keeps the vaults the user holds and adds their figures, and is
/// a 404 for a user without a watched address (mirror SDK).
pub async fn lending(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    params: Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let safes = views::signer_safes(&store, &session.0.sid);
    let scoped = params.flag("userScoped", false);
    if scoped && safes.is_empty() {
        return Err(ApiError::not_found("no watched address for this user"));
    }
    let list: Vec<Value> = defi::catalog()
        .iter()
        .filter(|v| chain.0.is_none_or(|c| c == v.chain))
        .filter_map(|v| {
            let book = store.books.get(&v.id);
            let mut held = safes
                .iter()
                .filter_map(|s| s.vaults.get(&v.id))
                .filter(|p| p.shares > 0);
            match held.next() {
                Some(p) => Some(defi::lending_json(v, book, Some(p))),
                None if !scoped => Some(defi::lending_json(v, book, None)),
                None => None,
            }
        })
        .collect();
    Ok(Json(json!(list)))
}

/// `GET /v1.2/users/me/pools?includeZero=`: one entry per Safe and registered chain.
pub async fn pools(
    State(state): State<Shared>,
    session: Session,
    params: Params,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let (safes, _) = crate::routes::users::scope(&state, &store, &session, &params)?;
    let include_zero = params.flag("includeZero", false);
    let now = state.now();
    let rows: Vec<Value> = safes
        .iter()
        .flat_map(|safe| {
            let books = &store.books;
            safe.registered(now)
                .into_iter()
                .map(move |chain| defi::positions(safe, books, chain, include_zero, now))
        })
        .collect();
    Ok(Json(json!(rows)))
}

/// `POST /__sandbox/vaults` `{vaultAddress, chainId?, paused?, cap? (whole tokens, null clears)}`
/// → the vault as the catalog prints it.
pub async fn control_vault(
    State(state): State<Shared>,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let address = body.text("vaultAddress")?;
    let def = defi::catalog()
        .iter()
        .find(|v| {
            v.address.eq_ignore_ascii_case(address)
                && body
                    .get("chainId")
                    .and_then(Value::as_u64)
                    .is_none_or(|c| c == v.chain)
        })
        .ok_or_else(|| ApiError::not_found("unknown vault"))?;
    let mut store = state.store();
    let book = store.books.get_mut(&def.id).expect("accrued on access");
    if let Some(paused) = body.get("paused") {
        book.paused = paused
            .as_bool()
            .ok_or_else(|| ApiError::bad_request("paused must be a boolean"))?;
    }
    if let Some(cap) = body.get("cap") {
        book.cap = match cap {
            Value::Null => None,
            Value::String(text) => {
                Some(amount::parse(text, def.asset.decimals).ok_or_else(|| {
                    ApiError::bad_request("cap must be a decimal string of whole tokens")
                })?)
            }
            _ => {
                return Err(ApiError::bad_request(
                    "cap must be a decimal string or null",
                ))
            }
        };
    }
    Ok(Json(defi::vault_json(def, Some(book))))
}

/// `POST /__sandbox/market` `{chainId, tokenAddress, shockBps}`: moves a token's price by
/// `shockBps` basis points on top of its drift (0 removes the shock) → `{priceEur}` now.
pub async fn shock(State(state): State<Shared>, Body(body): Body) -> ApiResult<Json<Value>> {
    let chain = body
        .get("chainId")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::bad_request("chainId is required"))?;
    let token = crate::ledger::token(chain, body.text("tokenAddress")?)
        .ok_or_else(|| ApiError::bad_request("unknown token on this chain"))?;
    let bps = body
        .get("shockBps")
        .and_then(Value::as_i64)
        .filter(|b| (-9_999..=100_000).contains(b))
        .ok_or_else(|| ApiError::bad_request("shockBps must be an integer above -10000"))?;
    let mut store = state.store();
    let key = market::shock_key(chain, token.address);
    if bps == 0 {
        store.market.remove(&key);
    } else {
        store.market.insert(key, bps);
    }
    let price = market::price_eur(state.settings.seed, &store.market, token, state.now());
    Ok(Json(json!({ "priceEur": amount::fiat_number(price) })))
}
