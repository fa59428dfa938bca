//! Swaps through CoW Swap and 1inch (docs/api/operations.md §3.7, §4): an exact amount of a
//! token the Safe holds into a token of the tenant's catalog, quoted by each aggregator the
//! user asks for, side by side; the review of the chosen quote; the operations pipeline signs
//! and tracks it.
//!
//! The core keeps the quotes it showed ([`QuoteBook`]): a review is built from what IBEx
//! quoted, never from what the UI sends back, and carries the quote's `validTo` so the pipeline
//! refuses to ask the passkey once it has passed (on IBEx's clock). Every amount is exact: base
//! units and a 256-bit `mul_div` (`exact-math`), never a float.

use std::str::FromStr;
use std::sync::Mutex;

use ibex::models::account::Scope;
use ibex::models::operations::{Operation, SwapQuote, SwapQuoteRequest};
use ibex::models::ChainId;
use ibex::{Address, Decimal, Session};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::money::Exact;
use crate::operations::{rfc3339, server_now, Draft, OperationReview, Reviewed, SwapFacts};
use crate::sync::lock;
use exact_math::mul_div;

/// Slippage bounds, in basis points: 0.01 % to 50 %.
const MIN_SLIPPAGE_BPS: u128 = 1;
const MAX_SLIPPAGE_BPS: u128 = 5_000;
/// Quotes kept for review; older ones are dropped first.
const BOOK_SIZE: usize = 32;

/// The aggregators IBEx quotes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Aggregator {
    CowSwap,
    OneInch,
}

impl Aggregator {
    /// The quote route's `provider` value.
    fn provider(self) -> &'static str {
        match self {
            Self::CowSwap => "COWSWAP",
            Self::OneInch => "1INCH",
        }
    }

    /// The quote's `comparisons` key.
    fn comparison_key(self) -> &'static str {
        match self {
            Self::CowSwap => "cowswap",
            Self::OneInch => "oneinch",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::CowSwap => "CoW Swap",
            Self::OneInch => "1inch",
        }
    }
}

/// A token of a swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SwapToken {
    /// EIP-55; the zero address is the chain's native coin.
    #[specta(type = String)]
    pub token_address: Address,
    pub symbol: String,
    pub decimals: u8,
}

/// What the user asks quotes for.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SwapRequest {
    pub chain_id: u32,
    /// A token the Safe holds on that chain.
    pub sell_address: String,
    /// A token of the tenant's catalog on that chain.
    pub buy_address: String,
    /// Decimal text in whole sell tokens.
    pub amount: String,
    /// Which aggregators to ask (one or both).
    pub aggregators: Vec<Aggregator>,
    /// Percent, e.g. "0.5": the minimum received is the quote less this.
    pub slippage: String,
}

/// One aggregator's quote, as the user compares them.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SwapOffer {
    pub aggregator: Aggregator,
    pub quote_id: String,
    /// What the quote promises, net of the aggregator's fee.
    pub buy_amount: String,
    /// `buy_amount` less the slippage, rounded down: what the order accepts at worst.
    pub minimum_received: String,
    /// Buy tokens for one sell token at this quote, rounded down to the buy token's decimals.
    pub rate: String,
    /// The aggregator's fee in the sell token, when it states one (CoW Swap does).
    pub fee: Option<String>,
    /// Gas units the aggregator estimates (1inch states it; IBEx's paymaster pays gas).
    pub estimated_gas: Option<String>,
    /// How much worse than IBEx's own prices this quote is, in percent with two decimals
    /// (negative: better); `None` when IBEx prices one of the tokens not.
    pub price_impact: Option<String>,
    /// When the quote expires (RFC 3339, server time).
    pub expires_at: String,
    /// Seconds left when the quote arrived, on IBEx's clock (the UI counts down from it).
    pub expires_in_seconds: u32,
    /// The highest `buy_amount` of the offers.
    pub best: bool,
}

/// An aggregator that did not quote, and why.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuoteFailure {
    pub aggregator: Aggregator,
    pub error: AppError,
}

