//! JSON views of the store in the documented shapes, shared by the HTTP routes, the sign-in
//! enrichment and the WebSocket burst.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::amount::{self, Fiat4};
use crate::clock::{iso, Millis};
use crate::ids;
use crate::ledger::{self, Direction};
use crate::store::{OpStatus, Safe, Store, User};

/// Recovery module address on the chains that have it (docs/api/operations.md §3.3).
pub const RECOVERY_MODULE: &str = "0x13Ba85EC17A55BE3354bC540814D97e420b9f8C8";
/// The guardian that can start a recovery (IBEx's recovery service).
pub const GUARDIAN: &str = "0x303f215950f7B07Ae45FD98590d503E0242E7de3";

/// The Safes the session's signer can see (its own).
pub fn signer_safes<'a>(store: &'a Store, signer: &str) -> Vec<&'a Safe> {
    store.safes_of_signer(signer).collect()
}

/// The families sign-in returns in `eoaAddresses` (the server setting `WALLET_TYPE_SIGNIN`,
/// as in the mirror's example; docs/api/gaps.md G22).
const SIGN_IN_FAMILIES: [&str; 3] = ["EVM", "SOLANA", "BITCOIN_P2WPKH"];

/// Index 0 of each sign-in family, as auth responses list them (docs/api/auth.md §3.5).
pub fn eoa_addresses(store: &Store, signer: &str) -> Value {
    global_addresses(store, signer, &SIGN_IN_FAMILIES)
}

/// Index 0 of every family, unfiltered (`/users/me/address?includeDerived=true`).
pub fn all_eoa_addresses(store: &Store, signer: &str) -> Value {
    global_addresses(store, signer, &FAMILIES)
}

fn global_addresses(store: &Store, signer: &str, families: &[&str]) -> Value {
    let scope = format!("global:{signer}");
    Value::Array(
        families
            .iter()
            .map(|f| json!({ "type": f, "address": derived_address(store.seed, f, &scope, 0) }))
            .collect(),
    )
}

/// The address families the sandbox derives (docs/api/auth.md §3.5 lists more; these have encodings
/// here).
pub const FAMILIES: [&str; 6] = [
    "EVM",
    "SOLANA",
    "BITCOIN_P2WPKH",
    "BITCOIN_P2TR",
    "BITCOIN_P2WPKH_TESTNET",
    "BITCOIN_P2TR_TESTNET",
];

/// The derived address `index` of `family` in `scope` (`global:<signer>` or `safe:<address>`),
/// standing in for HKDF over the signer's master.
pub fn derived_address(seed: u64, family: &str, scope: &str, index: u32) -> String {
    let label = format!("{family}:{scope}:i:{index}");
    match family {
        "SOLANA" => ids::base58(&ids::seeded(seed, &label)),
        f if f.starts_with("BITCOIN_") => crate::bitcoin::derived(seed, f, &label),
        _ => ids::address_from(&[&seed.to_be_bytes(), label.as_bytes()]),
    }
}

/// `{FAMILY: [address of index 0, 1, …]}` for the counts in `derived` (at least index 0).
pub fn derived_lists(seed: u64, scope: &str, derived: &BTreeMap<String, u32>) -> Value {
    let lists: Map<String, Value> = FAMILIES
        .iter()
        .map(|f| {
            let count = derived.get(*f).copied().unwrap_or(1).max(1);
            (
                f.to_string(),
                json!((0..count)
                    .map(|i| derived_address(seed, f, scope, i))
                    .collect::<Vec<_>>()),
            )
        })
        .collect();
    Value::Object(lists)
}

/// `safeAddress` map `{ "<chainId>": "<address>" }` of the chains registered by now.
pub fn safe_address_map(safe: &Safe, now: Millis) -> Value {
    let map: Map<String, Value> = safe
        .registered(now)
        .into_iter()
        .map(|c| (c.to_string(), json!(safe.address)))
        .collect();
    Value::Object(map)
}

