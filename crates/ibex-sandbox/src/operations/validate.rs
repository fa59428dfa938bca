//! Validating each documented operation type (docs/api/operations.md §3) into a [`Plan`].

use serde_json::{json, Value};

use crate::amount;
use crate::clock::Millis;
use crate::defi;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger;
use crate::routes::extract::Fields;
use crate::store::{Safe, Store};

use super::Plan;

fn address(item: &Value, field: &str) -> ApiResult<String> {
    let value = item.text(field)?;
    if ids::is_evm_address(value) {
        Ok(value.to_owned())
    } else {
        Err(ApiError::bad_request(format!(
            "{field} must be 0x + 40 hex digits"
        )))
    }
}

fn threshold(item: &Value) -> ApiResult<u32> {
    item.get("threshold")
        .and_then(Value::as_u64)
        .filter(|t| *t >= 1)
        .and_then(|t| u32::try_from(t).ok())
        .ok_or_else(|| ApiError::bad_request("threshold must be an integer ≥ 1"))
}

fn token_amount(chain: u64, token: &ledger::Token, item: &Value) -> ApiResult<u128> {
    let decimals = item
        .get("decimals")
        .and_then(Value::as_u64)
        .map_or(token.decimals, |d| d as u32);
    if decimals != token.decimals {
        return Err(ApiError::bad_request(format!(
            "{} has {} decimals on chain {chain}",
            token.symbol, token.decimals
        )));
    }
    match amount::parse(item.text("amount")?, decimals) {
        Some(0) | None => Err(ApiError::bad_request(
            "amount must be a positive decimal string",
        )),
        Some(a) => Ok(a),
    }
}

fn known_token(chain: u64, address: &str) -> ApiResult<&'static ledger::Token> {
    ledger::token(chain, address).ok_or_else(|| {
        ApiError::bad_request(format!(
            "token {address} is unknown or inactive on chain {chain}"
        ))
    })
}

