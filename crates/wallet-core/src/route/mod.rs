//! Cross-chain routes through IBEx's route engine (docs/api/operations.md §5, mirror only): an
//! exact amount of a token the Safe holds on one chain, bridged into a token of the tenant's
//! list on another. The engine's capabilities decide first: the same chain is a swap (the Swap
//! page quotes it, both aggregators side by side), a pair it cannot link is said so, and a
//! bridge is quoted (what arrives, the fee, how long it takes, the provider, the expiry).
//!
//! As for swaps, the core keeps the quotes it showed: the review is built from what IBEx
//! quoted and carries its expiry, which the pipeline checks on IBEx's clock before the passkey
//! is asked. Once approved, a route is filed and followed to its arrival, and what arrived is
//! compared with the quote ([`flight`]).

pub mod flight;

use ibex::models::operations::{Operation, RouteQuoteRequest, RouteState};
use ibex::models::ChainId;
use ibex::{Address, Decimal};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::operations::{rfc3339, server_now, Draft, OperationReview, Reviewed, RouteFacts};
use crate::swap::{QuoteBook, SwapToken};

/// How long a route quote holds when IBEx does not say: its documented response has no expiry,
/// so the swap quotes' documented ≈ 5 minutes (docs/api/operations.md §4) is assumed.
const ASSUMED_TTL_S: i64 = 300;

/// What the user asks a route for.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RouteRequest {
    pub source_chain_id: u32,
    /// A token the Safe holds on the source chain.
    pub sell_address: String,
    pub destination_chain_id: u32,
    /// A token of the tenant's list on the destination chain.
    pub buy_address: String,
    /// Decimal text in whole sell tokens.
    pub amount: String,
}

/// What the route engine answers for a pair of chains.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum RouteAnswer {
    /// Both tokens are on one chain: that is a swap.
    SameChain,
    /// IBEx's route engine links no such chains.
    Unsupported,
    /// A bridge, quoted (boxed: the other answers carry nothing).
    Bridge { offer: Box<RouteOffer> },
}

/// A bridge's quote, as the user reads it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RouteOffer {
    pub route_id: String,
    pub source_chain_id: u32,
    pub destination_chain_id: u32,
    pub sell: SwapToken,
    /// Exactly what leaves the Safe.
    pub sell_amount: String,
    pub buy: SwapToken,
    /// What the quote says arrives on the destination chain (exact decimal text).
    pub buy_amount: String,
    /// The bridge's fee in the sell token, when it states one.
    pub fee: Option<String>,
    /// How long the bridge says it takes, when it says.
    pub duration_seconds: Option<u32>,
    /// The bridge IBEx quoted through (its own name for it).
    pub provider: String,
    /// When the quote expires (RFC 3339, server time).
    pub expires_at: String,
    /// Seconds left when the quote arrived, on IBEx's clock.
    pub expires_in_seconds: u32,
    /// IBEx stated no expiry: the wallet assumes a swap quote's.
    pub expiry_assumed: bool,
}

/// The route the user chose, to review.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RouteDraft {
    pub route_id: String,
}

/// A route quote as the core showed it.
#[derive(Debug, Clone)]
pub(crate) struct Routed {
    safe: Address,
    offer: RouteOffer,
    /// Unix seconds, IBEx's clock.
    valid_to: i64,
}

/// Where a route stands (`GET /v1.2/safes/routes/{routeId}/status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum RouteStatus {
    Created,
    SourcePrepared,
    SourceSubmitted,
    SourceConfirmed,
    /// The source leg is done; the bridge is delivering.
    DestPending,
    /// Arrived on the destination chain.
    DestCompleted,
    Failed,
    /// A state this version does not know.
    Pending,
}

impl RouteStatus {
    fn parse(text: &str) -> Self {
        match text {
            "CREATED" => Self::Created,
            "SOURCE_PREPARED" => Self::SourcePrepared,
            "SOURCE_SUBMITTED" => Self::SourceSubmitted,
            "SOURCE_CONFIRMED" => Self::SourceConfirmed,
            "DEST_PENDING" => Self::DestPending,
            "DEST_COMPLETED" => Self::DestCompleted,
            "FAILED" => Self::Failed,
            _ => Self::Pending,
        }
    }

