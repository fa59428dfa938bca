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
            out.extend(wallet.tokens.into_iter().map(|t| Holding {
                chain_id,
                token_address: t.token_address.unwrap_or(Address::ZERO),
                symbol: t.symbol.unwrap_or_else(|| "?".to_owned()),
                decimals: t.decimals.unwrap_or(18),
                balance: t.balance,
            }));
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
