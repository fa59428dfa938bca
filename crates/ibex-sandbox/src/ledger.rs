//! The simulated chains: catalog of chains and tokens with prices, a Safe's genesis balances and
//! history (derived from the seed), and the JSON rows the balance/transaction endpoints print.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::amount::{self, Fiat4};
use crate::clock::{iso, Millis};
use crate::ids;

pub const DEFAULT_CHAIN: u64 = 421_614;
pub const NATIVE: &str = "0x0000000000000000000000000000000000000000";
/// The alternative native-coin sentinel the mirror accepts (docs/api/gaps.md G29).
const NATIVE_ALT: &str = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
/// EUR → USD rate (1.1797, as in the documented totals).
pub const EUR_USD: Fiat4 = 11_797;

#[derive(Debug)]
pub struct Chain {
    pub id: u64,
    pub name: &'static str,
    pub icon: &'static str,
    pub explorer: &'static str,
    pub recovery: bool,
    pub automation: bool,
    pub cowswap: bool,
    /// A test network: its tokens have no value, so no bridge links it to a main network.
    pub testnet: bool,
}

pub const CHAINS: &[Chain] = &[
    Chain {
        id: 100,
        name: "Gnosis",
        icon: "/images/gnosis-chain-logo.png",
        explorer: "https://gnosisscan.io",
        recovery: false,
        automation: false,
        cowswap: true,
        testnet: false,
    },
    Chain {
        id: 8453,
        name: "Base",
        icon: "/images/base-logo.png",
        explorer: "https://basescan.org",
        recovery: false,
        automation: true,
        cowswap: true,
        testnet: false,
    },
    Chain {
        id: 421_614,
        name: "Arbitrum Sepolia",
        icon: "/images/arbitrum-logo.png",
        explorer: "https://sepolia.arbiscan.io",
        recovery: true,
        automation: true,
        cowswap: false,
        testnet: true,
    },
];

#[derive(Debug)]
pub struct Token {
    pub chain: u64,
    pub address: &'static str,
    pub symbol: &'static str,
    pub name: &'static str,
    pub decimals: u32,
    pub kind: &'static str,
    pub price_usd: Fiat4,
    pub price_eur: Fiat4,
    /// One faucet drip, in whole tokens ×10⁻⁴ (so 0.01 ETH is 100).
    pub drip: u128,
}

impl Token {
    /// Tokens without a market price (price 0 in the catalog) get no price fields.
    pub fn priced(&self) -> bool {
        self.price_usd > 0 || self.price_eur > 0
    }
}

pub const TOKENS: &[Token] = &[
    Token {
        chain: 100,
        address: NATIVE,
        symbol: "xDAI",
        name: "xDAI",
        decimals: 18,
        kind: "GAS",
        price_usd: 10_000,
        price_eur: 8_477,
        drip: 5_000,
    },
    Token {
        chain: 100,
        address: "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430",
        symbol: "EURe",
        name: "Monerium EUR emoney",
        decimals: 18,
        kind: "STABLECOIN_EUR",
        price_usd: 11_797,
        price_eur: 10_000,
        drip: 250_000,
    },
    Token {
        chain: 8453,
        address: NATIVE,
        symbol: "ETH",
        name: "Ether",
        decimals: 18,
        kind: "GAS",
        price_usd: 30_000_000,
        price_eur: 25_430_000,
        drip: 20,
    },
    Token {
        chain: 8453,
        address: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
        symbol: "USDC",
        name: "USD Coin",
        decimals: 6,
        kind: "STABLECOIN_USD",
        price_usd: 10_000,
        price_eur: 8_477,
        drip: 150_000,
    },
    Token {
        chain: 421_614,
        address: NATIVE,
        symbol: "ETH",
        name: "Ether",
        decimals: 18,
        kind: "GAS",
        price_usd: 30_000_000,
        price_eur: 25_430_000,
        drip: 100,
    },
    Token {
        chain: 421_614,
        address: "0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d",
        symbol: "USDC",
        name: "USD Coin (test)",
        decimals: 6,
        kind: "TEST",
        price_usd: 10_000,
        price_eur: 8_477,
        drip: 500_000,
    },
    Token {
        chain: 421_614,
        address: "0x0c0a4f4c0d1fd81a0f4e8b1f3c8c0e4d2b1a9e71",
        symbol: "EURe",
        name: "Monerium EUR emoney (test)",
        decimals: 18,
        kind: "STABLECOIN_EUR",
        price_usd: 11_797,
        price_eur: 10_000,
        drip: 400_000,
    },
    // Monitored but not handed out at genesis: a wallet holds none unless a test deposits some
    // (`POST /__sandbox/ledger/transfers`), so `includeZero=true` lists them with balance 0.
    Token {
        chain: 8453,
        address: "0x4200000000000000000000000000000000000006",
        symbol: "WETH",
        name: "Wrapped Ether",
        decimals: 18,
        kind: "WRAPPED",
        price_usd: 30_000_000,
        price_eur: 25_430_000,
        drip: 0,
    },
    // An airdropped scam token as indexers see them: no price, a lure for a name.
    Token {
        chain: 8453,
        address: "0x5c1a1ab5a1e0e2e4b2d1a1c9f0e8d7c6b5a4f3e2",
        symbol: "CLAIM-BASE.XYZ",
        name: "Visit https://claim-base.xyz to claim rewards",
        decimals: 18,
        kind: "UNKNOWN",
        price_usd: 0,
        price_eur: 0,
        drip: 0,
    },
];

