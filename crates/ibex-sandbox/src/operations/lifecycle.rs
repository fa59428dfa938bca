//! The clock-driven lifecycle: SIGNED → EXECUTED (plans applied atomically, like a MultiSend)
//! → CONFIRMED, or FAILED, with the WebSocket events each step produces.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::amount;
use crate::clock::{iso, Millis};
use crate::defi::{self, Books};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::{self, Direction, Transfer};
use crate::state::{frame, Event, Settings};
use crate::store::{OpStatus, Operation, Route, Safe, Store};

use super::{status_json, Plan};

/// A transfer into another sandbox Safe, applied after the sender's side succeeded.
struct Credit {
    to: String,
    token: String,
    amount: u128,
    from: String,
}
/// How swaps are priced while applying plans: at the quote (the prepare-time dry run) or at the
/// market of the execution time (fills below the order's minimum fail).
pub enum Pricing<'a> {
    Quoted,
    Market {
        seed: u64,
        shocks: &'a crate::market::Shocks,
    },
}

/// The parts of the store plans change besides the Safe (call on copies: an error leaves them
/// half-applied).
struct World<'a> {
    safe: &'a mut Safe,
    books: &'a mut Books,
    routes: &'a BTreeMap<String, Route>,
    pricing: &'a Pricing<'a>,
}

/// Where the bridges of Hyperliquid and the route engine hold funds in flight.
fn bridge(name: &str) -> String {
    ids::address_from(&[b"bridge", name.as_bytes()])
}