/// The quotes of one request, side by side.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SwapQuotes {
    pub chain_id: u32,
    pub sell: SwapToken,
    pub buy: SwapToken,
    pub sell_amount: String,
    pub slippage: String,
    /// Best first.
    pub offers: Vec<SwapOffer>,
    pub failures: Vec<QuoteFailure>,
}

/// The quote the user chose, to review.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SwapDraft {
    pub quote_id: String,
    /// Percent; the quotes' minimums were computed with it.
    pub slippage: String,
}

/// A quote as the core showed it.
#[derive(Debug, Clone)]
pub(crate) struct Quoted {
    safe: Address,
    chain: ChainId,
    aggregator: Aggregator,
    sell: SwapToken,
    buy: SwapToken,
    sell_amount: Decimal,
    buy_units: u128,
    fee: Option<String>,
    /// Unix seconds, IBEx's clock.
    valid_to: i64,
}

/// The quotes shown to the user, by quote id (per connection): swap quotes, and the route
/// engine's (`route.rs`).
pub(crate) struct QuoteBook<Q = Quoted>(Mutex<Vec<(String, Q)>>);

impl<Q> Default for QuoteBook<Q> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<Q: Clone> QuoteBook<Q> {
    pub(crate) fn file(&self, id: String, quote: Q) {
        let mut book = lock(&self.0);
        book.retain(|(known, _)| *known != id);
        if book.len() >= BOOK_SIZE {
            book.remove(0);
        }
        book.push((id, quote));
    }

    pub(crate) fn get(&self, id: &str) -> Option<Q> {
        lock(&self.0)
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, q)| q.clone())
    }
}

/// Slippage percent text as basis points, within bounds.
fn parse_slippage(text: &str) -> Result<u128, AppError> {
    let refused = || {
        AppError::validation(Msg::SwapSlippageInvalid {
            text: text.trim().to_owned(),
        })
    };
    let bps = Decimal::from_str(text.trim())
        .map_err(|_| refused())?
        .to_base_units(2)
        .map_err(|_| refused())?;
    if !(MIN_SLIPPAGE_BPS..=MAX_SLIPPAGE_BPS).contains(&bps) {
        return Err(refused());
    }
    Ok(bps)
}

fn units(amount: &Decimal, decimals: u8) -> Result<u128, AppError> {
    amount.to_base_units(decimals).map_err(|e| {
        AppError::new(
            ErrorCode::BadResponse,
            Msg::SwapQuoteUnreadable {
                error: e.to_string(),
            },
        )
    })
}

/// `buy` less `bps` basis points, rounded down.
fn minimum(buy_units: u128, bps: u128) -> u128 {
    mul_div(buy_units, 10_000 - bps, 10_000).unwrap_or(0)
}

/// Buy units for one whole sell token, rounded down.
fn rate(sell_units: u128, sell_decimals: u8, buy_units: u128) -> Option<u128> {
    mul_div(
        buy_units,
        10u128.checked_pow(u32::from(sell_decimals))?,
        sell_units,
    )
}

/// How much less the bought amount is worth than the sold one at IBEx's prices, in hundredths
/// of a percent (basis points); negative when the quote beats those prices.
fn impact_bps(
    sell: &Decimal,
    sell_price: &Decimal,
    buy: &Decimal,
    buy_price: &Decimal,
) -> Option<i128> {
    let value = |amount: &Decimal, price: &Decimal| {
        Exact::parse(amount.as_str())?
            .checked_mul(Exact::parse(price.as_str())?)?
            .scaled(8)
    };
    let (sold, bought) = (value(sell, sell_price)?, value(buy, buy_price)?);
    (sold > 0).then(|| (sold - bought) * 10_000 / sold)
}

