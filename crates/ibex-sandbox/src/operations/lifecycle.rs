//! The clock-driven lifecycle: SIGNED → EXECUTED (plans applied atomically, like a MultiSend)
//! → CONFIRMED, or FAILED, with the WebSocket events each step produces.

use serde_json::{json, Value};

use crate::amount;
use crate::clock::{iso, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::{self, Direction, Transfer};
use crate::state::{frame, Event, Settings};
use crate::store::{OpStatus, Operation, Safe, Store};

use super::{status_json, Plan};

/// A transfer into another sandbox Safe, applied after the sender's side succeeded.
struct Credit {
    to: String,
    token: String,
    amount: u128,
    from: String,
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
    let inclusion = Inclusion { chain, tx, at: now };
    for plan in plans {
        match plan {
            Plan::Transfer { token, to, amount } => {
                debit(safe, chain, token, *amount)?;
                record(safe, &inclusion, token, *amount, Direction::Out, to);
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
            // `cancelRecovery()` stops a pending recovery; the module stays enabled (turning it
            // off is the contract's separate `disableRecovery()`, docs/api/operations.md §3.3).
            Plan::CancelRecovery => {
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
                    &inclusion,
                    sell,
                    *sell_amount,
                    Direction::Out,
                    &settlement,
                );
                record(
                    safe,
                    &inclusion,
                    buy,
                    *buy_amount,
                    Direction::In,
                    &settlement,
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

/// Where a transfer landed: chain, transaction and time.
struct Inclusion<'a> {
    chain: u64,
    tx: &'a str,
    at: Millis,
}

/// Adds a transfer of `value` `token` between the Safe and `counterparty` to its history.
fn record(
    safe: &mut Safe,
    at: &Inclusion,
    token: &str,
    value: u128,
    direction: Direction,
    counterparty: &str,
) {
    let (from, to) = match direction {
        Direction::Out => (safe.address.clone(), counterparty.to_owned()),
        Direction::In => (counterparty.to_owned(), safe.address.clone()),
    };
    let transfer = Transfer {
        chain: at.chain,
        hash: at.tx.to_owned(),
        block: 10_000_000 + (at.at / 1000) as u64 % 1_000_000,
        at: at.at,
        from,
        to,
        token: token.to_owned(),
        value,
        direction,
        watched: safe.address.clone(),
    };
    safe.transfers.insert(0, transfer);
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
/// `reverts` says whether the next execution is to fail (the `revertOperations` fault).
pub fn tick(
    store: &mut Store,
    settings: &Settings,
    now: Millis,
    reverts: &mut dyn FnMut() -> bool,
) -> Vec<Event> {
    let mut events = Vec::new();
    let mut due: Vec<&Operation> = store
        .operations
        .values()
        .filter(|o| match (o.status, o.signed_at) {
            (OpStatus::Signed, Some(at)) => at + settings.execute_after_ms <= now,
            (OpStatus::Executed, Some(at)) => at + settings.confirm_after_ms <= now,
            _ => false,
        })
        .collect();
    // Per Safe in nonce order, as a bundler would include them.
    due.sort_by(|a, b| (&a.safe, a.nonce).cmp(&(&b.safe, b.nonce)));
    let due: Vec<String> = due.into_iter().map(|o| o.user_op_hash.clone()).collect();
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
        if reverts() {
            let reason = "execution reverted (sandbox fault)".to_owned();
            update(
                store,
                &hash,
                OpStatus::Failed,
                executed_at,
                Some(reason),
                &mut events,
            );
            continue;
        }
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
    let inclusion = Inclusion { chain, tx, at };
    record(
        safe,
        &inclusion,
        &credit.token,
        credit.amount,
        Direction::In,
        &credit.from,
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
/// transfer (docs/api/realtime.md §4.2; balances as raw base-unit strings like the documented frame).
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