/// Applies plans to the Safe; returns the transfers into other Safes to credit.
fn apply(
    world: &mut World,
    chain: u64,
    plans: &[Plan],
    tx: &str,
    now: Millis,
) -> Result<Vec<Credit>, String> {
    let mut credits = Vec::new();
    let safe = &mut *world.safe;
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
                    return Err(format!("{owner} is already an owner of this Safe"));
                }
                safe.owners.push(owner.clone());
                set_threshold(safe, *threshold)?;
            }
            Plan::RemoveOwner { owner, threshold } => {
                if !safe.owners.iter().any(|o| o.eq_ignore_ascii_case(owner)) {
                    return Err(format!("{owner} is not an owner of this Safe"));
                }
                if safe.owners.len() == 1 {
                    return Err("cannot remove the last owner of the Safe".into());
                }
                safe.owners.retain(|o| !o.eq_ignore_ascii_case(owner));
                set_threshold(safe, *threshold)?;
            }
            Plan::ChangeThreshold { threshold } => set_threshold(safe, *threshold)?,
            Plan::VaultDeposit { vault, amount } => {
                let def = defi::vault(vault).ok_or("unknown vault")?;
                debit(
                    safe,
                    chain,
                    &def.asset.address.to_ascii_lowercase(),
                    *amount,
                )?;
                let book = world.books.get_mut(vault).ok_or("unknown vault")?;
                let shares = book.deposit(*amount)?;
                let position = safe.vaults.entry(vault.clone()).or_default();
                position.shares += shares;
                position.principal += amount;
                let asset = def.asset.address.to_ascii_lowercase();
                record(
                    safe,
                    &inclusion,
                    &asset,
                    *amount,
                    Direction::Out,
                    &def.address,
                );
            }
            Plan::VaultWithdraw {
                vault,
                amount,
                shares,
            } => {
                let def = defi::vault(vault).ok_or("unknown vault")?;
                let book = world.books.get_mut(vault).ok_or("unknown vault")?;
                let position = safe.vaults.entry(vault.clone()).or_default();
                let held = book.assets_of(position.shares);
                let paid = defi::withdraw(book, position, *amount, *shares).map_err(|e| {
                    format!(
                        "{e}: {} {} deposited in {}",
                        amount::format(held, def.asset.decimals),
                        def.asset.symbol,
                        def.name
                    )
                })?;
                let asset = def.asset.address.to_ascii_lowercase();
                credit(safe, chain, &asset, paid);
                record(safe, &inclusion, &asset, paid, Direction::In, &def.address);
            }
            Plan::HyperliquidDeposit { amount } => {
                let usdc = defi::hyperliquid().asset.address.to_ascii_lowercase();
                debit(safe, chain, &usdc, *amount)?;
                safe.hyperliquid += amount;
                record(
                    safe,
                    &inclusion,
                    &usdc,
                    *amount,
                    Direction::Out,
                    &bridge("hyperliquid"),
                );
            }
            Plan::HyperliquidEnterVault { amount } => {
                safe.hyperliquid = safe
                    .hyperliquid
                    .checked_sub(*amount)
                    .ok_or("amount exceeds the Hyperliquid account balance")?;
                let def = defi::hyperliquid();
                let book = world.books.get_mut(&def.id).ok_or("unknown vault")?;
                let shares = book.deposit(*amount)?;
                let position = safe.vaults.entry(def.id.clone()).or_default();
                position.shares += shares;
                position.principal += amount;
            }
            Plan::HyperliquidWithdrawVault { amount } => {
                let def = defi::hyperliquid();
                let book = world.books.get_mut(&def.id).ok_or("unknown vault")?;
                let position = safe.vaults.entry(def.id.clone()).or_default();
                let paid = defi::withdraw(book, position, Some(*amount), None)?;
                safe.hyperliquid += paid;
            }
            Plan::HyperliquidWithdraw { to, amount } => {
                safe.hyperliquid = safe
                    .hyperliquid
                    .checked_sub(*amount)
                    .ok_or("amount exceeds the Hyperliquid account balance")?;
                let usdc = defi::hyperliquid().asset.address.to_ascii_lowercase();
                if to.eq_ignore_ascii_case(&address) {
                    credit(safe, chain, &usdc, *amount);
                    record(
                        safe,
                        &inclusion,
                        &usdc,
                        *amount,
                        Direction::In,
                        &bridge("hyperliquid"),
                    );
                } else {
                    credits.push(Credit {
                        to: to.to_ascii_lowercase(),
                        token: usdc,
                        amount: *amount,
                        from: bridge("hyperliquid"),
                    });
                }
            }
            Plan::Swap {
                sell,
                sell_amount,
                buy,
                buy_amount,
                min_out,
                aggregator,
            } => {
                let filled = match world.pricing {
                    Pricing::Quoted => *buy_amount,
                    Pricing::Market { seed, shocks } => {
                        let fill = market_fill(
                            *seed,
                            shocks,
                            chain,
                            *aggregator,
                            sell,
                            *sell_amount,
                            buy,
                            now,
                        )?;
                        let floor = if *min_out == 0 { *buy_amount } else { *min_out };
                        if fill < floor {
                            let decimals = ledger::token(chain, buy).map_or(18, |t| t.decimals);
                            return Err(format!(
                                "price moved beyond the slippage: the order would receive {}, its minimum is {}",
                                amount::format(fill, decimals),
                                amount::format(floor, decimals)
                            ));
                        }
                        fill
                    }
                };
                swap(safe, &inclusion, (sell, *sell_amount), (buy, filled))?;
            }
            Plan::Route { route_id } => {
                let route = world.routes.get(route_id).ok_or("unknown route")?;
                if route.cross_chain() {
                    // The source leg: funds leave for the bridge; the destination leg lands later.
                    debit(safe, chain, &route.sell, route.sell_amount)?;
                    record(
                        safe,
                        &inclusion,
                        &route.sell,
                        route.sell_amount,
                        Direction::Out,
                        &bridge(&route.provider),
                    );
                } else {
                    swap(
                        safe,
                        &inclusion,
                        (&route.sell, route.sell_amount),
                        (&route.buy, route.buy_amount),
                    )?;
                }
            }
            Plan::SignMessage { hash } => {
                safe.signed_messages.insert(hash.clone());
            }
            Plan::EnableAutomation { config } => safe.automation = Some(config.clone()),
            Plan::CreateIban | Plan::OffChain => {}
        }
    }
    Ok(credits)
}