/// `GET /v1.2/users/me/address`; `None` means 204 (no wallet visible yet).
pub fn addresses(
    store: &Store,
    rp_id: &str,
    user: &str,
    signer: &str,
    now: Millis,
    include_derived: bool,
) -> Option<Value> {
    // The signer's own Safe (default salt) is the primary one, listed first; provisioned
    // Safes follow (the store's order is by address, which says nothing about which is which).
    let primary = store
        .signers
        .get(signer)
        .map(|s| s.safe.to_ascii_lowercase());
    let mut safes: Vec<&Safe> = signer_safes(store, signer)
        .into_iter()
        .filter(|s| !s.registered(now).is_empty())
        .collect();
    safes.sort_by_key(|s| {
        (
            Some(s.address.to_ascii_lowercase()) != primary,
            s.created_at,
        )
    });
    let wallets: Vec<Value> = safes
        .into_iter()
        .map(|safe| {
            let chains: Vec<Value> = safe
                .registered(now)
                .into_iter()
                .map(|chain| {
                    let mut entry = json!({ "chainId": chain });
                    let mut modules = Map::new();
                    if safe.recovery.enabled && ledger::chain(chain).is_some_and(|c| c.recovery) {
                        modules.insert("recovery".into(), json!({ "enabled": true, "moduleAddress": RECOVERY_MODULE }));
                    }
                    if let (Some(config), true) = (&safe.automation, ledger::chain(chain).is_some_and(|c| c.automation)) {
                        let mut automation = json!({ "enabled": true, "moduleAddress": ids::address_from(&[b"allowance-module"]) });
                        for key in ["targetAddress", "percentage", "frequency", "tokenAddress", "transferMode", "fixedAmount"] {
                            if let Some(v) = config.get(key) {
                                automation[key] = v.clone();
                            }
                        }
                        modules.insert("automation".into(), automation);
                    }
                    if !modules.is_empty() {
                        entry["modules"] = Value::Object(modules);
                    }
                    entry
                })
                .collect();
            let mut wallet = json!({
                "safeAddress": safe.address,
                "chainIds": safe.registered(now),
                "threshold": safe.threshold,
                "chains": chains,
                "createdAt": iso(safe.created_at),
                "updatedAt": iso(safe.created_at),
                "primary": Some(safe.address.to_ascii_lowercase()) == primary,
            });
            if include_derived {
                let scope = format!("safe:{}", safe.address.to_ascii_lowercase());
                wallet["derived"] = json!({
                    "perSafe": derived_lists(store.seed, &scope, &safe.derived),
                    "global": { "eoaAddresses": all_eoa_addresses(store, signer) },
                });
            }
            wallet
        })
        .collect();
    (!wallets.is_empty()).then(|| {
        json!({ "rpId": rp_id, "externalUserId": user, "signerId": signer, "count": wallets.len(), "wallets": wallets })
    })
}

pub struct BalanceQuery<'a> {
    pub chain: Option<u64>,
    pub include_zero: bool,
    pub include_prices: bool,
    /// Vault totals, for the aTokens of Aave positions.
    pub books: &'a crate::defi::Books,
}

fn token_rows(
    safe: &Safe,
    chain: u64,
    q: &BalanceQuery,
    now: Millis,
) -> (Vec<Value>, Fiat4, Fiat4) {
    let (mut eur, mut usd) = (0, 0);
    let mut rows: Vec<Value> = ledger::tokens(chain)
        .filter_map(|token| {
            let balance = safe.balance(chain, token.address);
            if balance == 0 && !q.include_zero {
                return None;
            }
            eur += amount::value(balance, token.decimals, token.price_eur);
            usd += amount::value(balance, token.decimals, token.price_usd);
            Some(ledger::balance_row(token, balance, q.include_prices, now))
        })
        .collect();
    for (row, e, u) in crate::defi::a_token_rows(safe, q.books, chain, q.include_prices, now) {
        rows.push(row);
        eur += e;
        usd += u;
    }
    (rows, eur, usd)
}

