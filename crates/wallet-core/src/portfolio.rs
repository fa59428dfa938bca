//! The portfolio: every holding of the user's wallets with its fiat value, per-chain and
//! per-wallet subtotals summed exactly, and the documented totals. The last snapshot is kept
//! in the cache store so the next start shows it before the network answers.

use ibex::models::account::{Balances, Scope, TokenBalance};
use ibex::Address;
use serde::{Deserialize, Serialize};

use crate::core::network_key;
use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::money::{self, Exact};
use crate::network::Connection;

/// Bump when [`Portfolio`] changes shape: older snapshots are then discarded, not misread.
pub const SNAPSHOT_VERSION: u32 = 2;

/// Why a row is hidden until the user asks to see everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum HiddenReason {
    /// Balance 0 (listed because the wallet asks for `includeZero`).
    Zero,
    /// Symbol or name looks like a lure: a web address or "claim your reward" wording.
    Suspicious,
    /// The indexer marks the token inactive.
    Unverified,
    /// No market price while prices are available for other tokens.
    Unpriced,
}

/// One token held by one wallet on one chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenRow {
    pub chain_id: u32,
    /// The wallet (Safe) holding it, as IBEx wrote it.
    pub wallet: String,
    /// EIP-55; the zero address is the chain's native coin.
    pub token_address: String,
    pub symbol: String,
    pub name: Option<String>,
    /// `None` when IBEx did not say (such a token is shown, never sent).
    pub decimals: Option<u8>,
    /// Exact decimal text, whole tokens.
    pub balance: String,
    /// Exact decimal text from IBEx; absent without a price.
    pub value_eur: Option<String>,
    pub value_usd: Option<String>,
    pub price_eur: Option<String>,
    pub price_usd: Option<String>,
    /// Where the price comes from (e.g. `coinbase`).
    pub price_source: Option<String>,
    /// Set when the row is hidden by default.
    pub hidden: Option<HiddenReason>,
}

/// The value held by one wallet on one chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WalletTotal {
    pub wallet: String,
    pub value_eur: String,
    pub value_usd: String,
}

/// The value held on one chain, and per wallet there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChainTotal {
    pub chain_id: u32,
    pub value_eur: String,
    pub value_usd: String,
    pub wallets: Vec<WalletTotal>,
}

/// Everything the portfolio page shows. Fiat amounts are exact decimal text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Portfolio {
    /// When IBEx computed these balances (its `timestamp`), ISO 8601.
    pub updated_at: String,
    /// `grand_total_value_eur` (documented totals).
    pub total_eur: String,
    /// `grand_total_value_usd`, or the EUR total at `conversion_rate_eur_usd`.
    pub total_usd: String,
    pub conversion_rate_eur_usd: Option<String>,
    pub prices_available: bool,
    pub chains: Vec<ChainTotal>,
    /// The value held by each Safe of the account over every chain (exact sums of its rows),
    /// in the order IBEx lists them.
    pub safes: Vec<WalletTotal>,
    /// By chain, then by fiat value (largest first), then symbol.
    pub tokens: Vec<TokenRow>,
}

/// What the cache keeps: the version, then the snapshot.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    portfolio: Portfolio,
}

fn bad_response(what: &str) -> AppError {
    AppError::new(
        ErrorCode::BadResponse,
        Msg::BalancesUnreadable {
            what: what.to_string(),
        },
    )
}