/// Validates one `operations[]` item (docs/api/operations.md §3) into a plan; `prepared` is returned for
/// the types whose response carries it (Bitcoin, Solana).
pub fn plan(
    store: &Store,
    safe: &Safe,
    chain: u64,
    item: &Value,
    now: Millis,
) -> ApiResult<(Plan, Option<Value>)> {
    let kind = item.text("type")?;
    let plan = match kind {
        "TRANSFER_TOKEN" => {
            let token = known_token(chain, item.text("tokenAddress")?)?;
            Plan::Transfer {
                token: token.address.to_ascii_lowercase(),
                to: address(item, "to")?,
                amount: token_amount(chain, token, item)?,
            }
        }
        "TRANSFER_EURe" => {
            let token = ledger::token_by_symbol(chain, "EURe").ok_or_else(|| {
                ApiError::bad_request(format!("EURe is not available on chain {chain}"))
            })?;
            // docs/api/gaps.md G19: `to` or `receiver`.
            let to = address(item, "to").or_else(|_| address(item, "receiver"))?;
            Plan::Transfer {
                token: token.address.to_ascii_lowercase(),
                to,
                amount: token_amount(chain, token, item)?,
            }
        }
        "SIGN_MESSAGE" => {
            let message = item.text("message")?;
            let prefix = format!("\x19Ethereum Signed Message:\n{}", message.len());
            Plan::SignMessage {
                hash: ids::hex_0x(&ids::keccak(&[prefix.as_bytes(), message.as_bytes()])),
            }
        }
        "ENABLE_RECOVERY" => {
            if !ledger::chain(chain).is_some_and(|c| c.recovery) {
                return Err(ApiError::bad_request(format!(
                    "the recovery module is not available on chain {chain}"
                )));
            }
            if safe.recovery.enabled {
                return Err(ApiError::conflict(
                    "recovery is already enabled for this Safe",
                ));
            }
            let mut identity = serde_json::Map::new();
            for field in [
                "firstName",
                "lastName",
                "birthDate",
                "birthCity",
                "birthCountry",
            ] {
                identity.insert(field.into(), json!(item.text(field)?));
            }
            let birth = item.text("birthDate")?;
            if birth.len() != 10 || birth.as_bytes()[4] != b'-' || birth.as_bytes()[7] != b'-' {
                return Err(ApiError::bad_request("birthDate must be YYYY-MM-DD"));
            }
            Plan::EnableRecovery {
                identity: Value::Object(identity),
            }
        }
        "CANCEL_RECOVERY" => {
            if !safe.recovery.enabled {
                return Err(ApiError::bad_request(
                    "recovery is not enabled for this Safe",
                ));
            }
            Plan::CancelRecovery
        }
        "ADD_OWNER" => Plan::AddOwner {
            owner: address(item, "owner")?,
            threshold: threshold(item)?,
        },
        "REMOVE_OWNER" => Plan::RemoveOwner {
            owner: address(item, "owner")?,
            threshold: threshold(item)?,
        },
        "CHANGE_THRESHOLD" => Plan::ChangeThreshold {
            threshold: threshold(item)?,
        },
        "AAVE_SUPPLY" | "AAVE_WITHDRAW" => aave(chain, kind, item)?,
        "MORPHO_SUPPLY" | "MORPHO_WITHDRAW" => morpho(safe, chain, kind, item)?,
        "HYPERLIQUID_DEPOSIT"
        | "HYPERLIQUID_ENTER_VAULT"
        | "HYPERLIQUID_WITHDRAW_VAULT"
        | "HYPERLIQUID_WITHDRAW" => hyperliquid(chain, kind, item)?,
        "SWAP_FROM_QUOTE" => swap(store, safe, chain, item, now)?,
        "ROUTE_FROM_QUOTE" => {
            let id = item.text("quoteId")?;
            let route = store
                .routes
                .get(id)
                .ok_or_else(|| ApiError::bad_request(format!("unknown routeId {id}")))?;
            if route.valid_to <= now {
                return Err(gone("route quote expired; request a new one"));
            }
            if route.safe != safe.address.to_ascii_lowercase() || route.source_chain != chain {
                return Err(ApiError::bad_request(
                    "route was quoted for another Safe or source chain",
                ));
            }
            if route.user_op_hash.is_some() {
                return Err(ApiError::conflict("route already submitted"));
            }
            Plan::Route {
                route_id: id.to_owned(),
            }
        }
        "MONERIUM_CREATE_IBAN" => Plan::CreateIban,
        "ENABLE_AUTOMATION_MODULE" => Plan::EnableAutomation {
            config: item.clone(),
        },
        "BITCOIN_SEND" => return Ok((Plan::OffChain, Some(crate::bitcoin::prepare(store, item)?))),
        "SOLANA_PREPARE" => {
            item.text("payer")?;
            let blockhash = item.text("recentBlockhash")?;
            let message =
                crate::b64::standard(&ids::sha256(&[ids::canonical_json(item).as_bytes()]));
            let expires = item
                .get("lastValidBlockHeight")
                .cloned()
                .unwrap_or(json!(0));
            return Ok((
                Plan::OffChain,
                Some(
                    json!({ "message": message, "meta": { "recentBlockhash": blockhash, "expiresAtBlock": expires } }),
                ),
            ));
        }
        "SOLANA_SIGN" | "SOLANA_SEND" | "SOLANA_CONFIRM" | "SOLANA_STATUS" => Plan::OffChain,
        other => {
            return Err(ApiError::bad_request(format!(
                "operation type {other} is not supported by the sandbox"
            )))
        }
    };
    Ok((plan, None))
}

fn gone(message: &str) -> ApiError {
    ApiError::new(axum::http::StatusCode::GONE, "GONE", message)
}