/// Tokens of the tenant's catalog on `chain` with their EUR price where IBEx has one; tokens
/// IBEx flags inactive (unverified, suspicious) are left out.
pub(crate) async fn catalog(
    session: &Session,
    chain: ChainId,
) -> Result<Vec<(SwapToken, Option<Decimal>)>, AppError> {
    let scope = Scope {
        chain_id: Some(chain),
        include_zero: Some(true),
        ..Scope::default()
    };
    let (tokens, balances) = tokio::join!(session.chain_tokens(Some(chain)), async {
        session.balances(&scope).await
    });
    let rows: Vec<_> = balances
        .map(|b| {
            b.crypto
                .into_values()
                .flat_map(|w| w.into_values())
                .flat_map(|w| w.tokens)
                .collect()
        })
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no prices for the swap's price impact");
            Vec::new()
        });
    let row = |a: Address| {
        rows.iter()
            .find(|r| r.token_address.unwrap_or(Address::ZERO) == a)
    };
    Ok(tokens?
        .tokens()
        .into_iter()
        .filter(|t| t.active != Some(false) && row(t.address).and_then(|r| r.active) != Some(false))
        .map(|t| {
            let price = row(t.address).and_then(|r| r.price_eur.clone());
            (
                SwapToken {
                    token_address: t.address,
                    symbol: t.symbol.clone(),
                    decimals: t.decimals,
                },
                price,
            )
        })
        .collect())
}

fn token_address(text: &str, missing: Msg) -> Result<Address, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::validation(missing))
}

/// One aggregator's quote as an offer, filed in `book`.
#[allow(clippy::too_many_arguments)]
fn offer(
    quote: SwapQuote,
    aggregator: Aggregator,
    request: (&SwapToken, &SwapToken, &Decimal, u128),
    prices: (Option<&Decimal>, Option<&Decimal>),
    safe: Address,
    chain: ChainId,
    now: i64,
    book: &QuoteBook,
) -> Result<SwapOffer, AppError> {
    let (sell, buy, sell_amount, bps) = request;
    if quote.buy_token.is_some_and(|t| t != buy.token_address)
        || quote.sell_token.is_some_and(|t| t != sell.token_address)
        || quote.buy_token_decimals.is_some_and(|d| d != buy.decimals)
    {
        return Err(AppError::new(ErrorCode::BadResponse, Msg::SwapOtherTokens));
    }
    let buy_units = units(&quote.buy_amount, buy.decimals)?;
    let sell_units = units(sell_amount, sell.decimals)?;
    let valid_to = quote
        .valid_to
        .and_then(|t| i64::try_from(t).ok())
        .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::SwapNoValidTo))?;
    let expires_at = rfc3339(valid_to);
    let compared = quote.comparisons.get(aggregator.comparison_key());
    let fee = quote
        .fee_amount
        .clone()
        .or_else(|| compared.and_then(|c| c.fee_amount.clone()))
        .filter(|f| f.to_base_units(sell.decimals).is_ok_and(|u| u > 0))
        .map(|f| f.to_string());
    let price_impact = match prices {
        (Some(sp), Some(bp)) => impact_bps(sell_amount, sp, &quote.buy_amount, bp)
            .map(|bps| Exact::from_units(bps, 2).to_text(2)),
        _ => None,
    };
    let offer = SwapOffer {
        aggregator,
        quote_id: quote.quote_id.clone(),
        buy_amount: Decimal::from_base_units(buy_units, buy.decimals).to_string(),
        minimum_received: Decimal::from_base_units(minimum(buy_units, bps), buy.decimals)
            .to_string(),
        rate: rate(sell_units, sell.decimals, buy_units)
            .map(|r| Decimal::from_base_units(r, buy.decimals).to_string())
            .unwrap_or_default(),
        fee: fee.clone(),
        estimated_gas: compared
            .and_then(|c| c.estimated_gas.as_ref())
            .map(|g| g.as_str().to_owned()),
        price_impact,
        expires_at,
        expires_in_seconds: u32::try_from(valid_to - now).unwrap_or(0),
        best: false,
    };
    book.file(
        quote.quote_id,
        Quoted {
            safe,
            chain,
            aggregator,
            sell: sell.clone(),
            buy: buy.clone(),
            sell_amount: sell_amount.clone(),
            buy_units,
            fee,
            valid_to,
        },
    );
    Ok(offer)
}

