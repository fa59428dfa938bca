//! Chains and token catalogs (docs/api/account.md §11).

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::ledger;
use crate::routes::users::chain_of;
use crate::tokens::Session;

/// `GET /v1.2/chains/`.
pub async fn chains(_: Session) -> Json<Value> {
    let list: Vec<Value> = ledger::CHAINS
        .iter()
        .map(|c| {
            json!({
                "id": c.id, "name": c.name, "icon": c.icon,
                "explorerAddress": format!("{}/address/", c.explorer), "explorerTx": format!("{}/tx/", c.explorer),
                "modules": { "billing": true, "cowswap": c.cowswap, "recovery": c.recovery, "automation": c.automation },
            })
        })
        .collect();
    Json(json!(list))
}

fn token_json(t: &ledger::Token) -> Value {
    json!({
        "id": format!("{}:{}", t.chain, t.address.to_ascii_lowercase()), "address": t.address, "secondaryAddress": null,
        "symbol": t.symbol, "name": t.name, "decimals": t.decimals, "type": t.kind, "active": true,
        "blockchainId": t.chain.to_string(), "iconUrl": null,
    })
}

/// Flat for one chain, grouped by `blockchainId` otherwise.
pub fn token_catalog(chain: Option<u64>) -> Value {
    match chain {
        Some(chain) => json!(ledger::tokens(chain).map(token_json).collect::<Vec<_>>()),
        None => json!(ledger::CHAINS
            .iter()
            .map(|c| json!({ "blockchainId": c.id.to_string(), "tokens": ledger::tokens(c.id).map(token_json).collect::<Vec<_>>() }))
            .collect::<Vec<_>>()),
    }
}

pub async fn chain_tokens(
    _: Session,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    Ok(Json(token_catalog(chain_of(&headers, &params)?)))
}

/// `GET /v1.2/safes/vaults` — one AAVE pool per token on the selected chain (default chain).
pub async fn vaults(
    _: Session,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let chain = chain_of(&headers, &params)?.unwrap_or(ledger::DEFAULT_CHAIN);
    if params.get("provider").is_some_and(|p| p != "AAVE") {
        return Ok(Json(json!([])));
    }
    let pool = crate::ids::address_from(&[b"aave-pool", &chain.to_be_bytes()]);
    let list: Vec<Value> = ledger::tokens(chain)
        .map(|t| {
            json!({
                "id": format!("aave:{chain}:{}", t.symbol), "blockchainId": chain, "provider": "AAVE", "name": format!("Aave {}", t.symbol),
                "poolAddress": pool, "assetTicker": t.symbol, "assetAddress": t.address, "assetDecimals": t.decimals,
                "apy": "3.10", "tvl": "1000000", "isDefault": t.symbol == "USDC",
                "supplyToken": t.address, "borrowToken": t.address, "metadata": { "poolContract": pool, "market": "sandbox" },
            })
        })
        .collect();
    Ok(Json(json!(list)))
}