/// `AAVE_SUPPLY` / `AAVE_WITHDRAW` (docs/api/operations.md §3.6): exactly one of `assetTicker` and
/// `tokenAddress` (with `decimals`), optional `poolAddress` and `referralCode` (0–65535).
fn aave(chain: u64, kind: &str, item: &Value) -> ApiResult<Plan> {
    let token = match (item.opt_text("assetTicker"), item.opt_text("tokenAddress")) {
        (Some(ticker), None) => ledger::token_by_symbol(chain, ticker).ok_or_else(|| {
            ApiError::bad_request(format!("no AAVE pool for {ticker} on chain {chain}"))
        })?,
        (None, Some(address)) if item.get("decimals").is_some() => known_token(chain, address)?,
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "decimals is required with tokenAddress",
            ))
        }
        _ => {
            return Err(ApiError::bad_request(
                "exactly one of assetTicker and tokenAddress is required",
            ))
        }
    };
    let pool = defi::aave_pool(chain, token.address).ok_or_else(|| {
        ApiError::bad_request(format!(
            "no AAVE pool for {} on chain {chain}",
            token.symbol
        ))
    })?;
    if let Some(address) = item.opt_text("poolAddress") {
        if !address.eq_ignore_ascii_case(&pool.address) {
            return Err(ApiError::bad_request(format!(
                "poolAddress {address} is not the AAVE pool of chain {chain}"
            )));
        }
    }
    if let Some(code) = item.get("referralCode") {
        if code.as_u64().is_none_or(|c| c > 65_535) {
            return Err(ApiError::bad_request("referralCode must be 0–65535"));
        }
    }
    let amount = token_amount(chain, token, item)?;
    Ok(if kind == "AAVE_SUPPLY" {
        Plan::VaultDeposit {
            vault: pool.id.clone(),
            amount,
        }
    } else {
        Plan::VaultWithdraw {
            vault: pool.id.clone(),
            amount: Some(amount),
            shares: None,
        }
    })
}

/// docs/api/gaps.md G21: Morpho amounts are human decimals like every other operation's, yet the
/// mirror's example reads as base units (`"1000000"` with `decimals: 6`). Both are accepted: a
/// whole number too large for `available` as a human amount, but within it as base units, is
/// read as base units.
fn morpho_units(text: &str, decimals: u32, available: u128) -> Option<u128> {
    let human = amount::parse(text, decimals)?;
    if human <= available || text.contains('.') {
        return Some(human);
    }
    match text.parse::<u128>() {
        Ok(raw) if raw > 0 && raw <= available => Some(raw),
        _ => Some(human),
    }
}

/// `MORPHO_SUPPLY` / `MORPHO_WITHDRAW` (mirror): an ERC-4626 vault named by `vaultAddress`;
/// `assetTicker`, `tokenAddress` and `decimals`, when given, must describe its asset.
fn morpho(safe: &Safe, chain: u64, kind: &str, item: &Value) -> ApiResult<Plan> {
    let address = address(item, "vaultAddress")?;
    let vault = defi::vault_at(defi::Provider::Morpho, chain, &address).ok_or_else(|| {
        ApiError::bad_request(format!("no Morpho vault {address} on chain {chain}"))
    })?;
    let asset = vault.asset;
    let ticker_ok = item
        .opt_text("assetTicker")
        .is_none_or(|t| t.eq_ignore_ascii_case(asset.symbol));
    let token_ok = item
        .opt_text("tokenAddress")
        .is_none_or(|t| t.eq_ignore_ascii_case(asset.address));
    let decimals_ok = item
        .get("decimals")
        .is_none_or(|d| d.as_u64() == Some(u64::from(asset.decimals)));
    if !(ticker_ok && token_ok && decimals_ok) {
        return Err(ApiError::bad_request(format!(
            "vault {address} takes {} ({}, {} decimals)",
            asset.symbol, asset.address, asset.decimals
        )));
    }
    let read = |field: &str, available: u128| -> ApiResult<Option<u128>> {
        let Some(value) = item.get(field).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let text = value
            .as_str()
            .map(str::to_owned)
            .or_else(|| value.as_u64().map(|n| n.to_string()))
            .unwrap_or_default();
        match morpho_units(&text, asset.decimals, available) {
            Some(units) if units > 0 => Ok(Some(units)),
            _ => Err(ApiError::bad_request(format!(
                "{field} must be a positive decimal string with at most {} decimals",
                asset.decimals
            ))),
        }
    };
    if kind == "MORPHO_SUPPLY" {
        let amount = read("amount", safe.balance(chain, asset.address))?
            .ok_or_else(|| ApiError::bad_request("amount is required"))?;
        return Ok(Plan::VaultDeposit {
            vault: vault.id.clone(),
            amount,
        });
    }
    let held = safe.vaults.get(&vault.id).map_or(0, |p| p.shares);
    let (shares, amount) = (read("shares", held)?, read("amount", u128::MAX)?);
    if shares.is_none() && amount.is_none() {
        return Err(ApiError::bad_request("shares or amount is required"));
    }
    Ok(Plan::VaultWithdraw {
        vault: vault.id.clone(),
        amount: if shares.is_some() { None } else { amount },
        shares,
    })
}