pub fn chain(id: u64) -> Option<&'static Chain> {
    CHAINS.iter().find(|c| c.id == id)
}

pub fn tokens(chain: u64) -> impl Iterator<Item = &'static Token> {
    TOKENS.iter().filter(move |t| t.chain == chain)
}

/// A token by address on a chain; both native sentinels name the gas coin.
pub fn token(chain: u64, address: &str) -> Option<&'static Token> {
    let wanted = address.to_ascii_lowercase();
    let wanted = if wanted == NATIVE_ALT {
        NATIVE.to_owned()
    } else {
        wanted
    };
    tokens(chain).find(|t| t.address.to_ascii_lowercase() == wanted)
}

pub fn token_by_symbol(chain: u64, symbol: &str) -> Option<&'static Token> {
    tokens(chain).find(|t| t.symbol.eq_ignore_ascii_case(symbol))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    #[serde(rename = "IN")]
    In,
    #[serde(rename = "OUT")]
    Out,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transfer {
    pub chain: u64,
    pub hash: String,
    pub block: u64,
    pub at: Millis,
    pub from: String,
    pub to: String,
    pub token: String,
    pub value: u128,
    pub direction: Direction,
    pub watched: String,
}

/// Per chain, token address (lower case) → base units.
pub type Balances = BTreeMap<u64, BTreeMap<String, u128>>;

/// The faucet deposits a new Safe starts with on one chain: 1–6 drips per token, spread over the
/// 30 days before `now`, all derived from the seed and the Safe address.
pub fn genesis(seed: u64, safe: &str, chain: u64, now: Millis) -> Vec<Transfer> {
    let faucet = ids::address_from(&[b"faucet", &chain.to_be_bytes()]);
    let mut transfers = Vec::new();
    for token in tokens(chain).filter(|t| t.drip > 0) {
        let label = format!("{safe}|{chain}|{}", token.address);
        let count = 1 + ids::seeded_below(seed, &format!("count|{label}"), 6);
        for i in 0..count {
            let label = format!("{label}|{i}");
            let drips = 1 + u128::from(ids::seeded_below(seed, &format!("size|{label}"), 4));
            let age_ms =
                ids::seeded_below(seed, &format!("age|{label}"), 30 * 86_400_000) as Millis;
            transfers.push(Transfer {
                chain,
                hash: ids::hex_0x(&ids::seeded(seed, &format!("tx|{label}"))),
                block: 1_000_000 + ids::seeded_below(seed, &format!("block|{label}"), 9_000_000),
                at: now - age_ms - 1,
                from: faucet.clone(),
                to: safe.to_owned(),
                token: token.address.to_ascii_lowercase(),
                value: token.drip * drips * 10u128.pow(token.decimals) / 10_000,
                direction: Direction::In,
                watched: safe.to_owned(),
            });
        }
    }
    transfers.sort_by_key(|t| std::cmp::Reverse(t.at));
    transfers
}