/// Aggregated balances over `safes` (docs/api/account.md §4).
pub fn balances(safes: &[&Safe], q: &BalanceQuery, now: Millis) -> Value {
    let mut crypto: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let (mut eur, mut usd) = (0, 0);
    for safe in safes {
        for chain in safe
            .registered(now)
            .into_iter()
            .filter(|c| q.chain.is_none_or(|w| w == *c))
        {
            let (tokens, e, u) = token_rows(safe, chain, q, now);
            eur += e;
            usd += u;
            if !tokens.is_empty() {
                crypto.entry(chain.to_string()).or_default().insert(
                    safe.address.clone(),
                    json!({ "tokens": tokens, "pending": [] }),
                );
            }
        }
    }
    json!({
        "timestamp": iso(now),
        "crypto": crypto,
        "fiat": {},
        "totals": totals(eur, usd),
        "prices_available": q.include_prices,
    })
}

fn totals(eur: Fiat4, usd: Fiat4) -> Value {
    json!({
        "crypto_total_value_eur": amount::fiat_string(eur),
        "crypto_total_value_usd": amount::fiat_string(usd),
        "fiat_total_value_eur": "0.00",
        "fiat_total_value_usd": "0.00",
        "grand_total_value_eur": amount::fiat_string(eur),
        "grand_total_value_usd": amount::fiat_string(usd),
        "conversion_rate_eur_usd": amount::fiat_number(ledger::EUR_USD),
    })
}

/// Wallet-scoped balances: the typed envelope (docs/api/account.md §4, "Scoped").
pub fn wallet_balances(safe: &Safe, q: &BalanceQuery, now: Millis) -> Value {
    let mut tokens = Vec::new();
    for chain in safe
        .registered(now)
        .into_iter()
        .filter(|c| q.chain.is_none_or(|w| w == *c))
    {
        for mut row in token_rows(safe, chain, q, now).0 {
            row["blockchainId"] = json!(chain);
            tokens.push(row);
        }
    }
    let mut out = json!({ "type": "crypto", "identifier": safe.address, "timestamp": iso(now), "balance": { "tokens": tokens, "pending": [] } });
    if let Some(chain) = q.chain {
        out["blockchainId"] = json!(chain);
    }
    out
}

#[derive(Debug, Default)]
pub struct TxQuery {
    pub chain: Option<u64>,
    pub scope: String,
    pub direction: Option<Direction>,
    pub token: Option<Vec<String>>,
    pub hash: Option<String>,
    pub start: String,
    pub end: String,
    pub page: usize,
    pub limit: usize,
    pub include_prices: bool,
}

/// Aggregated transactions with per-chain pagination (docs/api/account.md §5).
pub fn transactions(safes: &[&Safe], q: &TxQuery, now: Millis) -> Value {
    let mut per_chain: BTreeMap<String, Value> = BTreeMap::new();
    for chain in ledger::CHAINS
        .iter()
        .map(|c| c.id)
        .filter(|c| q.chain.is_none_or(|w| w == *c))
    {
        let rows: Vec<Value> = safes
            .iter()
            .filter(|s| s.registered(now).contains(&chain))
            .flat_map(|s| s.transfers.iter())
            .filter(|t| t.chain == chain)
            .filter(|t| q.direction.is_none_or(|d| d == t.direction))
            .filter(|t| {
                q.token
                    .as_ref()
                    .is_none_or(|list| list.iter().any(|a| a.eq_ignore_ascii_case(&t.token)))
            })
            .filter(|t| {
                q.hash
                    .as_ref()
                    .is_none_or(|h| h.eq_ignore_ascii_case(&t.hash))
            })
            .filter(|t| {
                let day = &iso(t.at)[..10];
                day >= q.start.as_str() && day <= q.end.as_str()
            })
            .map(|t| ledger::transfer_row(t, q.include_prices))
            .collect();
        if rows.is_empty() && safes.iter().all(|s| !s.registered(now).contains(&chain)) {
            continue;
        }
        let total = rows.len();
        let data: Vec<Value> = rows
            .into_iter()
            .skip((q.page - 1) * q.limit)
            .take(q.limit)
            .collect();
        per_chain.insert(chain.to_string(), json!({ "total": total, "page": q.page, "limit": q.limit, "totalPages": total.div_ceil(q.limit), "data": data }));
    }
    let crypto = json!({ "timestamp": iso(now), "transactions": per_chain, "prices_available": q.include_prices });
    let fiat = json!({ "ibans": [], "total": 0, "data": [], "filters": { "startDate": q.start, "endDate": q.end } });
    match q.scope.as_str() {
        "crypto" => json!({ "type": "crypto", "crypto": crypto }),
        "fiat" => json!({ "type": "fiat", "fiat": fiat }),
        _ => json!({ "type": "mixed", "crypto": crypto, "fiat": fiat }),
    }
}