/// `HYPERLIQUID_*` (mirror): `hyperliquidData { action, amount (USDC, a JSON number), to? }`
/// on the chain of the USDC bridge.
fn hyperliquid(chain: u64, kind: &str, item: &Value) -> ApiResult<Plan> {
    let vault = defi::hyperliquid();
    if chain != vault.chain {
        return Err(ApiError::bad_request(format!(
            "Hyperliquid is reached from chain {} (USDC bridge)",
            vault.chain
        )));
    }
    let data = item
        .get("hyperliquidData")
        .filter(|d| d.is_object())
        .ok_or_else(|| ApiError::bad_request("hyperliquidData is required"))?;
    let expected = match kind {
        "HYPERLIQUID_DEPOSIT" => "DEPOSIT",
        "HYPERLIQUID_ENTER_VAULT" => "ENTER_VAULT",
        "HYPERLIQUID_WITHDRAW_VAULT" => "WITHDRAW",
        _ => "WITHDRAW_WALLET",
    };
    if data.opt_text("action") != Some(expected) {
        return Err(ApiError::bad_request(format!(
            "hyperliquidData.action must be {expected} for {kind}"
        )));
    }
    // A JSON number in the docs; its exact text is parsed, never a float.
    let amount = data
        .get("amount")
        .and_then(|a| match a {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .and_then(|text| amount::parse(&text, vault.asset.decimals))
        .filter(|a| *a > 0)
        .ok_or_else(|| {
            ApiError::bad_request(
                "hyperliquidData.amount must be a positive USDC amount (≤ 6 decimals)",
            )
        })?;
    Ok(match kind {
        "HYPERLIQUID_DEPOSIT" => Plan::HyperliquidDeposit { amount },
        "HYPERLIQUID_ENTER_VAULT" => Plan::HyperliquidEnterVault { amount },
        "HYPERLIQUID_WITHDRAW_VAULT" => Plan::HyperliquidWithdrawVault { amount },
        _ => Plan::HyperliquidWithdraw {
            to: address(data, "to")?,
            amount,
        },
    })
}

/// `SWAP_FROM_QUOTE` `{quoteId, slippage?}` (percent, default 0.5; the mirror's `orderUid` is
/// accepted and ignored).
fn swap(store: &Store, safe: &Safe, chain: u64, item: &Value, now: Millis) -> ApiResult<Plan> {
    let id = item.text("quoteId")?;
    let quote = store
        .quotes
        .get(id)
        .ok_or_else(|| ApiError::bad_request(format!("unknown quoteId {id}")))?;
    if quote.valid_to <= now {
        return Err(gone("quote expired (validTo passed); request a new one"));
    }
    if quote.chain != chain || quote.safe != safe.address.to_ascii_lowercase() {
        return Err(ApiError::bad_request(
            "quote was issued for another Safe or chain",
        ));
    }
    let slippage_bps = match item.get("slippage").filter(|v| !v.is_null()) {
        None => 50,
        Some(v) => v
            .as_str()
            .map(str::to_owned)
            .or_else(|| v.as_number().map(|n| n.to_string()))
            .and_then(|text| amount::parse(&text, 2))
            .filter(|bps| *bps < 10_000)
            .ok_or_else(|| {
                ApiError::bad_request("slippage must be a percentage below 100 (e.g. 0.5)")
            })?,
    };
    Ok(Plan::Swap {
        sell: quote.sell.clone(),
        sell_amount: quote.sell_amount,
        buy: quote.buy.clone(),
        buy_amount: quote.buy_amount,
        min_out: exact_math::mul_div(quote.buy_amount, 10_000 - slippage_bps, 10_000).unwrap_or(0),
        aggregator: quote.aggregator,
    })
}