/// A balance row as `GET /v1.2/users/me/balances` prints it (docs/api/account.md §4).
pub fn balance_row(token: &Token, balance: u128, include_prices: bool, now: Millis) -> Value {
    let mut row = json!({
        "tokenAddress": token.address,
        "symbol": token.symbol,
        "name": token.name,
        "decimals": token.decimals,
        "balance": amount::format(balance, token.decimals),
        "active": token.priced(),
        "status": "CONFIRMED",
    });
    if include_prices && token.priced() {
        let extra = json!({
            "price_usd": amount::fiat_number(token.price_usd),
            "price_eur": amount::fiat_number(token.price_eur),
            "value_usd": amount::fiat_string(amount::value(balance, token.decimals, token.price_usd)),
            "value_eur": amount::fiat_string(amount::value(balance, token.decimals, token.price_eur)),
            "price_source": "FAUCET_PRICE",
            "price_updated_at": iso(now),
        });
        merge(&mut row, extra);
    }
    row
}

/// A transaction row as `GET /v1.2/users/me/transactions` prints it (docs/api/account.md §5).
pub fn transfer_row(t: &Transfer, include_prices: bool) -> Value {
    let token = token(t.chain, &t.token);
    let (symbol, decimals) = token.map_or(("UNKNOWN", 18), |k| (k.symbol, k.decimals));
    let formatted = amount::format(t.value, decimals);
    let mut row = json!({
        "id": format!("{}-{}", t.hash, t.direction_label()),
        "transactionHash": t.hash,
        "blockNumber": t.block,
        "timestamp": iso(t.at),
        "from": t.from,
        "to": t.to,
        "tokenAddress": t.token,
        "tokenSymbol": symbol,
        "tokenType": if t.token == NATIVE { "NATIVE" } else { "ERC20" },
        "value": t.value.to_string(),
        "valueFormatted": serde_json::from_str::<Value>(&formatted).unwrap_or(Value::Null),
        "direction": t.direction,
        "watchedAddress": t.watched,
        "blockchainId": t.chain.to_string(),
    });
    if let (true, Some(token)) = (include_prices, token.filter(|t| t.priced())) {
        merge(
            &mut row,
            json!({
                "price_usd": amount::fiat_number(token.price_usd),
                "price_eur": amount::fiat_number(token.price_eur),
                "value_usd": amount::fiat_string(amount::value(t.value, decimals, token.price_usd)),
                "value_eur": amount::fiat_string(amount::value(t.value, decimals, token.price_eur)),
                "price_source": "FAUCET_PRICE",
            }),
        );
    }
    row
}

impl Transfer {
    fn direction_label(&self) -> &'static str {
        match self.direction {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesis_is_deterministic_per_seed() {
        let a = genesis(1, "0xabc", 100, 1_000_000_000_000);
        assert_eq!(a.len(), genesis(1, "0xabc", 100, 1_000_000_000_000).len());
        assert_eq!(
            a[0].hash,
            genesis(1, "0xabc", 100, 1_000_000_000_000)[0].hash
        );
        assert_ne!(
            a[0].hash,
            genesis(2, "0xabc", 100, 1_000_000_000_000)[0].hash
        );
        assert!(a
            .iter()
            .all(|t| t.value > 0 && t.direction == Direction::In));
    }

    #[test]
    fn catalog_addresses_are_eip55_or_lower_case() {
        let addresses = TOKENS
            .iter()
            .map(|t| t.address)
            .chain([crate::views::RECOVERY_MODULE, crate::views::GUARDIAN]);
        for address in addresses {
            let canonical = ids::checksum_address(&ids::parse_hex(address).unwrap());
            assert!(
                address == canonical || address == address.to_ascii_lowercase(),
                "{address} should be {canonical}"
            );
        }
    }

    #[test]
    fn native_sentinels() {
        assert_eq!(token(100, NATIVE).unwrap().symbol, "xDAI");
        assert_eq!(
            token(100, "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE")
                .unwrap()
                .symbol,
            "xDAI"
        );
        assert!(token(100, "0x0000000000000000000000000000000000000001").is_none());
    }
}
