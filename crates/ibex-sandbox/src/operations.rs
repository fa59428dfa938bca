//! Safe operations: validating each documented operation type into a [`Plan`], the userOpHash,
//! and the clock-driven lifecycle CREATED → SIGNED → EXECUTED → CONFIRMED (or FAILED) that
//! applies plans to the ledger atomically, like a MultiSend.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::amount;
use crate::clock::{iso, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::{self, Direction, Transfer};
use crate::state::{frame, Event, Settings};
use crate::store::{OpStatus, Operation, Safe, Store};

/// What one item of `operations[]` will do once executed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Plan {
    Transfer {
        token: String,
        to: String,
        amount: u128,
    },
    SignMessage,
    EnableRecovery {
        identity: Value,
    },
    CancelRecovery,
    AddOwner {
        owner: String,
        threshold: u32,
    },
    RemoveOwner {
        owner: String,
        threshold: u32,
    },
    ChangeThreshold {
        threshold: u32,
    },
    AaveSupply {
        token: String,
        amount: u128,
    },
    AaveWithdraw {
        token: String,
        amount: u128,
    },
    Swap {
        sell: String,
        sell_amount: u128,
        buy: String,
        buy_amount: u128,
    },
    CreateIban,
    EnableAutomation {
        config: Value,
    },
    /// Bitcoin / Solana: authorised by the passkey, no EVM effect.
    OffChain,
}

/// A transfer into another sandbox Safe, applied after the sender's side succeeded.
struct Credit {
    to: String,
    token: String,
    amount: u128,
    from: String,
}

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

/// Validates one `operations[]` item (operations.md §3) into a plan; `prepared` is returned for
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
            // gaps.md G19: `to` or `receiver`.
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

/// `prepared` for `BITCOIN_SEND` (operations.md §8): a single-input spend with a fixed fee.
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

/// keccak256 over the chain, the Safe, its nonce and the canonical JSON of the operations: a
/// stand-in for the ERC-4337 userOpHash with the same property (any change → another hash).
pub fn user_op_hash(chain: u64, safe: &str, nonce: u64, items: &[Value]) -> [u8; 32] {
    let body = ids::canonical_json(&Value::Array(items.to_vec()));
    ids::keccak(&[
        b"ibex-sandbox/userop/v1",
        &chain.to_be_bytes(),
        safe.to_ascii_lowercase().as_bytes(),
        &nonce.to_be_bytes(),
        body.as_bytes(),
    ])
}

/// Applies plans to `safe` (call on a copy: an error leaves the copy half-applied).
fn apply(
    safe: &mut Safe,
    chain: u64,
    plans: &[Plan],
    tx: &str,
    now: Millis,
) -> Result<Vec<Credit>, String> {
    let mut credits = Vec::new();
    let address = safe.address.clone();
    for plan in plans {
        match plan {
            Plan::Transfer { token, to, amount } => {
                debit(safe, chain, token, *amount)?;
                record(
                    safe,
                    chain,
                    tx,
                    now,
                    token,
                    *amount,
                    Direction::Out,
                    &address,
                    to,
                );
                credits.push(Credit {
                    to: to.to_ascii_lowercase(),
                    token: token.clone(),
                    amount: *amount,
                    from: address.clone(),
                });
            }
            Plan::EnableRecovery { identity } => {
                if safe.recovery.enabled {
                    return Err("recovery is already enabled".into());
                }
                safe.recovery.enabled = true;
                safe.recovery.identity = Some(identity.clone());
            }
            Plan::CancelRecovery => {
                safe.recovery.enabled = false;
                safe.recovery.execute_after = None;
            }
            Plan::AddOwner { owner, threshold } => {
                if safe.owners.iter().any(|o| o.eq_ignore_ascii_case(owner)) {
                    return Err(format!("{owner} is already an owner"));
                }
                safe.owners.push(owner.clone());
                set_threshold(safe, *threshold)?;
            }
            Plan::RemoveOwner { owner, threshold } => {
                let before = safe.owners.len();
                safe.owners.retain(|o| !o.eq_ignore_ascii_case(owner));
                if safe.owners.len() == before || safe.owners.is_empty() {
                    return Err(format!("{owner} is not a removable owner"));
                }
                set_threshold(safe, *threshold)?;
            }
            Plan::ChangeThreshold { threshold } => set_threshold(safe, *threshold)?,
            Plan::AaveSupply { token, amount } => {
                debit(safe, chain, token, *amount)?;
                *safe
                    .pools
                    .entry(chain)
                    .or_default()
                    .entry(token.clone())
                    .or_default() += amount;
            }
            Plan::AaveWithdraw { token, amount } => {
                let position = safe
                    .pools
                    .entry(chain)
                    .or_default()
                    .entry(token.clone())
                    .or_default();
                *position = position
                    .checked_sub(*amount)
                    .ok_or("withdrawal exceeds the AAVE position")?;
                *safe
                    .balances
                    .entry(chain)
                    .or_default()
                    .entry(token.clone())
                    .or_default() += amount;
            }
            Plan::Swap {
                sell,
                sell_amount,
                buy,
                buy_amount,
            } => {
                debit(safe, chain, sell, *sell_amount)?;
                *safe
                    .balances
                    .entry(chain)
                    .or_default()
                    .entry(buy.clone())
                    .or_default() += buy_amount;
                let settlement = ids::address_from(&[b"cow-settlement"]);
                record(
                    safe,
                    chain,
                    tx,
                    now,
                    sell,
                    *sell_amount,
                    Direction::Out,
                    &address,
                    &settlement,
                );
                record(
                    safe,
                    chain,
                    tx,
                    now,
                    buy,
                    *buy_amount,
                    Direction::In,
                    &settlement,
                    &address,
                );
            }
            Plan::EnableAutomation { config } => safe.automation = Some(config.clone()),
            Plan::SignMessage | Plan::CreateIban | Plan::OffChain => {}
        }
    }
    Ok(credits)
}

