//! Earning with vaults (docs/api/operations.md §3.6): the Aave, Morpho and Hyperliquid vaults
//! IBEx lists (`/safes/vaults`), with the Safe's deposit in each (`/users/me/lending`,
//! user-scoped), and deposits and withdrawals reviewed and signed through the operations
//! pipeline. Amounts are exact and checked before anything is sent: never more than the Safe
//! holds (deposit) or the position is worth (withdrawal), never more decimals than the asset has.

use std::str::FromStr;

use ibex::models::catalog::Vault;
use ibex::models::operations::{HyperliquidData, Operation};
use ibex::models::ChainId;
use ibex::{Address, Decimal, Session};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::operations::Remainder;
use crate::operations::{Draft, OperationReview, Reviewed, VaultFacts};
use crate::swap::SwapToken;
use crate::wallet::Holding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum VaultProvider {
    Aave,
    Morpho,
    Hyperliquid,
}

impl VaultProvider {
    /// The name IBEx uses (`provider=`, `provider` fields).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Aave => "AAVE",
            Self::Morpho => "MORPHO",
            Self::Hyperliquid => "HYPERLIQUID",
        }
    }
}

/// The Safe's deposit in a vault.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VaultPosition {
    /// What was deposited and not withdrawn (exact, in the asset).
    pub deposited: String,
    /// What it is worth now, yield included: the most a withdrawal can take.
    pub current: String,
    /// The vault shares held, when IBEx states them (its lending rows may carry `shares`):
    /// withdrawing everything from a Morpho vault then redeems them all.
    pub shares: Option<String>,
}

/// A vault as the Earn page lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VaultView {
    pub provider: VaultProvider,
    pub name: String,
    pub chain_id: u32,
    /// The pool (Aave) or vault contract (Morpho, Hyperliquid), EIP-55.
    #[specta(type = String)]
    pub address: Address,
    pub asset: SwapToken,
    /// Percent per year as IBEx states it (e.g. "3.10").
    pub apy: Option<String>,
    /// Total value locked, in the asset.
    pub tvl: Option<String>,
    /// IBEx marks it inactive or paused: no deposits.
    pub paused: bool,
    /// The deposit cap, in the asset, when IBEx states one.
    pub cap: Option<String>,
    pub position: Option<VaultPosition>,
}

/// A deposit or a withdrawal the user asks for.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EarnDraft {
    pub provider: VaultProvider,
    pub chain_id: u32,
    pub vault_address: String,
    /// The vault's asset (Aave's pool is one address for every asset of a chain).
    pub asset_address: String,
    /// Decimal text in whole asset tokens.
    pub amount: String,
    /// Withdraw everything ("Max"): the amount is what the position is worth now, taken from
    /// the core's own reading, not from `amount`.
    #[serde(default)]
    pub all: bool,
}

fn view(provider: VaultProvider, v: &Vault) -> Option<VaultView> {
    let asset = SwapToken {
        token_address: v.asset_address?,
        symbol: v.asset_ticker.clone()?,
        decimals: v.asset_decimals?,
    };
    let metadata = v.metadata.as_ref();
    let paused = v.active == Some(false)
        || metadata
            .and_then(|m| m.get("paused"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
    let cap = metadata
        .and_then(|m| m.get("supplyCap"))
        .and_then(|c| c.as_str())
        .map(str::to_owned);
    Some(VaultView {
        provider,
        name: v.name.clone().unwrap_or_else(|| asset.symbol.clone()),
        chain_id: u32::try_from(v.blockchain_id?.0).ok()?,
        address: v.pool_address?,
        asset,
        apy: v.apy.as_ref().map(Decimal::to_string),
        tvl: v.tvl.as_ref().map(Decimal::to_string),
        paused,
        cap,
        position: None,
    })
}

/// Every vault of every provider on every chain (IBEx lists them per chain), with the Safe's
/// positions.
pub(crate) async fn vaults(session: &Session) -> Result<Vec<VaultView>, AppError> {
    let chains = session.chains().await?;
    let mut asks = tokio::task::JoinSet::new();
    for (order, provider) in [
        VaultProvider::Aave,
        VaultProvider::Morpho,
        VaultProvider::Hyperliquid,
    ]
    .into_iter()
    .enumerate()
    {
        for chain in &chains {
            let (session, chain) = (session.clone(), chain.id);
            asks.spawn(async move {
                let list = session.vaults(Some(provider.code()), Some(chain)).await;
                (order, chain, provider, list)
            });
        }
    }
    let held = session.lending(Some(true), None).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "vault positions not known");
        Vec::new()
    });
    let mut lists = Vec::new();
    while let Some(answer) = asks.join_next().await {
        let (order, chain, provider, list) = answer.map_err(|e| {
            AppError::internal(Msg::TaskFailed {
                error: e.to_string(),
            })
        })?;
        lists.push((order, chain, provider, list?));
    }
    lists.sort_by_key(|(order, chain, ..)| (*order, chain.0));
    let mut out = Vec::new();
    for (_, _, provider, list) in lists {
        for mut v in list.iter().filter_map(|v| view(provider, v)) {
            v.position = held
                .iter()
                .find(|e| {
                    e.address == Some(v.address)
                        && e.asset_address == Some(v.asset.token_address)
                        && e.blockchain_id.map(|c| c.0) == Some(u64::from(v.chain_id))
                })
                .and_then(|e| {
                    let current = e.current_balance.clone()?;
                    Some(VaultPosition {
                        deposited: e.deposited.as_ref().unwrap_or(&current).to_string(),
                        current: current.to_string(),
                        shares: e.shares.as_ref().map(ToString::to_string),
                    })
                })
                .filter(|p| !p.current.trim_start_matches(['0', '.']).is_empty());
            out.push(v);
        }
    }
    Ok(out)
}

