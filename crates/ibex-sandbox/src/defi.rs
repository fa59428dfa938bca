//! DeFi vaults: the Aave, Morpho and Hyperliquid catalog, ERC-4626-style share accounting per
//! vault (assets grow at the vault's APY on the sandbox clock, shares stay), and the JSON the
//! vault, lending and positions routes print.
//!
//! How IBEx counts positions in portfolio totals is inferred, not documented: BCReader monitors
//! aTokens (token type `AAVE`), so Aave deposits appear in balances and their totals; Morpho
//! shares and Hyperliquid balances are not monitored tokens and appear only in
//! `/users/me/pools` and `/users/me/lending`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::amount::{self, Fiat4};
use crate::clock::{iso, Millis};
use crate::ids;
use crate::ledger::{self, Token};
use crate::store::Safe;
use exact_math::mul_div;

const YEAR_MS: u128 = 365 * 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Provider {
    Aave,
    Morpho,
    Hyperliquid,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Aave => "AAVE",
            Provider::Morpho => "MORPHO",
            Provider::Hyperliquid => "HYPERLIQUID",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "AAVE" => Some(Provider::Aave),
            "MORPHO" => Some(Provider::Morpho),
            "HYPERLIQUID" => Some(Provider::Hyperliquid),
            _ => None,
        }
    }
}

/// One vault of the catalog.
#[derive(Debug)]
pub struct VaultDef {
    pub id: String,
    pub provider: Provider,
    pub chain: u64,
    /// The pool (Aave), ERC-4626 vault (Morpho) or vault (Hyperliquid) address.
    pub address: String,
    pub asset: &'static Token,
    pub name: String,
    pub apy_bps: u128,
    /// Other depositors' assets at genesis, in whole tokens.
    pub base_tvl: u128,
    /// The aToken the Safe receives (Aave only).
    pub share_token: Option<String>,
    pub is_default: bool,
}

/// Every vault: an Aave pool per priced token, two Morpho vaults (the mirror's Base USDC vault
/// and one on the default chain) and Hyperliquid's HLP vault (USDC, bridged from Arbitrum).
pub fn catalog() -> &'static [VaultDef] {
    static CATALOG: OnceLock<Vec<VaultDef>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut all: Vec<VaultDef> = ledger::TOKENS
            .iter()
            .filter(|t| t.priced())
            .map(|t| VaultDef {
                id: format!("aave:{}:{}", t.chain, t.symbol),
                provider: Provider::Aave,
                chain: t.chain,
                address: ids::address_from(&[b"aave-pool", &t.chain.to_be_bytes()]),
                asset: t,
                name: format!("Aave {}", t.symbol),
                apy_bps: if t.kind == "GAS" || t.kind == "WRAPPED" {
                    180
                } else {
                    310
                },
                base_tvl: 1_000_000,
                share_token: Some(ids::address_from(&[b"atoken", t.address.as_bytes()])),
                is_default: t.symbol == "USDC",
            })
            .collect();
        let usdc_base = ledger::token_by_symbol(8453, "USDC").expect("catalog");
        let eure_test = ledger::token_by_symbol(ledger::DEFAULT_CHAIN, "EURe").expect("catalog");
        let usdc_test = ledger::token_by_symbol(ledger::DEFAULT_CHAIN, "USDC").expect("catalog");
        all.push(VaultDef {
            id: "morpho:8453:steakhouse-usdc".into(),
            provider: Provider::Morpho,
            chain: 8453,
            address: "0xBEEF01735c132Ada46AA9aA4c54623cAA92A64CB".into(),
            asset: usdc_base,
            name: "Steakhouse USDC".into(),
            apy_bps: 540,
            base_tvl: 25_000_000,
            share_token: None,
            is_default: true,
        });
        all.push(VaultDef {
            id: format!("morpho:{}:eure", ledger::DEFAULT_CHAIN),
            provider: Provider::Morpho,
            chain: ledger::DEFAULT_CHAIN,
            address: ids::address_from(&[b"morpho-vault", b"eure"]),
            asset: eure_test,
            name: "Morpho EURe Prime (test)".into(),
            apy_bps: 460,
            base_tvl: 2_000_000,
            share_token: None,
            is_default: true,
        });
        all.push(VaultDef {
            id: "hyperliquid:hlp".into(),
            provider: Provider::Hyperliquid,
            chain: ledger::DEFAULT_CHAIN,
            address: ids::address_from(&[b"hyperliquid-vault", b"hlp"]),
            asset: usdc_test,
            name: "Hyperliquidity Provider (HLP)".into(),
            apy_bps: 820,
            base_tvl: 350_000_000,
            share_token: None,
            is_default: true,
        });
        all
    })
}