fn debit(safe: &mut Safe, chain: u64, token: &str, amount: u128) -> Result<(), String> {
    let balance = safe
        .balances
        .entry(chain)
        .or_default()
        .entry(token.to_owned())
        .or_default();
    *balance = balance.checked_sub(amount).ok_or("insufficient balance")?;
    Ok(())
}

fn set_threshold(safe: &mut Safe, threshold: u32) -> Result<(), String> {
    if threshold as usize > safe.owners.len() {
        return Err(format!(
            "threshold {threshold} exceeds the {} owners",
            safe.owners.len()
        ));
    }
    safe.threshold = threshold;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn record(
    safe: &mut Safe,
    chain: u64,
    tx: &str,
    now: Millis,
    token: &str,
    value: u128,
    direction: Direction,
    from: &str,
    to: &str,
) {
    safe.transfers.insert(
        0,
        Transfer {
            chain,
            hash: tx.to_owned(),
            block: 10_000_000 + (now / 1000) as u64 % 1_000_000,
            at: now,
            from: from.to_owned(),
            to: to.to_owned(),
            token: token.to_owned(),
            value,
            direction,
            watched: safe.address.clone(),
        },
    );
}

/// Dry-runs `plans` on top of the Safe's already signed, not yet executed operations, so an
/// intent that could not execute is refused at prepare time (insufficient balance → 400).
pub fn check_executable(
    store: &Store,
    safe: &Safe,
    chain: u64,
    plans: &[Plan],
    now: Millis,
) -> ApiResult<()> {
    let mut draft = safe.clone();
    for op in store
        .operations
        .values()
        .filter(|o| o.safe == safe.address.to_ascii_lowercase() && o.status == OpStatus::Signed)
    {
        let _ = apply(&mut draft, op.chain, &op.plans, "", now);
    }
    apply(&mut draft, chain, plans, "", now)
        .map(|_| ())
        .map_err(ApiError::bad_request)
}

/// Moves every operation whose time has come and returns the events to publish.
pub fn tick(store: &mut Store, settings: &Settings, now: Millis) -> Vec<Event> {
    let mut events = Vec::new();
    let due: Vec<String> = store
        .operations
        .values()
        .filter(|o| match (o.status, o.signed_at) {
            (OpStatus::Signed, Some(at)) => at + settings.execute_after_ms <= now,
            (OpStatus::Executed, Some(at)) => at + settings.confirm_after_ms <= now,
            _ => false,
        })
        .map(|o| o.user_op_hash.clone())
        .collect();
    for hash in due {
        let Some(op) = store.operations.get(&hash).cloned() else {
            continue;
        };
        let at = op.signed_at.unwrap_or(now);
        if op.status == OpStatus::Executed {
            update(
                store,
                &hash,
                OpStatus::Confirmed,
                at + settings.confirm_after_ms,
                None,
                &mut events,
            );
            continue;
        }
        let executed_at = at + settings.execute_after_ms;
        let tx = ids::hex_0x(&ids::keccak(&[b"tx", hash.as_bytes()]));
        let Some(safe) = store.safes.get(&op.safe) else {
            continue;
        };
        let mut draft = safe.clone();
        match apply(&mut draft, op.chain, &op.plans, &tx, executed_at) {
            Ok(credits) => {
                draft.nonce += 1;
                let user = draft.user.clone();
                events.extend(ledger_events(&draft, op.chain, &op.plans, executed_at));
                store.safes.insert(op.safe.clone(), draft);
                for credit in credits {
                    events.extend(credit_safe(store, op.chain, &credit, &tx, executed_at));
                }
                if op.plans.iter().any(|p| matches!(p, Plan::CreateIban)) {
                    create_iban(store, &user, &op, executed_at);
                    let signal = frame(
                        "user_iban_updated",
                        json!({ "iban": "changed" }),
                        executed_at,
                    );
                    events.push(Event {
                        user: user.clone(),
                        frame: signal,
                    });
                }
                if let Some(o) = store.operations.get_mut(&hash) {
                    o.transaction_hash = Some(tx);
                }
                update(
                    store,
                    &hash,
                    OpStatus::Executed,
                    executed_at,
                    None,
                    &mut events,
                );
            }
            Err(error) => update(
                store,
                &hash,
                OpStatus::Failed,
                executed_at,
                Some(error),
                &mut events,
            ),
        }
    }
    events
}

fn update(
    store: &mut Store,
    hash: &str,
    status: OpStatus,
    at: Millis,
    error: Option<String>,
    events: &mut Vec<Event>,
) {
    let Some(op) = store.operations.get_mut(hash) else {
        return;
    };
    op.status = status;
    op.updated_at = at;
    op.error = error;
    let user = store
        .safes
        .get(&op.safe)
        .map(|s| s.user.clone())
        .unwrap_or_default();
    events.push(Event {
        user,
        frame: frame(
            "operation_status",
            status_json(op, store.safes.get(&op.safe)),
            at,
        ),
    });
}

fn credit_safe(store: &mut Store, chain: u64, credit: &Credit, tx: &str, at: Millis) -> Vec<Event> {
    let Some(safe) = store.safes.get_mut(&credit.to) else {
        return Vec::new();
    };
    *safe
        .balances
        .entry(chain)
        .or_default()
        .entry(credit.token.clone())
        .or_default() += credit.amount;
    let to = safe.address.clone();
    record(
        safe,
        chain,
        tx,
        at,
        &credit.token,
        credit.amount,
        Direction::In,
        &credit.from,
        &to,
    );
    let plan = [Plan::Transfer {
        token: credit.token.clone(),
        to: to.clone(),
        amount: credit.amount,
    }];
    ledger_events(safe, chain, &plan, at)
}

fn create_iban(store: &mut Store, user: &str, op: &Operation, at: Millis) {
    let Some(u) = store.users.get_mut(user) else {
        return;
    };
    let digits = ids::seeded_below(
        store.seed,
        &format!("iban|{}", op.user_op_hash),
        10u64.pow(12),
    );
    u.ibans.push(json!({
        "iban": format!("FR76 1674 8000 01{digits:012}"),
        "bic": "MONEDEBR",
        "safeAddress": op.safe,
        "blockchainId": op.chain,
        "status": "approved",
        "provider": "MONERIUM",
        "createdAt": iso(at),
        "updatedAt": iso(at),
    }));
}

/// `balance_update` for each token the plans touched and `new_transaction` for the newest
/// transfer (realtime.md §4.2; balances as raw base-unit strings like the documented frame).
fn ledger_events(safe: &Safe, chain: u64, plans: &[Plan], at: Millis) -> Vec<Event> {
    let mut touched: Vec<&str> = Vec::new();
    for plan in plans {
        match plan {
            Plan::Transfer { token, .. }
            | Plan::AaveSupply { token, .. }
            | Plan::AaveWithdraw { token, .. } => touched.push(token),
            Plan::Swap { sell, buy, .. } => touched.extend([sell.as_str(), buy.as_str()]),
            _ => {}
        }
    }
    touched.dedup();
    let mut events: Vec<Event> = touched
        .iter()
        .map(|token| Event {
            user: safe.user.clone(),
            frame: frame("balance_update", json!({ "address": safe.address, "chainId": chain, "tokenAddress": token, "balance": safe.balance(chain, token).to_string(), "updated_at": iso(at) }), at),
        })
        .collect();
    if let (false, Some(newest)) = (touched.is_empty(), safe.transfers.first()) {
        let token = ledger::token(newest.chain, &newest.token);
        let decimals = token.map_or(18, |t| t.decimals);
        let recent: Vec<Value> = safe
            .transfers
            .iter()
            .take(5)
            .map(|t| ledger::transfer_row(t, false))
            .collect();
        events.push(Event {
            user: safe.user.clone(),
            frame: frame("new_transaction", json!({
                "address": safe.address,
                "newTransaction": {
                    "hash": newest.hash, "blockNumber": newest.block, "timestamp": iso(newest.at),
                    "from": newest.from, "to": newest.to, "tokenAddress": newest.token,
                    "tokenType": if newest.token == ledger::NATIVE { "NATIVE" } else { "ERC20" },
                    "tokenSymbol": token.map_or("UNKNOWN", |t| t.symbol),
                    "value": amount::format(newest.value, decimals), "direction": newest.direction,
                },
                "recentTransactions": recent,
                "transactionCount": safe.transfers.len(),
                "historyLimit": 5,
            }), at),
        });
    }
    events
}

/// `GET /v1.2/safes/operations/{userOpHash}/status` (operations.md §1.4).
pub fn status_json(op: &Operation, safe: Option<&Safe>) -> Value {
    let kinds: Vec<Value> = op
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| json!({ "index": i, "type": item.get("type") }))
        .collect();
    json!({
        "userOpHash": op.user_op_hash,
        "safeAddress": safe.map_or(op.safe.clone(), |s| s.address.clone()),
        "chainId": op.chain,
        "status": op.status,
        "transactionHash": op.transaction_hash,
        "createdAt": iso(op.created_at),
        "updatedAt": iso(op.updated_at),
        "operations": kinds,
        "error": op.error,
    })
}
