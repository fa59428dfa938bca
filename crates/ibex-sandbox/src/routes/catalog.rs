//! Chains and token catalogs (docs/api/account.md §11).

use axum::Json;
use serde_json::{json, Value};

use crate::ledger;
use crate::routes::extract::Chain;
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

pub async fn chain_tokens(_: Session, chain: Chain) -> Json<Value> {
    Json(token_catalog(chain.0))
}