/// What `sell_amount` fetches through `aggregator` at the market of `now`.
#[allow(clippy::too_many_arguments)]
fn market_fill(
    seed: u64,
    shocks: &crate::market::Shocks,
    chain: u64,
    aggregator: crate::market::Aggregator,
    sell: &str,
    sell_amount: u128,
    buy: &str,
    now: Millis,
) -> Result<u128, String> {
    let (sell, buy) = (
        ledger::token(chain, sell).ok_or("unknown sell token")?,
        ledger::token(chain, buy).ok_or("unknown buy token")?,
    );
    let prices = (
        crate::market::price_eur(seed, shocks, sell, now),
        crate::market::price_eur(seed, shocks, buy, now),
    );
    crate::market::offer(aggregator, sell_amount, sell, buy, prices)
        .map(|o| o.buy_amount)
        .ok_or_else(|| "amount too large to price".into())
}

/// A settled swap: `sell` out and `buy` in through the settlement contract.
fn swap(
    safe: &mut Safe,
    inclusion: &Inclusion,
    (sell, sell_amount): (&str, u128),
    (buy, buy_amount): (&str, u128),
) -> Result<(), String> {
    debit(safe, inclusion.chain, sell, sell_amount)?;
    credit(safe, inclusion.chain, buy, buy_amount);
    let settlement = ids::address_from(&[b"cow-settlement"]);
    record(
        safe,
        inclusion,
        sell,
        sell_amount,
        Direction::Out,
        &settlement,
    );
    record(safe, inclusion, buy, buy_amount, Direction::In, &settlement);
    Ok(())
}

fn credit(safe: &mut Safe, chain: u64, token: &str, amount: u128) {
    *safe
        .balances
        .entry(chain)
        .or_default()
        .entry(token.to_owned())
        .or_default() += amount;
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
    let mut books = store.books.clone();
    let mut world = World {
        safe: &mut draft,
        books: &mut books,
        routes: &store.routes,
        pricing: &Pricing::Quoted,
    };
    for op in store
        .operations
        .values()
        .filter(|o| o.safe == safe.address.to_ascii_lowercase() && o.status == OpStatus::Signed)
    {
        let _ = apply(&mut world, op.chain, &op.plans, "", now);
    }
    apply(&mut world, chain, plans, "", now)
        .map(|_| ())
        .map_err(refusal)
}