pub fn vault(id: &str) -> Option<&'static VaultDef> {
    catalog().iter().find(|v| v.id == id)
}

/// The vault of `provider` on `chain` at `address` (any case).
pub fn vault_at(provider: Provider, chain: u64, address: &str) -> Option<&'static VaultDef> {
    catalog().iter().find(|v| {
        v.provider == provider && v.chain == chain && v.address.eq_ignore_ascii_case(address)
    })
}

/// The Aave pool for `token` on `chain`.
pub fn aave_pool(chain: u64, token: &str) -> Option<&'static VaultDef> {
    catalog().iter().find(|v| {
        v.provider == Provider::Aave
            && v.chain == chain
            && v.asset.address.eq_ignore_ascii_case(token)
    })
}

pub fn hyperliquid() -> &'static VaultDef {
    vault("hyperliquid:hlp").expect("catalog")
}

/// A vault's running totals. Shares are minted 1:1 at genesis; accrual grows the assets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Book {
    pub total_assets: u128,
    pub total_shares: u128,
    pub updated_at: Millis,
    /// Set from `/__sandbox/vaults`: deposits refused with `VAULT_PAUSED`.
    #[serde(default)]
    pub paused: bool,
    /// Set from `/__sandbox/vaults`: a deposit taking the assets above it is refused (`VAULT_FULL`).
    #[serde(default)]
    pub cap: Option<u128>,
}

pub type Books = BTreeMap<String, Book>;

/// A Safe's holding in one vault.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Position {
    pub shares: u128,
    /// Assets deposited and not yet withdrawn (for `baseBalance` and `gain`).
    pub principal: u128,
}

/// Adds the vaults missing from `books` and grows every vault's assets by its APY for the time
/// since its last update (simple interest between updates, at most once a sandbox second).
pub fn accrue(books: &mut Books, now: Millis) {
    for def in catalog() {
        let book = books.entry(def.id.clone()).or_insert_with(|| {
            let genesis = def.base_tvl * 10u128.pow(def.asset.decimals);
            Book {
                total_assets: genesis,
                total_shares: genesis,
                updated_at: now,
                paused: false,
                cap: None,
            }
        });
        let elapsed = (now - book.updated_at).max(0) as u128;
        if elapsed < 1_000 {
            continue;
        }
        let growth =
            mul_div(book.total_assets, def.apy_bps * elapsed, 10_000 * YEAR_MS).unwrap_or(0);
        book.total_assets = book.total_assets.saturating_add(growth);
        book.updated_at = now;
    }
}

impl Book {
    /// Assets `shares` are worth now (rounded down, as ERC-4626 `convertToAssets`).
    pub fn assets_of(&self, shares: u128) -> u128 {
        mul_div(shares, self.total_assets, self.total_shares.max(1)).unwrap_or(0)
    }

    /// Shares `assets` buy (rounded down) or cost to withdraw (rounded up).
    fn shares_for(&self, assets: u128, round_up: bool) -> Option<u128> {
        let shares = mul_div(assets, self.total_shares, self.total_assets.max(1))?;
        let exact = mul_div(shares, self.total_assets, self.total_shares.max(1))? == assets;
        Some(if round_up && !exact {
            shares + 1
        } else {
            shares
        })
    }