/// The swap commands.
impl crate::Core {
    /// What the Safe can buy on `chain_id`: the tenant's active tokens there.
    pub async fn swap_tokens(&self, chain_id: u32) -> Result<Vec<SwapToken>, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let tokens = catalog(&session, ChainId(u64::from(chain_id))).await?;
        Ok(tokens.into_iter().map(|(t, _)| t).collect())
    }

    /// Quotes `request` from each aggregator asked, side by side. The amount is checked against
    /// what the Safe holds first (exact, within the token's decimals); an aggregator that fails
    /// is reported beside the others' offers.
    pub async fn swap_quote(&self, request: SwapRequest) -> Result<SwapQuotes, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let chain = ChainId(u64::from(request.chain_id));
        let bps = parse_slippage(&request.slippage)?;
        let sell_address = token_address(&request.sell_address, Msg::SwapChooseSell)?;
        let buy_address = token_address(&request.buy_address, Msg::SwapChooseBuy)?;
        if sell_address == buy_address {
            return Err(AppError::validation(Msg::SwapSameToken));
        }
        let mut aggregators = request.aggregators.clone();
        aggregators.sort_by_key(|a| a.provider());
        aggregators.dedup();
        let holding = crate::wallet::holdings(&session, safe)
            .await?
            .into_iter()
            .find(|h| h.chain_id == request.chain_id && h.token_address == sell_address)
            .ok_or_else(|| AppError::validation(Msg::SwapNotHeld))?;
        let sell_amount = crate::send::parse_amount(&request.amount, &holding)?;
        let tokens = catalog(&session, chain).await?;
        let price = |a: Address| {
            tokens
                .iter()
                .find(|(t, _)| t.token_address == a)
                .map(|(t, p)| (t.clone(), p.clone()))
        };
        let (buy, buy_price) =
            price(buy_address).ok_or_else(|| AppError::validation(Msg::SwapNotBuyable))?;
        let sell = SwapToken {
            token_address: sell_address,
            symbol: holding.symbol.clone(),
            decimals: holding.decimals,
        };
        let sell_price = price(sell_address).and_then(|(_, p)| p);
        let ask = |aggregator: Aggregator| {
            let query = SwapQuoteRequest {
                sell_token_address: sell_address,
                buy_token_address: buy_address,
                amount: sell_amount.clone(),
                chain_id: Some(chain),
                safe_address: Some(safe),
                provider: Some(aggregator.provider().to_owned()),
            };
            let session = session.clone();
            async move { (aggregator, session.swap_quote(&query).await) }
        };
        let answers = match aggregators.as_slice() {
            [one] => vec![ask(*one).await],
            [first, second] => {
                let (a, b) = tokio::join!(ask(*first), ask(*second));
                vec![a, b]
            }
            _ => return Err(AppError::validation(Msg::SwapChooseAggregator)),
        };
        let now = server_now(&conn.client).await?;
        let mut offers = Vec::new();
        let mut failures = Vec::new();
        for (aggregator, answer) in answers {
            let result = answer.map_err(quote_refused).and_then(|quote| {
                offer(
                    quote,
                    aggregator,
                    (&sell, &buy, &sell_amount, bps),
                    (sell_price.as_ref(), buy_price.as_ref()),
                    safe,
                    chain,
                    now,
                    &conn.swaps,
                )
            });
            match result {
                Ok(offer) => offers.push(offer),
                // Nested in an answer, the error is said here in the user's language.
                Err(error) => failures.push(QuoteFailure {
                    aggregator,
                    error: error.localized(self.locale()),
                }),
            }
        }
        if offers.is_empty() {
            if let [only] = failures.as_slice() {
                return Err(only.error.clone());
            }
        }
        // Best first: the most received (equal amounts keep the order asked).
        offers.sort_by_key(|o| {
            std::cmp::Reverse(
                Decimal::from_str(&o.buy_amount)
                    .ok()
                    .and_then(|d| d.to_base_units(buy.decimals).ok())
                    .unwrap_or(0),
            )
        });
        if let Some(first) = offers.first_mut() {
            first.best = true;
        }
        Ok(SwapQuotes {
            chain_id: request.chain_id,
            sell,
            buy,
            sell_amount: sell_amount.to_string(),
            slippage: Decimal::from_base_units(bps, 2).to_string(),
            offers,
            failures,
        })
    }

    /// The review of a quote the core showed: sell exactly its amount, receive at least its
    /// minimum at `slippage`, through its aggregator. An expired quote is refused (quote again).
    pub async fn swap_prepare(&self, draft: SwapDraft) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let bps = parse_slippage(&draft.slippage)?;
        let quote = conn
            .swaps
            .get(&draft.quote_id)
            .filter(|q| q.safe == safe)
            .ok_or_else(|| AppError::new(ErrorCode::QuoteExpired, Msg::SwapQuoteGone))?;
        if server_now(&conn.client).await? >= quote.valid_to {
            return Err(expired());
        }
        let buy_amount = Decimal::from_base_units(quote.buy_units, quote.buy.decimals);
        let minimum_received =
            Decimal::from_base_units(minimum(quote.buy_units, bps), quote.buy.decimals);
        let slippage = Decimal::from_base_units(bps, 2);
        let expires_at = rfc3339(quote.valid_to);
        let draft = Draft {
            safe,
            chain: quote.chain,
            operations: vec![Operation::SwapFromQuote {
                quote_id: draft.quote_id.clone(),
                slippage: Some(slippage.clone()),
                order_uid: None,
                aggregator: None,
                calldata: None,
                min_out: None,
                deadline: None,
            }],
            reviewed: Reviewed::Swap(SwapFacts {
                aggregator: quote.aggregator,
                sell: quote.sell.clone(),
                sell_amount: quote.sell_amount.to_string(),
                buy: quote.buy.clone(),
                buy_amount: buy_amount.to_string(),
                minimum_received: minimum_received.to_string(),
                slippage: slippage.to_string(),
                fee: quote.fee.clone(),
                quote_id: draft.quote_id,
                quote_expires_at: expires_at,
            }),
            valid_until: Some(quote.valid_to),
        };
        tracing::info!(aggregator = quote.aggregator.name(), "swap review prepared");
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
            .map_err(|e| match e.code {
                // IBEx's 410 for a quote that expired between the check and the prepare.
                ErrorCode::Conflict => expired(),
                _ => e,
            })
    }
}

