//! What the signed-in Safe holds, token by token, for Send to choose from.

use ibex::models::account::Scope;
use ibex::{Address, Decimal, Session};
use serde::Serialize;

use crate::error::AppError;

/// A token the signed-in Safe holds on one chain.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Holding {
    pub chain_id: u32,
    /// EIP-55; the zero address is the chain's native coin.
    #[specta(type = String)]
    pub token_address: Address,
    pub symbol: String,
    pub decimals: u8,
    /// Exact decimal text.
    #[specta(type = String)]
    pub balance: Decimal,
}

impl Holding {
    /// A balance row as something to send, or `None` when IBEx did not give the token's
    /// `decimals`: the amount typed could not be converted to base units without guessing,
    /// and a guess of 18 for a 6-decimal token sends a million times too much (or too little).
    fn sendable(chain_id: u32, t: ibex::models::account::TokenBalance) -> Option<Self> {
        let symbol = t.symbol.unwrap_or_else(|| "?".to_owned());
        let Some(decimals) = t.decimals else {
            tracing::warn!(%symbol, chain_id, "token without decimals: not offered for sending");
            return None;
        };
        Some(Self {
            chain_id,
            token_address: t.token_address.unwrap_or(Address::ZERO),
            symbol,
            decimals,
            balance: t.balance,
        })
    }
}

/// From the aggregated balances (`crypto[chain][wallet]`), which name each token's chain;
/// the wallet-scoped shape puts the chain on each row instead.
pub(crate) async fn holdings(session: &Session, safe: Address) -> Result<Vec<Holding>, AppError> {
    let balances = session.balances(&Scope::default()).await?;
    let mut out = Vec::new();
    for (chain, wallets) in balances.crypto {
        let Ok(chain_id) = chain.parse::<u32>() else {
            continue;
        };
        let mine = wallets.into_iter().filter(|(wallet, _)| {
            wallet
                .parse::<Address>()
                .is_ok_and(|address| address == safe)
        });
        for (_, wallet) in mine {
            out.extend(
                wallet
                    .tokens
                    .into_iter()
                    .filter_map(|t| Holding::sendable(chain_id, t)),
            );
        }
    }
    out.sort_by(|a, b| (a.chain_id, &a.symbol).cmp(&(b.chain_id, &b.symbol)));
    Ok(out)
}

/// The wallet commands.
impl crate::Core {
    /// Tokens the signed-in Safe holds, per chain.
    pub async fn wallet_holdings(&self) -> Result<Vec<Holding>, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        conn.ops.go_live(&session);
        holdings(&session, safe).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_without_decimals_is_never_offered_for_sending() {
        let row = |decimals: Option<u8>| {
            serde_json::from_value::<ibex::models::account::TokenBalance>(serde_json::json!({
                "tokenAddress": "0x0000000000000000000000000000000000000001",
                "symbol": "USDC", "decimals": decimals, "balance": "2",
            }))
            .unwrap()
        };
        assert_eq!(Holding::sendable(100, row(Some(6))).unwrap().decimals, 6);
        // Not 18 by default: 1 USDC (6 decimals) would be sent as 10^12 USDC's worth of units.
        assert!(Holding::sendable(100, row(None)).is_none());
    }
}