    /// Deposits `assets`; returns the shares minted.
    pub fn deposit(&mut self, assets: u128) -> Result<u128, String> {
        if self.paused {
            return Err("VAULT_PAUSED: the vault is paused; deposits are not accepted".into());
        }
        let after = self
            .total_assets
            .checked_add(assets)
            .ok_or("amount too large")?;
        if self.cap.is_some_and(|cap| after > cap) {
            return Err("VAULT_FULL: the deposit exceeds the vault's supply cap".into());
        }
        let shares = self.shares_for(assets, false).ok_or("amount too large")?;
        if shares == 0 {
            return Err("amount is too small to mint a share".into());
        }
        self.total_assets = after;
        self.total_shares += shares;
        Ok(shares)
    }

    /// Burns `shares`; returns the assets paid out.
    pub fn redeem(&mut self, shares: u128) -> u128 {
        let assets = self.assets_of(shares);
        self.total_assets -= assets;
        self.total_shares -= shares;
        assets
    }

    /// The shares withdrawing exactly `assets` burns.
    pub fn shares_to_withdraw(&self, assets: u128) -> Option<u128> {
        self.shares_for(assets, true)
    }
}

/// Withdraws from `position`: `assets` exactly (burning the shares that cost, rounded up, as
/// ERC-4626 `withdraw`), or all of `shares` (as `redeem`); returns the assets paid.
pub fn withdraw(
    book: &mut Book,
    position: &mut Position,
    assets: Option<u128>,
    shares: Option<u128>,
) -> Result<u128, String> {
    let burn = match (assets, shares) {
        (Some(a), _) => book.shares_to_withdraw(a).ok_or("amount too large")?,
        (None, Some(s)) => s,
        (None, None) => return Err("amount or shares is required".into()),
    };
    if burn > position.shares {
        return Err("withdrawal exceeds the position".into());
    }
    // Principal leaves in proportion to the shares burnt.
    let principal_out = mul_div(position.principal, burn, position.shares).unwrap_or(0);
    position.shares -= burn;
    position.principal -= principal_out;
    Ok(match assets {
        Some(a) => {
            book.total_assets -= a;
            book.total_shares -= burn;
            a
        }
        None => book.redeem(burn),
    })
}

/// Fraction as a JSON number with 6 decimals (`0.031`), from basis points.
fn bps_number(bps: u128) -> Value {
    serde_json::from_str(&amount::format(bps * 100, 6)).unwrap_or(Value::Null)
}

/// Percent text with 2 decimals (`"3.10"`), as the vault catalogs print APY.
fn bps_percent(bps: u128) -> String {
    format!("{}.{:02}", bps / 100, bps % 100)
}

fn tvl_text(def: &VaultDef, book: Option<&Book>) -> String {
    let assets = book.map_or(def.base_tvl * 10u128.pow(def.asset.decimals), |b| {
        b.total_assets
    });
    amount::format(assets, def.asset.decimals)
}

/// A `GET /v1.2/safes/vaults` entry (docs/api/account.md §11).
pub fn vault_json(def: &VaultDef, book: Option<&Book>) -> Value {
    let mut metadata = json!({ "poolContract": def.address, "market": "sandbox" });
    if let Some(book) = book {
        metadata["paused"] = json!(book.paused);
        if let Some(cap) = book.cap {
            metadata["supplyCap"] = json!(amount::format(cap, def.asset.decimals));
        }
    }
    if def.provider == Provider::Hyperliquid {
        metadata["leader"] = json!(leader());
        metadata["leaderCommission"] = json!(10);
    }
    json!({
        "id": def.id, "blockchainId": def.chain, "provider": def.provider.name(), "name": def.name,
        "poolAddress": def.address, "assetTicker": def.asset.symbol, "assetAddress": def.asset.address,
        "assetDecimals": def.asset.decimals, "apy": bps_percent(def.apy_bps), "tvl": tvl_text(def, book),
        "isDefault": def.is_default, "active": !book.is_some_and(|b| b.paused),
        "supplyToken": def.asset.address, "borrowToken": def.asset.address,
        "metadata": metadata,
    })
}