/// `amount` as exact decimals of `asset`: positive, within its decimals, and at most `limit`
/// (else `over`'s refusal, which names the limit).
fn parse_amount(
    text: &str,
    asset: &SwapToken,
    limit: &Decimal,
    over: impl Fn() -> AppError,
) -> Result<Decimal, AppError> {
    // The format and the decimals as Send checks them, against no balance limit.
    let unlimited = Holding {
        chain_id: 0,
        token_address: asset.token_address,
        symbol: asset.symbol.clone(),
        decimals: asset.decimals,
        balance: Decimal::from_base_units(u128::MAX, asset.decimals),
    };
    let amount = crate::send::parse_amount(text, &unlimited)?;
    let units = |d: &Decimal| d.to_base_units(asset.decimals).unwrap_or(0);
    if units(&amount) > units(limit) {
        return Err(over());
    }
    Ok(amount)
}

/// Morpho's amount units are ambiguous (docs/api/gaps.md G21: the mirror's example reads as base
/// units): a whole amount is sent with a fraction (`5.0`), which no reader can take for base
/// units — at worst it is refused, never misread a million times too small.
fn unambiguous(amount: &Decimal) -> Decimal {
    if amount.as_str().contains('.') {
        amount.clone()
    } else {
        Decimal::from_str(&format!("{amount}.0")).unwrap_or_else(|_| amount.clone())
    }
}

/// `redeem`: withdraw these vault shares (all of them) rather than an amount of the asset.
fn operations(
    provider: VaultProvider,
    deposit: bool,
    vault: &VaultView,
    amount: &Decimal,
    redeem: Option<&Decimal>,
    safe: Address,
) -> Vec<Operation> {
    let asset = &vault.asset;
    let hl = |action: &str, to: Option<Address>| HyperliquidData {
        action: action.to_owned(),
        amount: amount.clone(),
        to,
    };
    match (provider, deposit) {
        (VaultProvider::Aave, true) => vec![Operation::AaveSupply {
            amount: amount.clone(),
            asset_ticker: None,
            token_address: Some(asset.token_address),
            decimals: Some(asset.decimals),
            referral_code: None,
            pool_address: None,
        }],
        (VaultProvider::Aave, false) => vec![Operation::AaveWithdraw {
            amount: amount.clone(),
            asset_ticker: None,
            token_address: Some(asset.token_address),
            decimals: Some(asset.decimals),
            pool_address: None,
        }],
        (VaultProvider::Morpho, true) => vec![Operation::MorphoSupply {
            amount: unambiguous(amount),
            asset_ticker: None,
            token_address: None,
            decimals: None,
            vault_address: vault.address,
        }],
        (VaultProvider::Morpho, false) => vec![Operation::MorphoWithdraw {
            asset_ticker: None,
            token_address: None,
            decimals: None,
            vault_address: vault.address,
            shares: redeem.map(unambiguous),
            amount: redeem.is_none().then(|| unambiguous(amount)),
        }],
        // USDC crosses to Hyperliquid, then enters the vault (and back the other way).
        (VaultProvider::Hyperliquid, true) => vec![
            Operation::HyperliquidDeposit {
                hyperliquid_data: hl("DEPOSIT", None),
            },
            Operation::HyperliquidEnterVault {
                hyperliquid_data: hl("ENTER_VAULT", None),
            },
        ],
        (VaultProvider::Hyperliquid, false) => vec![
            Operation::HyperliquidWithdrawVault {
                hyperliquid_data: hl("WITHDRAW", None),
            },
            Operation::HyperliquidWithdraw {
                hyperliquid_data: hl("WITHDRAW_WALLET", Some(safe)),
            },
        ],
    }
}