/// Builds the portfolio from the aggregated balances (`crypto[chain][wallet].tokens[]`).
pub(crate) fn build(balances: Balances, now: &str) -> Result<Portfolio, AppError> {
    let prices_available = balances.prices_available != Some(false);
    let mut tokens = Vec::new();
    for (chain, wallets) in &balances.crypto {
        let Ok(chain_id) = chain.parse::<u32>() else {
            tracing::warn!(
                chain,
                "skipping balances of a chain id that is not a number"
            );
            continue;
        };
        for (wallet, holdings) in wallets {
            let wallet = wallet
                .parse::<Address>()
                .map_or_else(|_| wallet.clone(), |a| a.to_checksum());
            tokens.extend(
                holdings
                    .tokens
                    .iter()
                    .map(|t| token_row(chain_id, &wallet, t, prices_available)),
            );
        }
    }
    tokens.sort_by(|a, b| {
        let value = |r: &TokenRow| r.value_eur.as_deref().and_then(Exact::parse);
        a.chain_id
            .cmp(&b.chain_id)
            .then_with(|| value(b).cmp(&value(a)))
            .then_with(|| a.symbol.cmp(&b.symbol))
    });
    let chains = subtotals(&tokens)?;
    let safes = per_safe(&tokens)?;
    let totals = balances.totals.unwrap_or_default();
    let eur_sum = money::sum(chains.iter().map(|c| c.value_eur.as_str()))
        .ok_or_else(|| bad_response("EUR sum"))?;
    let usd_sum = money::sum(chains.iter().map(|c| c.value_usd.as_str()))
        .ok_or_else(|| bad_response("USD sum"))?;
    let total_eur = totals
        .grand_total_value_eur
        .or(totals.crypto_total_value_eur)
        .map_or_else(|| eur_sum.to_text(2), |d| d.as_str().to_owned());
    let rate = totals.conversion_rate_eur_usd.as_ref();
    let total_usd = match (
        totals
            .grand_total_value_usd
            .or(totals.crypto_total_value_usd),
        Exact::parse(&total_eur).zip(rate.and_then(|r| Exact::parse(r.as_str()))),
    ) {
        (Some(usd), _) => usd.as_str().to_owned(),
        (None, Some((eur, rate))) => eur
            .checked_mul(rate)
            .ok_or_else(|| bad_response("USD conversion"))?
            .round(2)
            .to_text(2),
        (None, None) => usd_sum.to_text(2),
    };
    Ok(Portfolio {
        updated_at: balances.timestamp.unwrap_or_else(|| now.to_owned()),
        total_eur,
        total_usd,
        conversion_rate_eur_usd: rate.map(|r| r.as_str().to_owned()),
        prices_available,
        chains,
        safes,
        tokens,
    })
}

/// Exact sums per Safe over all chains, from the rows themselves (not from rounded subtotals).
fn per_safe(tokens: &[TokenRow]) -> Result<Vec<WalletTotal>, AppError> {
    let mut wallets: Vec<&str> = Vec::new();
    for row in tokens {
        if !wallets.contains(&row.wallet.as_str()) {
            wallets.push(&row.wallet);
        }
    }
    wallets
        .into_iter()
        .map(|wallet| {
            let mine = || tokens.iter().filter(move |r| r.wallet == wallet);
            Ok(WalletTotal {
                wallet: wallet.to_owned(),
                value_eur: fiat_sum(mine().filter_map(|r| r.value_eur.as_deref()))?,
                value_usd: fiat_sum(mine().filter_map(|r| r.value_usd.as_deref()))?,
            })
        })
        .collect()
}

fn token_row(chain_id: u32, wallet: &str, t: &TokenBalance, prices_available: bool) -> TokenRow {
    let text = |d: &Option<ibex::Decimal>| d.as_ref().map(|d| d.as_str().to_owned());
    let symbol = t.symbol.clone().unwrap_or_else(|| "?".to_owned());
    TokenRow {
        chain_id,
        wallet: wallet.to_owned(),
        token_address: t.token_address.unwrap_or(Address::ZERO).to_checksum(),
        hidden: hidden_reason(t, &symbol, prices_available),
        symbol,
        name: t.name.clone(),
        // Unknown stays unknown: a guessed 18 would be a wrong amount the moment it is used.
        decimals: t.decimals,
        balance: t.balance.as_str().to_owned(),
        value_eur: text(&t.value_eur),
        value_usd: text(&t.value_usd),
        price_eur: text(&t.price_eur),
        price_usd: text(&t.price_usd),
        price_source: t.price_source.clone(),
    }
}

/// Zero balances, lures, inactive and unpriced tokens are hidden by default.
pub(crate) fn hidden_reason(
    t: &TokenBalance,
    symbol: &str,
    prices_available: bool,
) -> Option<HiddenReason> {
    if Exact::parse(t.balance.as_str()).is_some_and(Exact::is_zero) {
        Some(HiddenReason::Zero)
    } else if looks_like_lure(symbol) || t.name.as_deref().is_some_and(looks_like_lure) {
        Some(HiddenReason::Suspicious)
    } else if t.active == Some(false) {
        Some(HiddenReason::Unverified)
    } else if prices_available && t.price_eur.is_none() && t.price_usd.is_none() {
        Some(HiddenReason::Unpriced)
    } else {
        None
    }
}