fn leader() -> String {
    ids::address_from(&[b"hyperliquid-leader"])
}

/// A `GET /v1.2/users/me/lending` entry (docs/api/account.md §6); with a position, the holder's figures
/// are added (`shares`, `deposited`, `currentBalance`: not documented, additive).
pub fn lending_json(def: &VaultDef, book: Option<&Book>, position: Option<&Position>) -> Value {
    let mut entry = json!({
        "id": def.id, "blockchainId": def.chain, "provider": def.provider.name(), "address": def.address,
        "name": def.name, "assetTicker": def.asset.symbol, "assetAddress": def.asset.address,
        "assetDecimals": def.asset.decimals, "apy": bps_percent(def.apy_bps), "tvl": tvl_text(def, book),
        "isDefault": def.is_default, "acceptedTokenAddresses": [def.asset.address],
        "leader": (def.provider == Provider::Hyperliquid).then(leader),
        "leaderCommission": (def.provider == Provider::Hyperliquid).then_some(10),
    });
    if let (Some(p), Some(book)) = (position, book) {
        let d = def.asset.decimals;
        ledger::merge(
            &mut entry,
            json!({ "shares": amount::format(p.shares, d), "deposited": amount::format(p.principal, d), "currentBalance": amount::format(book.assets_of(p.shares), d) }),
        );
    }
    entry
}

/// One position in the BCReader per-address shape (`items[]` of docs/api/account.md §6).
fn position_item(def: &VaultDef, book: &Book, position: &Position) -> Value {
    let d = def.asset.decimals;
    let current = book.assets_of(position.shares);
    let gain = current.saturating_sub(position.principal);
    let gain_pct = mul_div(gain, 1_000_000, position.principal.max(1)).unwrap_or(0);
    json!({
        "tokenAddress": def.asset.address, "symbol": def.asset.symbol, "decimals": d,
        "baseBalance": amount::format(position.principal, d), "currentBalance": amount::format(current, d),
        "gain": amount::format(gain, d),
        "gainPct": serde_json::from_str::<Value>(&amount::format(gain_pct, 6)).unwrap_or(Value::Null),
        "method": match def.provider { Provider::Aave => "ATOKEN_INDEX", Provider::Morpho => "ERC4626_SHARES", Provider::Hyperliquid => "VAULT_EQUITY" },
        // APY is compounded from the simple rate the sandbox accrues at; close enough to print.
        "apr": bps_number(def.apy_bps), "apy": bps_number(def.apy_bps + def.apy_bps * def.apy_bps / 20_000),
        "vaultAddress": def.address, "shares": amount::format(position.shares, d),
    })
}