    fn is_final(self) -> bool {
        matches!(self, Self::DestCompleted | Self::Failed)
    }
}

/// A route moved on (after its source operation was confirmed).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RouteUpdate {
    pub route_id: String,
    /// The source operation's userOpHash.
    pub user_op_hash: String,
    pub status: RouteStatus,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// Once arrived: what the bridge credited, compared with the quote (`None`: not in the
    /// destination history yet, or not arrived).
    pub arrival: Option<flight::Arrival>,
}

fn address(text: &str, missing: Msg) -> Result<Address, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::validation(missing))
}

fn unreadable(error: impl ToString) -> AppError {
    AppError::new(
        ErrorCode::BadResponse,
        Msg::SwapQuoteUnreadable {
            error: error.to_string(),
        },
    )
}

/// The route commands.
impl crate::Core {
    /// The current account's routes on this network, newest first: on their way, arrived (with
    /// what arrived against the quote) or failed.
    pub async fn route_flights(&self) -> Result<Vec<flight::RouteFlight>, AppError> {
        let conn = self.connection().await?;
        let id = conn
            .auth
            .current_id()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        Ok(conn.flights.of(&id))
    }

    /// The tenant's chains (`/v1.2/chains/`), the ends a route may have.
    pub async fn route_chains(&self) -> Result<Vec<u32>, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let chains = session.chains().await?;
        Ok(chains
            .into_iter()
            .filter_map(|c| u32::try_from(c.id.0).ok())
            .collect())
    }

    /// Asks the route engine what links the two chains, and quotes the bridge when one does.
    /// The amount is checked against what the Safe holds first (exact, within the decimals).
    pub async fn route_quote(&self, request: RouteRequest) -> Result<RouteAnswer, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let sell_address = address(&request.sell_address, Msg::SwapChooseSell)?;
        let buy_address = address(&request.buy_address, Msg::SwapChooseBuy)?;
        let holding = crate::wallet::holdings(&session, safe)
            .await?
            .into_iter()
            .find(|h| h.chain_id == request.source_chain_id && h.token_address == sell_address)
            .ok_or_else(|| AppError::validation(Msg::SwapNotHeld))?;
        let sell_amount = crate::send::parse_amount(&request.amount, &holding)?;
        let (source, destination) = (
            ChainId(u64::from(request.source_chain_id)),
            ChainId(u64::from(request.destination_chain_id)),
        );
        let capabilities = session.route_capabilities(source, destination).await?;
        match capabilities.mode.as_str() {
            "CROSS_CHAIN_BRIDGE" => {}
            "SAME_CHAIN_SWAP" => return Ok(RouteAnswer::SameChain),
            _ => return Ok(RouteAnswer::Unsupported),
        }
        let buy = crate::swap::catalog(&session, destination)
            .await?
            .into_iter()
            .map(|(t, _)| t)
            .find(|t| t.token_address == buy_address)
            .ok_or_else(|| AppError::validation(Msg::SwapNotBuyable))?;
        let quote = session
            .route_quote(&RouteQuoteRequest {
                source_chain_id: source,
                destination_chain_id: destination,
                sell_token_address: sell_address,
                buy_token_address: buy_address,
                amount: sell_amount.clone(),
                safe_address: Some(safe),
                provider: None,
            })
            .await
            .map_err(quote_refused)?;
        let now = server_now(&conn.client).await?;
        let quoted_sell = quote
            .sell_amount
            .as_ref()
            .map(|a| a.to_base_units(holding.decimals));
        if quoted_sell.is_some_and(|u| u.ok() != sell_amount.to_base_units(holding.decimals).ok()) {
            return Err(AppError::new(ErrorCode::BadResponse, Msg::SwapOtherTokens));
        }
        let buy_units = quote
            .buy_amount
            .as_ref()
            .ok_or_else(|| unreadable("no buyAmount"))?
            .to_base_units(buy.decimals)
            .map_err(unreadable)?;
        let provider = quote.provider.clone().unwrap_or_default();
        let offers = quote.offers();
        let candidate = offers
            .iter()
            .find(|c| c.provider.as_deref() == Some(provider.as_str()))
            .or(offers.first());
        let fee = candidate
            .and_then(|c| c.fee_amount.clone())
            .filter(|f| f.to_base_units(holding.decimals).is_ok_and(|u| u > 0))
            .map(|f| f.to_string());
        let stated = quote.valid_to.and_then(|t| i64::try_from(t).ok());
        let valid_to = stated.unwrap_or(now + ASSUMED_TTL_S);
        let offer = RouteOffer {
            route_id: quote.route_id.clone(),
            source_chain_id: request.source_chain_id,
            destination_chain_id: request.destination_chain_id,
            sell: SwapToken {
                token_address: sell_address,
                symbol: holding.symbol.clone(),
                decimals: holding.decimals,
            },
            sell_amount: sell_amount.to_string(),
            buy_amount: Decimal::from_base_units(buy_units, buy.decimals).to_string(),
            buy,
            fee,
            duration_seconds: candidate
                .and_then(|c| c.estimated_duration_seconds)
                .and_then(|s| u32::try_from(s).ok()),
            provider,
            expires_at: rfc3339(valid_to),
            expires_in_seconds: u32::try_from(valid_to - now).unwrap_or(0),
            expiry_assumed: stated.is_none(),
        };
        conn.routes.file(
            quote.route_id,
            Routed {
                safe,
                offer: offer.clone(),
                valid_to,
            },
        );
        Ok(RouteAnswer::Bridge {
            offer: Box::new(offer),
        })
    }

    /// The review of a route the core quoted: send exactly its amount from the source chain,
    /// receive what it quoted on the destination. An expired quote is refused (quote again).
    pub async fn route_prepare(&self, draft: RouteDraft) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let routed = conn
            .routes
            .get(&draft.route_id)
            .filter(|r| r.safe == safe)
            .ok_or_else(|| AppError::new(ErrorCode::QuoteExpired, Msg::SwapQuoteGone))?;
        if server_now(&conn.client).await? >= routed.valid_to {
            return Err(crate::swap::expired());
        }
        let offer = routed.offer;
        let draft = Draft {
            safe,
            chain: ChainId(u64::from(offer.source_chain_id)),
            operations: vec![Operation::RouteFromQuote {
                quote_id: offer.route_id.clone(),
            }],
            reviewed: Reviewed::Route(RouteFacts {
                route_id: offer.route_id,
                provider: offer.provider,
                source_chain_id: offer.source_chain_id,
                destination_chain_id: offer.destination_chain_id,
                sell: offer.sell,
                sell_amount: offer.sell_amount,
                buy: offer.buy,
                buy_amount: offer.buy_amount,
                fee: offer.fee,
                duration_seconds: offer.duration_seconds,
                quote_expires_at: offer.expires_at,
            }),
            valid_until: Some(routed.valid_to),
        };
        tracing::info!("route review prepared");
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
            .map_err(|e| match e.code {
                // IBEx's 410 for a route that expired between the check and the prepare, or
                // its 409 for one already used: either way only a new quote can go on.
                ErrorCode::Conflict => crate::swap::expired(),
                _ => e,
            })
    }
}

/// A route quote IBEx refused (400: not enough to sell, a pair it cannot route…).
fn quote_refused(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &crate::error::Context {
            refused: Some((ErrorCode::Validation, Msg::RouteQuoteRefused)),
            ..crate::error::Context::default()
        },
    )
}

/// Filed route quotes, by route id.
pub(crate) type RouteBook = QuoteBook<Routed>;

fn describe(state: &RouteState) -> Option<String> {
    state.error.as_ref().map(|e| match e {
        serde_json::Value::String(s) => s.clone(),
        other => other
            .get("message")
            .and_then(|m| m.as_str())
            .map_or_else(|| other.to_string(), str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_statuses_parse_and_end() {
        assert_eq!(RouteStatus::parse("DEST_PENDING"), RouteStatus::DestPending);
        assert_eq!(RouteStatus::parse("SOMETHING_NEW"), RouteStatus::Pending);
        assert!(RouteStatus::parse("DEST_COMPLETED").is_final());
        assert!(RouteStatus::parse("FAILED").is_final());
        assert!(!RouteStatus::parse("SOURCE_CONFIRMED").is_final());
    }
}
