//! DeFi positions (docs/api/account.md §6, `/users/me/pools`): what the Safe has in Aave, Morpho
//! and Hyperliquid, per chain — deposited, worth now, yield — valued at IBEx's prices, and
//! whether IBEx's portfolio totals already count it. IBEx counts a position where it is a
//! monitored token of the balances: Aave's aTokens are (type `AAVE`), Morpho shares and
//! Hyperliquid balances are not. The wallet keeps IBEx's totals as they are and shows the rest
//! beside them, so nothing is counted twice (the rule is inferred from the token types, not
//! documented).

use ibex::models::account::Scope;
use ibex::{Address, Decimal, Session};
use serde::Serialize;

use crate::earn::VaultProvider;
use crate::error::AppError;
use crate::money::{self, Exact};

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PositionRow {
    pub provider: VaultProvider,
    pub chain_id: u32,
    pub symbol: String,
    #[specta(type = String)]
    pub token_address: Address,
    /// IBEx's measure: `ATOKEN_INDEX`, `ERC4626_SHARES`, `VAULT_EQUITY`, `ACCOUNT_BALANCE`…
    pub method: Option<String>,
    /// Cost basis, in the asset.
    pub deposited: String,
    /// Worth now, in the asset.
    pub current: String,
    /// Yield so far, in the asset.
    pub gain: Option<String>,
    /// Percent per year (IBEx gives a fraction), two decimals.
    pub apy: Option<String>,
    /// `current` at IBEx's EUR price, to the cent; `None` when IBEx has no price.
    pub value_eur: Option<String>,
    /// IBEx's portfolio totals already include this position (as a monitored token).
    pub in_totals: bool,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Positions {
    pub rows: Vec<PositionRow>,
    /// Sum of the rows' EUR values (exact, to the cent).
    pub total_eur: String,
    /// The part of it IBEx's totals do not include.
    pub outside_totals_eur: String,
}

/// A fraction (`0.0315`) as percent text with two decimals (`3.15`), rounded half away from zero.
fn percent(fraction: &Decimal) -> Option<String> {
    let pct = Exact::parse(fraction.as_str())?.checked_mul(Exact::parse("100")?)?;
    Some(pct.round(2).to_text(2))
}

pub(crate) async fn list(session: &Session) -> Result<Positions, AppError> {
    let scope = Scope {
        include_zero: Some(true),
        ..Scope::default()
    };
    let (pools, balances) = tokio::join!(session.pools(None), session.balances(&scope));
    let prices: Vec<(u64, Address, Decimal)> = balances
        .map(|b| {
            b.crypto
                .into_iter()
                .filter_map(|(chain, wallets)| Some((chain.parse::<u64>().ok()?, wallets)))
                .flat_map(|(chain, wallets)| {
                    wallets.into_values().flat_map(move |w| {
                        w.tokens.into_iter().filter_map(move |t| {
                            Some((
                                chain,
                                t.token_address.unwrap_or(Address::ZERO),
                                t.price_eur?,
                            ))
                        })
                    })
                })
                .collect()
        })
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no prices for the positions");
            Vec::new()
        });
    let pools = match pools {
        Ok(p) => p.0,
        // A new address not indexed yet holds no positions.
        Err(ibex::Error::NotIndexed { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut rows = Vec::new();
    for chain_pools in pools {
        let Some(chain) = chain_pools.blockchain_id else {
            continue;
        };
        for group in chain_pools.pools {
            let Some(provider) = [
                VaultProvider::Aave,
                VaultProvider::Morpho,
                VaultProvider::Hyperliquid,
            ]
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(&group.provider)) else {
                continue;
            };
            for item in group.items {
                let current = item
                    .current_balance
                    .clone()
                    .unwrap_or_else(|| item.base_balance.clone());
                if Exact::parse(current.as_str()).is_none_or(Exact::is_zero) {
                    continue;
                }
                let token = item.token_address.unwrap_or(Address::ZERO);
                let value_eur = prices
                    .iter()
                    .find(|(c, a, _)| *c == chain.0 && *a == token)
                    .and_then(|(_, _, price)| {
                        Exact::parse(current.as_str())?.checked_mul(Exact::parse(price.as_str())?)
                    })
                    .map(|v| v.round(2).to_text(2));
                rows.push(PositionRow {
                    provider,
                    chain_id: u32::try_from(chain.0).unwrap_or(0),
                    symbol: item.symbol.clone().unwrap_or_else(|| "?".to_owned()),
                    token_address: token,
                    method: item.method.clone(),
                    deposited: item.base_balance.to_string(),
                    current: current.to_string(),
                    gain: item.gain.as_ref().map(Decimal::to_string),
                    apy: item.apy.as_ref().and_then(percent),
                    value_eur,
                    in_totals: provider == VaultProvider::Aave,
                });
            }
        }
    }
    let sum = |pick: &dyn Fn(&PositionRow) -> bool| {
        money::sum(
            rows.iter()
                .filter(|r| pick(r))
                .filter_map(|r| r.value_eur.as_deref()),
        )
        .map_or_else(|| "0.00".to_owned(), |s| s.to_text(2))
    };
    Ok(Positions {
        total_eur: sum(&|_| true),
        outside_totals_eur: sum(&|r| !r.in_totals),
        rows,
    })
}

/// The positions commands.
impl crate::Core {
    /// The Safe's DeFi positions on every chain, valued at IBEx's prices.
    pub async fn positions_list(&self) -> Result<Positions, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        list(&session).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn yields_are_fractions_shown_as_percent() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(percent(&d("0.031")).as_deref(), Some("3.10"));
        assert_eq!(percent(&d("0.0314805")).as_deref(), Some("3.15"));
        assert_eq!(percent(&d("0")).as_deref(), Some("0.00"));
    }
}