/// Airdropped scam tokens advertise a site or a reward in their symbol or name; symbols in
/// another script mimic real ones (a Cyrillic "USDС").
fn looks_like_lure(text: &str) -> bool {
    const WORDS: [&str; 9] = [
        "http", "www.", "://", "claim", "reward", "airdrop", "visit", "voucher", "giveaway",
    ];
    const DOMAINS: [&str; 10] = [
        ".com", ".xyz", ".io", ".org", ".net", ".app", ".site", ".online", ".top", ".vip",
    ];
    let lower = text.to_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
        || DOMAINS.iter().any(|d| {
            lower.match_indices(d).any(|(i, _)| {
                // A domain ends there (not "USDC.e" or ".iota").
                !lower[i + d.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            })
        })
        || (text.len() <= 16 && !text.is_ascii())
}

/// Exact per-chain and per-wallet sums of the rows' fiat values (rows without one add 0).
fn subtotals(tokens: &[TokenRow]) -> Result<Vec<ChainTotal>, AppError> {
    let mut chains: Vec<ChainTotal> = Vec::new();
    for row in tokens {
        if chains.last().is_none_or(|c| c.chain_id != row.chain_id) {
            chains.push(ChainTotal {
                chain_id: row.chain_id,
                value_eur: String::new(),
                value_usd: String::new(),
                wallets: Vec::new(),
            });
        }
        let chain = chains.last_mut().expect("pushed above");
        if !chain.wallets.iter().any(|w| w.wallet == row.wallet) {
            let mine: Vec<&TokenRow> = tokens
                .iter()
                .filter(|r| r.chain_id == row.chain_id && r.wallet == row.wallet)
                .collect();
            chain.wallets.push(WalletTotal {
                wallet: row.wallet.clone(),
                value_eur: fiat_sum(mine.iter().filter_map(|r| r.value_eur.as_deref()))?,
                value_usd: fiat_sum(mine.iter().filter_map(|r| r.value_usd.as_deref()))?,
            });
        }
    }
    for chain in &mut chains {
        chain.value_eur = fiat_sum(chain.wallets.iter().map(|w| w.value_eur.as_str()))?;
        chain.value_usd = fiat_sum(chain.wallets.iter().map(|w| w.value_usd.as_str()))?;
    }
    Ok(chains)
}

fn fiat_sum<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<String, AppError> {
    money::sum(values)
        .map(|s| s.to_text(2))
        .ok_or_else(|| bad_response("a fiat value"))
}

/// The cache key: one snapshot per network and account (it holds every Safe of the account).
fn cache_key(conn: &Connection) -> Option<String> {
    let id = conn.auth.current_id()?;
    Some(network_key(&format!("portfolio:{id}"), conn))
}

/// Reads a cached snapshot; another version or an unreadable value is dropped with a warning.
pub(crate) fn decode_snapshot(value: serde_json::Value) -> Option<Portfolio> {
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(SNAPSHOT_VERSION)) {
        tracing::warn!(
            ?version,
            expected = SNAPSHOT_VERSION,
            "discarding a portfolio snapshot of another version"
        );
        return None;
    }
    match serde_json::from_value::<Snapshot>(value) {
        Ok(s) => Some(s.portfolio),
        Err(e) => {
            tracing::warn!(error = %e, "discarding an unreadable portfolio snapshot");
            None
        }
    }
}

fn encode_snapshot(portfolio: &Portfolio) -> serde_json::Value {
    serde_json::to_value(Snapshot {
        version: SNAPSHOT_VERSION,
        portfolio: portfolio.clone(),
    })
    .unwrap_or_default()
}

pub(crate) fn now_iso() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The portfolio commands.
impl crate::Core {
    /// The last snapshot of the signed-in wallet, from the cache only (no network call), so the
    /// page has something to show at once. `None` when there is none (or it was unreadable).
    pub async fn portfolio_cached(&self) -> Result<Option<Portfolio>, AppError> {
        let conn = self.connection().await?;
        conn.auth.signed_in()?;
        Ok(cache_key(&conn)
            .and_then(|key| self.cache.get(&key))
            .and_then(decode_snapshot))
    }