/// `GET /v1.2/users/me/pools` for one Safe on one chain (docs/api/account.md §6): a group per provider
/// with positions (every provider with `include_zero`). Hyperliquid's account balance (bridged,
/// not in a vault) is an item of its own.
pub fn positions(safe: &Safe, books: &Books, chain: u64, include_zero: bool, now: Millis) -> Value {
    let mut groups: Vec<Value> = Vec::new();
    for provider in [Provider::Aave, Provider::Morpho, Provider::Hyperliquid] {
        let mut items: Vec<Value> = catalog()
            .iter()
            .filter(|d| d.provider == provider && d.chain == chain)
            .filter_map(|def| {
                let book = books.get(&def.id)?;
                let held = safe.vaults.get(&def.id).filter(|p| p.shares > 0);
                match held {
                    Some(p) => Some(position_item(def, book, p)),
                    None if include_zero => Some(position_item(def, book, &Position::default())),
                    None => None,
                }
            })
            .collect();
        if provider == Provider::Hyperliquid
            && chain == hyperliquid().chain
            && (safe.hyperliquid > 0 || include_zero)
        {
            let usdc = hyperliquid().asset;
            let balance = amount::format(safe.hyperliquid, usdc.decimals);
            items.push(json!({
                "tokenAddress": usdc.address, "symbol": usdc.symbol, "decimals": usdc.decimals,
                "baseBalance": balance, "currentBalance": balance, "gain": "0.0", "gainPct": 0,
                "method": "ACCOUNT_BALANCE",
            }));
        }
        if !items.is_empty() {
            groups.push(json!({ "provider": provider.name(), "items": items }));
        }
    }
    json!({ "timestamp": iso(now), "blockchainId": chain.to_string(), "address": safe.address, "pools": groups })
}

/// The aToken rows a Safe's Aave positions add to its balances on `chain` (monitored tokens of
/// type `AAVE`, priced like their asset), with their EUR and USD values.
pub fn a_token_rows(
    safe: &Safe,
    books: &Books,
    chain: u64,
    include_prices: bool,
    now: Millis,
) -> Vec<(Value, Fiat4, Fiat4)> {
    catalog()
        .iter()
        .filter(|d| d.provider == Provider::Aave && d.chain == chain)
        .filter_map(|def| {
            let position = safe.vaults.get(&def.id).filter(|p| p.shares > 0)?;
            let balance = books.get(&def.id)?.assets_of(position.shares);
            let asset = def.asset;
            let mut row = ledger::balance_row(asset, balance, include_prices, now);
            ledger::merge(
                &mut row,
                json!({ "tokenAddress": def.share_token, "symbol": format!("a{}", asset.symbol), "name": format!("Aave {} aToken", asset.name), "type": "AAVE" }),
            );
            Some((
                row,
                amount::value(balance, asset.decimals, asset.price_eur),
                amount::value(balance, asset.decimals, asset.price_usd),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(assets: u128) -> Book {
        Book {
            total_assets: assets,
            total_shares: assets,
            updated_at: 0,
            paused: false,
            cap: None,
        }
    }

    #[test]
    fn shares_keep_their_claim_as_assets_grow() {
        let mut b = book(1_000_000);
        let shares = b.deposit(1_000).unwrap();
        assert_eq!(shares, 1_000);
        b.total_assets += 100_100; // 10 % yield on every asset
        assert_eq!(b.assets_of(shares), 1_100);
        let mut p = Position {
            shares,
            principal: 1_000,
        };
        // Withdrawing exactly 550 burns half the shares (rounded up) and half the principal.
        assert_eq!(withdraw(&mut b, &mut p, Some(550), None).unwrap(), 550);
        assert_eq!(p.shares, 500);
        assert_eq!(p.principal, 500);
        assert!(withdraw(&mut b, &mut p, Some(10_000), None).is_err());
    }

    #[test]
    fn paused_and_full_vaults_refuse_deposits() {
        let mut b = book(1_000);
        b.paused = true;
        assert!(b.deposit(1).unwrap_err().starts_with("VAULT_PAUSED"));
        b.paused = false;
        b.cap = Some(1_500);
        assert!(b.deposit(600).unwrap_err().starts_with("VAULT_FULL"));
        assert!(b.deposit(500).is_ok());
    }

    #[test]
    fn accrual_follows_the_apy_on_the_clock() {
        let mut books = Books::new();
        accrue(&mut books, 0);
        let id = "morpho:8453:steakhouse-usdc";
        let before = books[id].total_assets;
        accrue(&mut books, YEAR_MS as Millis);
        // 5.40 % over a year, simple interest between the two updates.
        assert_eq!(books[id].total_assets, before + before * 540 / 10_000);
    }
}