/// `GET /v1.2/recovery/status/{safe}` (docs/api/operations.md §7).
pub fn recovery(store: &Store, safe: &Safe, delay_s: i64, now: Millis) -> Value {
    let r = &safe.recovery;
    let ops: Vec<_> = store
        .operations
        .values()
        .filter(|o| o.safe == safe.address.to_ascii_lowercase())
        .filter(|o| {
            o.items.iter().any(|i| {
                matches!(
                    i.get("type").and_then(Value::as_str),
                    Some("ENABLE_RECOVERY" | "CANCEL_RECOVERY")
                )
            })
        })
        .collect();
    let row = |o: &&crate::store::Operation| json!({ "userOpHash": o.user_op_hash, "transactionHash": o.transaction_hash, "status": o.status, "createdAt": iso(o.created_at), "updatedAt": iso(o.updated_at) });
    let pending: Vec<Value> = ops
        .iter()
        .filter(|o| matches!(o.status, OpStatus::Created | OpStatus::Signed))
        .map(row)
        .collect();
    let executed: Vec<Value> = ops
        .iter()
        .filter(|o| matches!(o.status, OpStatus::Executed | OpStatus::Confirmed))
        .map(row)
        .collect();
    let latest = ops.iter().max_by_key(|o| o.updated_at);
    json!({
        "safeAddress": safe.address,
        "recoveryEnabled": r.enabled,
        "recoveryAddress": if r.enabled { json!(GUARDIAN) } else { Value::Null },
        "delay": if r.enabled { json!(delay_s) } else { Value::Null },
        "pendingRecovery": r.execute_after.is_some(),
        "canExecute": r.execute_after.is_some_and(|at| at <= now),
        "executeAfter": r.execute_after.map(iso),
        "dataRecovery": r.identity.is_some(),
        "pending": pending,
        "executed": executed,
        "userOpHash": latest.map(|o| o.user_op_hash.clone()),
        "transactionHash": latest.and_then(|o| o.transaction_hash.clone()),
    })
}

pub fn signers(store: &Store, user: &User) -> Value {
    let list: Vec<Value> = user
        .signers
        .iter()
        .filter_map(|id| store.signers.get(id))
        .map(|s| {
            let description = match s.auth_method.as_str() {
                "PASSKEY" => "WebAuthn passkey (P-256)",
                "PIN_KDF" => "PIN/password-derived secp256k1 key",
                "EMAIL" => "E-mail wallet key",
                _ => "Externally owned account (EIP-7702)",
            };
            json!({
                "id": s.id, "type": s.kind, "typeDescription": description, "walletMode": s.wallet_mode,
                "keyName": s.key_name, "keyDisplayName": s.key_display_name, "createdAt": iso(s.created_at),
                "safesCount": store.safes_of_signer(&s.id).count(),
            })
        })
        .collect();
    json!({ "count": list.len(), "signers": list })
}

pub fn kyc(user: &User) -> Value {
    let status = match user.kyc_level {
        0 => "not_started",
        1 => "pending",
        _ => "verified",
    };
    json!({ "externalUserId": user.external_user_id, "kycLevel": user.kyc_level.to_string(), "status": status, "verified": user.kyc_level >= 2 })
}

pub fn ibans(user: &User) -> Value {
    json!({ "count": user.ibans.len(), "ibans": user.ibans })
}

pub fn addressbook(user: &User) -> Value {
    json!({ "success": true, "data": user.addressbook.values().collect::<Vec<_>>() })
}