pub(crate) fn expired() -> AppError {
    AppError::new(ErrorCode::QuoteExpired, Msg::SwapQuoteExpired)
}

/// A quote IBEx refused (400: not enough to sell, a pair it cannot route…).
fn quote_refused(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &crate::error::Context {
            refused: Some((ErrorCode::Validation, Msg::SwapQuoteRefused)),
            ..crate::error::Context::default()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slippage_is_a_bounded_percentage() {
        assert_eq!(parse_slippage("0.5").unwrap(), 50);
        assert_eq!(parse_slippage(" 1 ").unwrap(), 100);
        assert_eq!(parse_slippage("50").unwrap(), 5_000);
        for bad in ["0", "0.001", "50.01", "-1", "abc", "", "1e2"] {
            assert_eq!(
                parse_slippage(bad).unwrap_err().code,
                ErrorCode::Validation,
                "{bad}"
            );
        }
    }

    #[test]
    fn minimum_rate_and_impact_are_exact() {
        // 0.0291 ETH at 0.5 %: 0.0289545 ETH, rounded down at 18 decimals.
        let buy = 29_100_000_000_000_000u128;
        assert_eq!(minimum(buy, 50), 28_954_500_000_000_000);
        // 100 EURe (18 decimals) → 0.0291 ETH: 1 EURe = 0.000291 ETH.
        let sell = 100 * 10u128.pow(18);
        assert_eq!(rate(sell, 18, buy), Some(291_000_000_000_000));
        // One million 18-decimal tokens: the product overflows u128, the rate does not.
        let million = 10u128.pow(24);
        assert_eq!(rate(million, 18, million * 2), Some(2 * 10u128.pow(18)));
        let d = |s: &str| Decimal::from_str(s).unwrap();
        // 100 EURe at 1 € for 0.0291 ETH at 3400 €: 98.94 € back, 1.06 % less.
        assert_eq!(
            impact_bps(&d("100"), &d("1"), &d("0.0291"), &d("3400")),
            Some(106)
        );
        assert_eq!(
            impact_bps(&d("100"), &d("1"), &d("0.03"), &d("3400")),
            Some(-200)
        );
        assert_eq!(impact_bps(&d("100"), &d("0"), &d("0.03"), &d("3400")), None);
    }
}