/// The earn commands.
impl crate::Core {
    /// Every vault IBEx lists (Aave, Morpho, Hyperliquid), with the Safe's deposit in each.
    pub async fn earn_vaults(&self) -> Result<Vec<VaultView>, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        vaults(&session).await
    }

    /// Reviews a deposit of at most what the Safe holds of the vault's asset.
    pub async fn earn_deposit_prepare(
        &self,
        draft: EarnDraft,
    ) -> Result<OperationReview, AppError> {
        self.earn_prepare(draft, true).await
    }

    /// Reviews a withdrawal of at most what the Safe's deposit is worth now.
    pub async fn earn_withdraw_prepare(
        &self,
        draft: EarnDraft,
    ) -> Result<OperationReview, AppError> {
        self.earn_prepare(draft, false).await
    }

    async fn earn_prepare(
        &self,
        draft: EarnDraft,
        deposit: bool,
    ) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let address: Address = draft
            .vault_address
            .trim()
            .parse()
            .map_err(|_| AppError::validation(Msg::VaultChoose))?;
        let asset: Address = draft
            .asset_address
            .trim()
            .parse()
            .map_err(|_| AppError::validation(Msg::VaultChoose))?;
        let vault = vaults(&session)
            .await?
            .into_iter()
            .find(|v| {
                v.provider == draft.provider
                    && v.chain_id == draft.chain_id
                    && v.address == address
                    && v.asset.token_address == asset
            })
            .ok_or_else(|| AppError::validation(Msg::VaultUnknown))?;
        let mut remainder = None;
        let mut redeem = None;
        let amount = if deposit {
            if vault.paused {
                return Err(AppError::new(ErrorCode::VaultPaused, Msg::VaultPaused));
            }
            let held = crate::wallet::holdings(&session, safe)
                .await?
                .into_iter()
                .find(|h| {
                    h.chain_id == vault.chain_id && h.token_address == vault.asset.token_address
                })
                .map_or_else(|| Decimal::from_base_units(0, 0), |h| h.balance);
            parse_amount(&draft.amount, &vault.asset, &held, || {
                AppError::validation(Msg::VaultDepositAbove {
                    held: held.to_string(),
                    symbol: vault.asset.symbol.clone(),
                })
            })?
        } else {
            let position = vault
                .position
                .as_ref()
                .ok_or_else(|| AppError::validation(Msg::VaultNothingToWithdraw))?;
            let worth = Decimal::from_str(&position.current)
                .map_err(|_| AppError::validation(Msg::VaultNothingToWithdraw))?;
            if draft.all {
                // IBEx documents no "max": the exact worth now, or (Morpho, shares known) every
                // share, which also takes the interest earned until execution.
                redeem = match (vault.provider, &position.shares) {
                    (VaultProvider::Morpho, Some(shares)) => Decimal::from_str(shares).ok(),
                    _ => None,
                };
                remainder = Some(if redeem.is_some() {
                    Remainder::Redeemed
                } else {
                    Remainder::StaysInVault
                });
            }
            let typed = if draft.all {
                worth.to_string()
            } else {
                draft.amount.clone()
            };
            parse_amount(&typed, &vault.asset, &worth, || {
                AppError::validation(Msg::VaultWithdrawAbove {
                    worth: worth.to_string(),
                    symbol: vault.asset.symbol.clone(),
                })
            })?
        };
        let draft = Draft {
            safe,
            chain: ChainId(u64::from(vault.chain_id)),
            operations: operations(
                vault.provider,
                deposit,
                &vault,
                &amount,
                redeem.as_ref(),
                safe,
            ),
            reviewed: {
                let facts = VaultFacts {
                    provider: vault.provider,
                    vault: vault.name.clone(),
                    address: vault.address,
                    asset: vault.asset.clone(),
                    amount: amount.to_string(),
                    apy: vault.apy.clone(),
                    remainder,
                };
                if deposit {
                    Reviewed::VaultDeposit(facts)
                } else {
                    Reviewed::VaultWithdraw(facts)
                }
            },
            valid_until: None,
        };
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morpho_amounts_always_carry_a_fraction() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(unambiguous(&d("5")).as_str(), "5.0");
        assert_eq!(unambiguous(&d("1000000")).as_str(), "1000000.0");
        assert_eq!(unambiguous(&d("2.5")).as_str(), "2.5");
    }
}
