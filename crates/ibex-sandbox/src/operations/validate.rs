//! Validating each documented operation type (docs/api/operations.md §3) into a [`Plan`].

use serde_json::{json, Value};

use crate::amount;
use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger;
use crate::store::{Safe, Store};

use super::Plan;

fn text<'a>(item: &'a Value, field: &str) -> ApiResult<&'a str> {
    item.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("{field} is required")))
}

fn address(item: &Value, field: &str) -> ApiResult<String> {
    let value = text(item, field)?;
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
    match amount::parse(text(item, "amount")?, decimals) {
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
    let kind = text(item, "type")?;
    let plan = match kind {
        "TRANSFER_TOKEN" => {
            let token = known_token(chain, text(item, "tokenAddress")?)?;
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
            text(item, "message")?;
            Plan::SignMessage
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
                identity.insert(field.into(), json!(text(item, field)?));
            }
            let birth = text(item, "birthDate")?;
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
        "AAVE_SUPPLY" | "AAVE_WITHDRAW" => {
            let token = match (
                item.get("assetTicker").and_then(Value::as_str),
                item.get("tokenAddress").and_then(Value::as_str),
            ) {
                (Some(ticker), None) => {
                    ledger::token_by_symbol(chain, ticker).ok_or_else(|| {
                        ApiError::bad_request(format!("no AAVE pool for {ticker} on chain {chain}"))
                    })?
                }
                (None, Some(address)) if item.get("decimals").is_some() => {
                    known_token(chain, address)?
                }
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
            let (token_key, amount) = (
                token.address.to_ascii_lowercase(),
                token_amount(chain, token, item)?,
            );
            if kind == "AAVE_SUPPLY" {
                Plan::AaveSupply {
                    token: token_key,
                    amount,
                }
            } else {
                Plan::AaveWithdraw {
                    token: token_key,
                    amount,
                }
            }
        }
        "SWAP_FROM_QUOTE" => {
            let id = text(item, "quoteId")?;
            let quote = store
                .quotes
                .get(id)
                .ok_or_else(|| ApiError::bad_request(format!("unknown quoteId {id}")))?;
            if quote.valid_to <= now {
                return Err(ApiError::new(
                    axum::http::StatusCode::GONE,
                    "GONE",
                    "quote expired (validTo passed); request a new one",
                ));
            }
            if quote.chain != chain || quote.safe != safe.address.to_ascii_lowercase() {
                return Err(ApiError::bad_request(
                    "quote was issued for another Safe or chain",
                ));
            }
            Plan::Swap {
                sell: quote.sell.clone(),
                sell_amount: quote.sell_amount,
                buy: quote.buy.clone(),
                buy_amount: quote.buy_amount,
            }
        }
        "MONERIUM_CREATE_IBAN" => Plan::CreateIban,
        "ENABLE_AUTOMATION_MODULE" => Plan::EnableAutomation {
            config: item.clone(),
        },
        "BITCOIN_SEND" => return Ok((Plan::OffChain, Some(bitcoin_prepared(item)?))),
        "SOLANA_PREPARE" => {
            text(item, "payer")?;
            let blockhash = text(item, "recentBlockhash")?;
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

/// `prepared` for `BITCOIN_SEND` (docs/api/operations.md §8): a single-input spend with a fixed fee.
pub fn bitcoin_prepared(item: &Value) -> ApiResult<Value> {
    let from = text(item, "from")?;
    let to = text(item, "to")?;
    let amount = item
        .get("amountSat")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::bad_request("amountSat is required"))?;
    let fee = match item
        .get("feeProfile")
        .and_then(Value::as_str)
        .unwrap_or("standard")
    {
        "slow" => 700,
        "fast" => 2_800,
        _ => 1_400,
    };
    let input = 1_000_000u64;
    if amount + fee > input {
        return Err(ApiError::bad_request("insufficient balance"));
    }
    Ok(json!({
        "from": from, "to": to, "amountSat": amount, "feeSat": fee, "inputsUsed": 1,
        "outputs": [{ "address": to, "value": amount }, { "address": from, "value": input - amount - fee }],
        "change": input - amount - fee,
        "network": item.get("network").cloned().unwrap_or(json!("testnet")),
        "externalFeeSponsor": item.get("externalFeeSponsor").cloned().unwrap_or(json!(false)),
        "sponsorShortfallSat": 0,
    }))
}
