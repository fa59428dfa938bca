//! The market swaps and routes price against: EUR prices that move on the sandbox clock, the
//! two aggregators' terms, and exact integer arithmetic (a 256-bit intermediate product, so an
//! 18 → 18-decimal pair of any size never overflows).

use std::collections::BTreeMap;

use crate::amount::Fiat4;
use crate::clock::Millis;
use crate::ids;
use crate::ledger::Token;

use exact_math::mul_div;

/// Test shocks on top of the drift: `"<chainId>:<token lower case>"` → basis points.
pub type Shocks = BTreeMap<String, i64>;

pub fn shock_key(chain: u64, token: &str) -> String {
    format!("{chain}:{}", token.to_ascii_lowercase())
}

const HOUR_MS: Millis = 3_600_000;

/// Pegged tokens (EUR and USD stablecoins, xDAI included) keep their catalog price.
fn pegged(token: &Token) -> bool {
    token.kind.starts_with("STABLECOIN") || ["USDC", "EURe", "xDAI"].contains(&token.symbol)
}

/// Basis points a token's price sits away from its catalog price at `now`: a triangle wave of
/// ±2 % over an hour (its phase from the seed and the token) plus ±0.1 % that changes every
/// minute. Deterministic per seed, so tests can reason about it.
pub fn drift_bps(seed: u64, token: &Token, now: Millis) -> i64 {
    if pegged(token) {
        return 0;
    }
    let label = format!("{}:{}", token.chain, token.address.to_ascii_lowercase());
    let phase = ids::seeded_below(seed, &format!("phase|{label}"), HOUR_MS as u64) as Millis;
    let x = (now + phase).rem_euclid(HOUR_MS);
    let half = HOUR_MS / 2;
    let triangle = if x < half { x } else { HOUR_MS - x };
    let wave = (triangle * 400 / half) as i64 - 200;
    let minute = now.div_euclid(60_000);
    let jitter = ids::seeded_below(seed, &format!("jitter|{label}|{minute}"), 21) as i64 - 10;
    wave + jitter
}

/// The token's EUR price (4-decimal fixed point) at `now`, never below one unit.
pub fn price_eur(seed: u64, shocks: &Shocks, token: &Token, now: Millis) -> Fiat4 {
    let shock = shocks
        .get(&shock_key(token.chain, token.address))
        .copied()
        .unwrap_or(0);
    let bps = (10_000 + drift_bps(seed, token, now) + shock).max(1) as u128;
    (token.price_eur * bps / 10_000).max(1)
}

/// `amount` of `sell` expressed in `buy` at the given EUR prices, rounded down, exact.
pub fn convert(
    amount: u128,
    sell: &Token,
    sell_price: Fiat4,
    buy: &Token,
    buy_price: Fiat4,
) -> Option<u128> {
    if buy.decimals >= sell.decimals {
        let scale = 10u128.checked_pow(buy.decimals - sell.decimals)?;
        mul_div(amount, sell_price.checked_mul(scale)?, buy_price)
    } else {
        let scale = 10u128.checked_pow(sell.decimals - buy.decimals)?;
        mul_div(amount, sell_price, buy_price.checked_mul(scale)?)
    }
}

/// The aggregators IBEx compares (docs/api/operations.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Aggregator {
    #[serde(rename = "COWSWAP")]
    CowSwap,
    #[serde(rename = "1INCH")]
    OneInch,
}

impl Aggregator {
    pub fn name(self) -> &'static str {
        match self {
            Aggregator::CowSwap => "COWSWAP",
            Aggregator::OneInch => "1INCH",
        }
    }

    /// Fee taken from the sell amount (CoW's solver fee, shown as `feeAmount`).
    pub fn fee_bps(self) -> u128 {
        match self {
            Aggregator::CowSwap => 50,
            Aggregator::OneInch => 0,
        }
    }

    /// Price impact taken from the buy side (1inch routes through AMM pools: no separate fee,
    /// a worse rate).
    pub fn impact_bps(self) -> u128 {
        match self {
            Aggregator::CowSwap => 0,
            Aggregator::OneInch => 60,
        }
    }
}

/// What one aggregator offers for `sell_amount` at the market of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub aggregator: Aggregator,
    pub fee: u128,
    pub buy_amount: u128,
}

/// Prices `sell_amount` of `sell` into `buy` through `aggregator`; `None` when the amounts do
/// not fit (the caller answers 400).
pub fn offer(
    aggregator: Aggregator,
    sell_amount: u128,
    sell: &Token,
    buy: &Token,
    prices: (Fiat4, Fiat4),
) -> Option<Offer> {
    let fee = sell_amount.checked_mul(aggregator.fee_bps())? / 10_000;
    let gross = convert(sell_amount - fee, sell, prices.0, buy, prices.1)?;
    let buy_amount = mul_div(gross, 10_000 - aggregator.impact_bps(), 10_000)?;
    Some(Offer {
        aggregator,
        fee,
        buy_amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger;

    #[test]
    fn eighteen_to_eighteen_decimal_quotes_do_not_overflow() {
        let eure = ledger::token(100, "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430").unwrap();
        let xdai = ledger::token(100, ledger::NATIVE).unwrap();
        // 10 million EURe (10^25 base units) at 1.0000 EUR into xDAI at 0.8477 EUR.
        let amount = 10_000_000 * 10u128.pow(18);
        let offer = offer(Aggregator::CowSwap, amount, eure, xdai, (10_000, 8_477)).unwrap();
        assert_eq!(offer.fee, amount / 200);
        // (10^25 − 0.5 %) × 1.0000 / 0.8477, floor.
        let expected = (amount - amount / 200) * 10_000 / 8_477;
        assert_eq!(offer.buy_amount, expected);
    }

    #[test]
    fn pegged_prices_hold_and_others_drift_within_bounds() {
        let eure = ledger::token_by_symbol(100, "EURe").unwrap();
        let eth = ledger::token(8453, ledger::NATIVE).unwrap();
        let shocks = Shocks::new();
        for t in (0..48).map(|i| 1_700_000_000_000 + i * 600_000) {
            assert_eq!(price_eur(1, &shocks, eure, t), eure.price_eur);
            let d = drift_bps(1, eth, t);
            assert!((-210..=210).contains(&d), "{d}");
        }
        let mut shocked = Shocks::new();
        shocked.insert(shock_key(8453, eth.address), -1_000);
        let now = 1_700_000_000_000;
        assert!(price_eur(1, &shocked, eth, now) < price_eur(1, &shocks, eth, now));
    }
}