/// A dry-run failure as the 400 it is, keeping a `SYMBOL:` prefix as the error code.
fn refusal(message: String) -> ApiError {
    for code in ["VAULT_PAUSED", "VAULT_FULL"] {
        if let Some(rest) = message
            .strip_prefix(code)
            .and_then(|m| m.strip_prefix(": "))
        {
            return ApiError::new(axum::http::StatusCode::BAD_REQUEST, code, rest);
        }
    }
    ApiError::bad_request(message)
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
        let mut books = store.books.clone();
        let pricing = Pricing::Market {
            seed: store.seed,
            shocks: &store.market,
        };
        let mut world = World {
            safe: &mut draft,
            books: &mut books,
            routes: &store.routes,
            pricing: &pricing,
        };
        let outcome = apply(&mut world, op.chain, &op.plans, &tx, executed_at);
        match outcome {
            Ok(credits) => {
                draft.nonce += 1;
                let user = draft.user.clone();
                events.extend(ledger_events(&draft, op.chain, &op.plans, executed_at));
                store.safes.insert(op.safe.clone(), draft);
                store.books = books;
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
    events.extend(deliver_routes(store, now));
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

/// `MONERIUM_CREATE_IBAN` executed: an IBAN for the Safe, held by the user's KYC name when
/// known (listed by `/users/me/ibans` and `/sepa/iban`, with a bank history).
fn create_iban(store: &mut Store, user: &str, op: &Operation, at: Millis) {
    let Some(u) = store.users.get(user) else {
        return;
    };
    let holder = u
        .userdata
        .get("firstName")
        .and_then(Value::as_str)
        .map_or_else(|| "IBEx Wallet user".to_owned(), str::to_owned);
    let safe = store
        .safes
        .get(&op.safe)
        .map_or(op.safe.clone(), |s| s.address.clone());
    let seed = store.seed;
    let account = store
        .sepa
        .open(seed, user, &holder, None, &safe, op.chain, "MONERIUM", at);
    if let Some(u) = store.users.get_mut(user) {
        u.ibans.push(json!({
            "iban": account.iban,
            "bic": account.bic,
            "safeAddress": safe,
            "blockchainId": op.chain,
            "status": "approved",
            "provider": "MONERIUM",
            "createdAt": iso(at),
            "updatedAt": iso(at),
        }));
    }
}

/// `balance_update` for each token the plans touched and `new_transaction` for the newest
/// transfer (docs/api/realtime.md §4.2; balances as raw base-unit strings like the documented frame).
fn ledger_events(safe: &Safe, chain: u64, plans: &[Plan], at: Millis) -> Vec<Event> {
    let mut touched: Vec<&str> = Vec::new();
    for plan in plans {
        match plan {
            Plan::Transfer { token, .. } => touched.push(token),
            Plan::VaultDeposit { vault, .. } | Plan::VaultWithdraw { vault, .. } => {
                touched.extend(defi::vault(vault).map(|v| v.asset.address))
            }
            Plan::HyperliquidDeposit { .. } | Plan::HyperliquidWithdraw { .. } => {
                touched.push(defi::hyperliquid().asset.address)
            }
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

/// How long a bridge takes to deliver after the source leg is confirmed.
const BRIDGE_MS: Millis = 20_000;

fn route_op<'a>(store: &'a Store, route: &Route) -> Option<&'a Operation> {
    route
        .user_op_hash
        .as_ref()
        .and_then(|h| store.operations.get(h))
}

/// `GET /v1.2/safes/routes/{routeId}/status` (docs/api/operations.md §5): the route's state follows its
/// source operation, then (cross-chain) the bridge's delivery.
pub fn route_status(store: &Store, id: &str, route: &Route) -> Value {
    let op = route_op(store, route);
    let status = match op.map(|o| o.status) {
        None => "CREATED",
        Some(OpStatus::Created) => "SOURCE_PREPARED",
        Some(OpStatus::Signed) => "SOURCE_SUBMITTED",
        Some(OpStatus::Failed) => "FAILED",
        Some(_) if !route.cross_chain() => "DEST_COMPLETED",
        Some(OpStatus::Executed) => "SOURCE_CONFIRMED",
        Some(_) if route.delivered_at.is_some() => "DEST_COMPLETED",
        Some(_) => "DEST_PENDING",
    };
    json!({
        "routeId": id, "status": status, "mode": crate::routes::swaps::mode_of(route),
        "provider": route.provider, "sourceChainId": route.source_chain,
        "destinationChainId": route.destination_chain,
        "sourceUserOpHash": route.user_op_hash,
        "transactionHash": op.and_then(|o| o.transaction_hash.clone()),
        "error": op.and_then(|o| o.error.clone()),
    })
}

/// Credits the destination leg of every cross-chain route whose source leg was confirmed at
/// least [`BRIDGE_MS`] ago.
fn deliver_routes(store: &mut Store, now: Millis) -> Vec<Event> {
    let due: Vec<(String, Millis)> = store
        .routes
        .iter()
        .filter(|(_, r)| r.cross_chain() && r.delivered_at.is_none())
        .filter_map(|(id, r)| {
            let op = route_op(store, r).filter(|o| o.status == OpStatus::Confirmed)?;
            let at = op.updated_at + BRIDGE_MS;
            (at <= now).then(|| (id.clone(), at))
        })
        .collect();
    let mut events = Vec::new();
    for (id, at) in due {
        let route = store.routes[&id].clone();
        let tx = ids::hex_0x(&ids::keccak(&[b"bridge", id.as_bytes()]));
        let amount = route.deliver_amount.unwrap_or(route.buy_amount);
        if let Some(safe) = store.safes.get_mut(&route.safe) {
            let chain = route.destination_chain;
            credit(safe, chain, &route.buy, amount);
            let inclusion = Inclusion { chain, tx: &tx, at };
            record(
                safe,
                &inclusion,
                &route.buy,
                amount,
                Direction::In,
                &bridge(&route.provider),
            );
            let plan = [Plan::Transfer {
                token: route.buy.clone(),
                to: safe.address.clone(),
                amount,
            }];
            events.extend(ledger_events(safe, chain, &plan, at));
        }
        if let Some(r) = store.routes.get_mut(&id) {
            r.delivered_at = Some(at);
        }
    }
    events
}