    /// Fetches the balances (zero balances included, so they can be shown on request), builds
    /// the portfolio and saves it as the next start's snapshot. `NotIndexed` when IBEx is
    /// still indexing the wallet (after the client's documented retry).
    pub async fn portfolio_refresh(&self) -> Result<Portfolio, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let key = cache_key(&conn);
        // From here on IBEx pushes new transactions and balances.
        conn.ops.go_live(&session);
        let scope = Scope {
            include_zero: Some(true),
            ..Scope::default()
        };
        let balances = session.balances(&scope).await.map_err(|e| match e {
            ibex::Error::NotIndexed { .. } => {
                AppError::new(ErrorCode::NotIndexed, Msg::IndexingBalances)
            }
            other => other.into(),
        })?;
        let portfolio = build(balances, &now_iso())?;
        if let Some(Err(e)) = key.map(|k| self.cache.set(&k, encode_snapshot(&portfolio))) {
            tracing::warn!(error = %e, "portfolio snapshot not cached");
        }
        Ok(portfolio)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{JsonFileStore, KvStore};

    fn balances(json: serde_json::Value) -> Balances {
        serde_json::from_value(json).unwrap()
    }

    const SAFE_A: &str = "0x67b3a55a00000000000000000000000000000001";
    const SAFE_B: &str = "0x391ff36000000000000000000000000000000002";

    fn sample() -> Balances {
        balances(serde_json::json!({
            "timestamp": "2026-05-14T19:07:41.697Z",
            "crypto": {
                "100": { SAFE_A: { "tokens": [
                    { "tokenAddress": "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430", "symbol": "EURe", "decimals": 18,
                      "balance": "2.000000000000000001", "price_usd": 1.18, "price_eur": 1, "value_usd": "2.36", "value_eur": "2.00", "price_source": "coinbase" },
                    { "symbol": "xDAI", "balance": "0.1", "price_usd": 1, "price_eur": 0.8477, "value_usd": "0.10", "value_eur": "0.08", "price_source": "coinbase" },
                    { "symbol": "WETH", "balance": "0.0", "price_usd": 3000, "price_eur": 2543, "value_usd": "0.00", "value_eur": "0.00" },
                ], "pending": [] } },
                "421614": {
                    SAFE_A: { "tokens": [ { "symbol": "ETH", "balance": "0.005", "price_usd": 3000, "price_eur": 2543, "value_usd": "15.00", "value_eur": "12.715", "price_source": "FAUCET_PRICE" } ] },
                    SAFE_B: { "tokens": [
                        { "symbol": "USDC", "balance": "0.1", "price_usd": 1, "price_eur": 0.8477, "value_usd": "0.1", "value_eur": "0.2" },
                        { "symbol": "CLAIM-BASE.XYZ", "name": "Visit https://claim-base.xyz", "balance": "1000", "active": false },
                    ] }
                }
            },
            "fiat": {},
            "totals": { "crypto_total_value_eur": "720.75", "grand_total_value_eur": "720.75", "conversion_rate_eur_usd": 1.1797 },
            "prices_available": true
        }))
    }

    #[test]
    fn subtotals_are_exact_and_totals_follow_the_documented_fields() {
        let p = build(sample(), "now").unwrap();
        assert_eq!(p.updated_at, "2026-05-14T19:07:41.697Z");
        // The documented grand total wins; USD from the rate when IBEx gives no USD total.
        assert_eq!(p.total_eur, "720.75");
        assert_eq!(p.total_usd, "850.27");
        assert_eq!(p.conversion_rate_eur_usd.as_deref(), Some("1.1797"));
        let gnosis = &p.chains[0];
        assert_eq!(
            (
                gnosis.chain_id,
                gnosis.value_eur.as_str(),
                gnosis.value_usd.as_str()
            ),
            (100, "2.08", "2.46")
        );
        let arb = &p.chains[1];
        assert_eq!(
            (arb.value_eur.as_str(), arb.value_usd.as_str()),
            ("12.915", "15.10")
        );
        assert_eq!(arb.wallets.len(), 2);
        assert_eq!(arb.wallets[1].value_eur, "0.20");
        // Per Safe over every chain, exact: 2.00 + 0.08 + 0.00 + 12.715 for A.
        let safes: Vec<(&str, &str)> = p
            .safes
            .iter()
            .map(|s| (s.wallet.as_str(), s.value_eur.as_str()))
            .collect();
        let a = SAFE_A.parse::<Address>().unwrap().to_checksum();
        let b = SAFE_B.parse::<Address>().unwrap().to_checksum();
        assert_eq!(safes, [(a.as_str(), "14.795"), (b.as_str(), "0.20")]);
        // Exact balances, largest value first per chain.
        assert_eq!(p.tokens[0].balance, "2.000000000000000001");
        assert_eq!(
            p.tokens[0].wallet,
            SAFE_A.parse::<Address>().unwrap().to_checksum()
        );
        assert_eq!(
            p.tokens
                .iter()
                .map(|t| t.symbol.as_str())
                .collect::<Vec<_>>(),
            ["EURe", "xDAI", "WETH", "ETH", "USDC", "CLAIM-BASE.XYZ"]
        );
    }