/// `GET /v1.2/users/me/chainid` (docs/api/account.md §6).
pub fn chainid(safes: &[&Safe], now: Millis) -> Value {
    let chains: Vec<Value> = ledger::CHAINS
        .iter()
        .map(|c| {
            let mine: Vec<&&Safe> = safes
                .iter()
                .filter(|s| s.registered(now).contains(&c.id))
                .collect();
            // "N/A": the module does not exist on the chain; otherwise whether it is on for the signer.
            let flag = |available: bool, on: bool| if available { json!(on) } else { json!("N/A") };
            let modules = json!({
                "recovery": flag(c.recovery, mine.iter().any(|s| s.recovery.enabled)),
                "automation": flag(c.automation, mine.iter().any(|s| s.automation.is_some())),
                "multisig": true,
            });
            let wallets: Vec<Value> = mine
                .iter()
                .map(|s| json!({ "address": s.address }))
                .collect();
            json!({ "chainId": c.id, "chainName": c.name, "modules": modules, "wallets": wallets })
        })
        .collect();
    json!({ "defaultChainId": ledger::DEFAULT_CHAIN, "chains": chains })
}

/// The seven sections of `GET /v1.2/users/me` (docs/api/account.md §1), compact as over HTTP.
pub fn user_sections(
    store: &Store,
    rp_id: &str,
    user: &User,
    signer: &str,
    now: Millis,
) -> Vec<(&'static str, Value)> {
    let safes = signer_safes(store, signer);
    let tx = TxQuery {
        scope: "mixed".into(),
        start: "2025-01-01".into(),
        end: "9999-12-31".into(),
        page: 1,
        limit: 50,
        include_prices: true,
        ..TxQuery::default()
    };
    let q = BalanceQuery {
        chain: None,
        include_zero: false,
        include_prices: true,
        books: &store.books,
    };
    vec![
        (
            "addresses",
            addresses(store, rp_id, &user.external_user_id, signer, now, false)
                .unwrap_or_else(|| json!({ "count": 0, "wallets": [] })),
        ),
        ("balances", balances(&safes, &q, now)),
        ("ibans", ibans(user)),
        ("signers", signers(store, user)),
        ("transactions", transactions(&safes, &tx, now)),
        ("kycStatus", kyc(user)),
        ("addressbook", addressbook(user)),
    ]
}

/// The `balance` / `transactions` / `userdata` blocks a sign-in asked for with its
/// `include*` flags (docs/api/auth.md §7).
pub fn enrichment(
    store: &Store,
    rp_id: &str,
    user: &str,
    signer: &str,
    flags: &Value,
    now: Millis,
) -> Map<String, Value> {
    let wants = |flag: &str| flags.get(flag) == Some(&Value::Bool(true));
    let safes = signer_safes(store, signer);
    let mut out = Map::new();
    if wants("includeBalance") {
        let q = BalanceQuery {
            chain: None,
            include_zero: true,
            include_prices: true,
            books: &store.books,
        };
        out.insert("balance".into(), balances(&safes, &q, now));
    }
    if wants("includeTransactions") {
        let q = TxQuery {
            scope: "mixed".into(),
            start: "2025-01-01".into(),
            end: "9999-12-31".into(),
            page: 1,
            limit: 50,
            include_prices: true,
            ..TxQuery::default()
        };
        out.insert("transactions".into(), transactions(&safes, &q, now));
    }
    if let (true, Some(user)) = (wants("includeUserdata"), store.users.get(user)) {
        let sections = user_sections(store, rp_id, user, signer, now);
        out.insert(
            "userdata".into(),
            Value::Object(
                sections
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
            ),
        );
    }
    out
}

/// Whether a sandbox signer or Safe derived `address` in one of `families` (only those hold
/// Bitcoin or Solana coins).
pub fn is_derived(store: &Store, families: &[&str], address: &str) -> bool {
    let scopes = store
        .signers
        .values()
        .map(|s| (format!("global:{}", s.id), &s.derived))
        .chain(store.safes.values().map(|s| {
            (
                format!("safe:{}", s.address.to_ascii_lowercase()),
                &s.derived,
            )
        }));
    for (scope, counts) in scopes {
        for family in families {
            let count = counts.get(*family).copied().unwrap_or(1).max(1);
            if (0..count).any(|i| derived_address(store.seed, family, &scope, i) == address) {
                return true;
            }
        }
    }
    false
}