    #[test]
    fn sums_without_documented_totals() {
        let mut b = sample();
        b.totals = None;
        let p = build(b, "now").unwrap();
        assert_eq!(
            (p.total_eur.as_str(), p.total_usd.as_str()),
            ("14.995", "17.56")
        );
    }

    #[test]
    fn zero_lures_inactive_and_unpriced_are_hidden() {
        let p = build(sample(), "now").unwrap();
        let hidden: Vec<_> = p
            .tokens
            .iter()
            .map(|t| (t.symbol.as_str(), t.hidden))
            .collect();
        assert_eq!(
            hidden,
            [
                ("EURe", None),
                ("xDAI", None),
                ("WETH", Some(HiddenReason::Zero)),
                ("ETH", None),
                ("USDC", None),
                ("CLAIM-BASE.XYZ", Some(HiddenReason::Suspicious)),
            ]
        );
        let token = |symbol: &str, extra: serde_json::Value| {
            let mut v = serde_json::json!({ "symbol": symbol, "balance": "1", "price_eur": 1 });
            if let (Some(v), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
                v.extend(extra);
            }
            serde_json::from_value::<TokenBalance>(v).unwrap()
        };
        let reason = |t: &TokenBalance| hidden_reason(t, t.symbol.as_deref().unwrap(), true);
        assert_eq!(reason(&token("USDC.e", serde_json::json!({}))), None);
        assert_eq!(
            reason(&token("USDС", serde_json::json!({}))),
            Some(HiddenReason::Suspicious)
        );
        assert_eq!(
            reason(&token("AirDrop", serde_json::json!({}))),
            Some(HiddenReason::Suspicious)
        );
        assert_eq!(
            reason(&token(
                "ok",
                serde_json::json!({ "name": "go to usdc-gift.com now" })
            )),
            Some(HiddenReason::Suspicious)
        );
        assert_eq!(
            reason(&token("ok", serde_json::json!({ "active": false }))),
            Some(HiddenReason::Unverified)
        );
        assert_eq!(
            reason(&token("ok", serde_json::json!({ "price_eur": null }))),
            Some(HiddenReason::Unpriced)
        );
        // Without prices at all, nothing is "unpriced".
        let t = token("ok", serde_json::json!({ "price_eur": null }));
        assert_eq!(hidden_reason(&t, "ok", false), None);
    }

    #[test]
    fn snapshots_round_trip_and_other_versions_or_garbage_are_discarded() {
        let p = build(sample(), "now").unwrap();
        assert_eq!(decode_snapshot(encode_snapshot(&p)), Some(p.clone()));
        let mut other = encode_snapshot(&p);
        other["version"] = serde_json::json!(SNAPSHOT_VERSION + 1);
        assert_eq!(decode_snapshot(other), None);
        assert_eq!(
            decode_snapshot(
                serde_json::json!({ "version": SNAPSHOT_VERSION, "portfolio": { "totalEur": 5 } })
            ),
            None
        );
        assert_eq!(decode_snapshot(serde_json::json!("garbage")), None);
        assert_eq!(
            decode_snapshot(serde_json::json!({ "portfolio": {} })),
            None
        );
    }

    #[test]
    fn a_corrupt_cache_file_is_restored_or_starts_empty_and_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        let p = build(sample(), "now").unwrap();
        JsonFileStore::open(&path)
            .set("k", encode_snapshot(&p))
            .unwrap();
        assert_eq!(
            JsonFileStore::open(&path)
                .get("k")
                .and_then(decode_snapshot),
            Some(p.clone())
        );
        // Cut in the middle: restored from the store's copy.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let store = JsonFileStore::open(&path);
        assert_eq!(store.get("k").and_then(decode_snapshot), Some(p.clone()));
        // And with no copy either: discarded, never a panic, and usable again.
        std::fs::remove_file(dir.path().join("cache.json.bak")).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let store = JsonFileStore::open(&path);
        assert_eq!(store.get("k"), None);
        store.set("k", encode_snapshot(&p)).unwrap();
        assert_eq!(
            JsonFileStore::open(&path)
                .get("k")
                .and_then(decode_snapshot),
            Some(p)
        );
    }
}
