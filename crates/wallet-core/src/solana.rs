//! The Solana wallets IBEx derives for the account (docs/api/operations.md §9): their addresses
//! and SOL balances, read through IBEx's JSON-RPC proxy on the Solana chain (`getBalance`, the
//! proxy the gasless path uses), and a transfer **checked and reviewed** here.
//!
//! Sending stops there: IBEx documents `SOLANA_PREPARE` → `SIGN` → `SEND` but not how each
//! instruction is encoded in `instructions[]`, nor how a client gets the derived Ed25519 key
//! (from the passkey's PRF output or a master IBEx keeps sealed) to sign; IBEx "never signs
//! Solana payloads itself". The review says so plainly.

use ibex::models::ChainId;
use ibex::{Decimal, Session};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::bitcoin::{derived_addresses, DerivedScope};
use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;

/// Lamports per SOL.
const SOL_DECIMALS: u8 = 9;
/// The Solana chain IBEx's proxy serves. The id is "configured by the platform"; the mirror
/// names `900` (and `901`), the Solana guide's example `1399811149`.
pub const SOLANA_CHAIN: u64 = 900;
/// A transfer's base fee (one signature). On IBEx's gasless path its fee payer pays it.
const BASE_FEE_LAMPORTS: u64 = 5_000;

/// Lamports → exact SOL text.
fn sol(lamports: u64) -> String {
    Decimal::from_base_units(u128::from(lamports), SOL_DECIMALS).to_string()
}

/// A Solana address: base58 of a 32-byte public key.
pub fn parse_address(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::validation(Msg::SolAddressEmpty));
    }
    if text.starts_with("0x") {
        return Err(AppError::validation(Msg::SolAddressEvm));
    }
    if let Some(c) = text
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() || "0OIl".contains(*c))
    {
        return Err(AppError::validation(Msg::SolAddressCharacter {
            character: c.to_string(),
        }));
    }
    let bytes = bs58::decode(text)
        .into_vec()
        .map_err(|_| AppError::validation(Msg::SolAddressLength { bytes: 0 }))?;
    if bytes.len() != 32 {
        return Err(AppError::validation(Msg::SolAddressLength {
            bytes: bytes.len(),
        }));
    }
    Ok(text.to_owned())
}

/// SOL text → lamports: exact, at most 9 decimals, more than zero.
pub fn parse_sol(text: &str) -> Result<u64, AppError> {
    let text = text.trim();
    let amount = Decimal::from_str(text).map_err(|_| {
        AppError::validation(Msg::NotAnAmount {
            text: text.to_owned(),
        })
    })?;
    let lamports = amount.to_base_units(SOL_DECIMALS).map_err(|_| {
        if text.starts_with('-') {
            AppError::validation(Msg::AmountNotPositive)
        } else {
            AppError::validation(Msg::TooManyDecimals {
                symbol: "SOL".into(),
                decimals: SOL_DECIMALS,
            })
        }
    })?;
    match u64::try_from(lamports) {
        Ok(0) => Err(AppError::validation(Msg::AmountZero)),
        Ok(l) => Ok(l),
        Err(_) => Err(AppError::validation(Msg::SolAboveBalance {
            balance: "—".into(),
        })),
    }
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SolanaWallets {
    pub chain_id: u32,
    pub addresses: Vec<SolanaAddressView>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SolanaAddressView {
    pub address: String,
    pub scope: DerivedScope,
    /// Lamports (decimal text).
    pub balance_lamports: String,
    /// SOL, exact.
    pub balance: String,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SolanaDraft {
    pub from: String,
    pub to: String,
    /// SOL, decimal text (at most 9 decimals).
    pub amount: String,
}

/// A checked Solana transfer, as it would be sent.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SolanaPlan {
    pub chain_id: u32,
    pub from: String,
    pub to: String,
    pub amount_lamports: String,
    pub amount: String,
    /// The network's base fee, which IBEx's fee payer pays on the gasless path.
    pub fee_lamports: String,
    pub fee: String,
    /// Always false today (see the module doc).
    pub signable: bool,
}

async fn balance(session: &Session, address: &str) -> Result<u64, AppError> {
    let answer = session
        .rpc(
            ChainId(SOLANA_CHAIN),
            "getBalance",
            serde_json::json!([address]),
        )
        .await?;
    if let Some(error) = answer.error {
        tracing::warn!(%error, "Solana getBalance refused");
        return Err(AppError::new(ErrorCode::Server, Msg::SolBalanceUnavailable));
    }
    answer
        .result
        .as_ref()
        .and_then(|r| r.get("value").or(Some(r)))
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::SolBalanceUnavailable))
}

impl crate::Core {
    /// The account's Solana addresses and their SOL balances.
    pub async fn solana_wallets(&self) -> Result<SolanaWallets, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let mut addresses = Vec::new();
        for (_, address, scope) in derived_addresses(&session, &safe, &["SOLANA"]).await? {
            let lamports = balance(&session, &address).await?;
            addresses.push(SolanaAddressView {
                address,
                scope,
                balance_lamports: lamports.to_string(),
                balance: sol(lamports),
            });
        }
        Ok(SolanaWallets {
            chain_id: SOLANA_CHAIN as u32,
            addresses,
        })
    }

    /// Checks a SOL transfer from one of the account's Solana addresses (recipient, amount,
    /// balance). Nothing is signed or sent.
    pub async fn solana_plan(&self, draft: SolanaDraft) -> Result<SolanaPlan, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let from = draft.from.trim().to_owned();
        if !derived_addresses(&session, &safe, &["SOLANA"])
            .await?
            .iter()
            .any(|(_, a, _)| *a == from)
        {
            return Err(AppError::validation(Msg::SolNotYours));
        }
        let to = parse_address(&draft.to)?;
        if to == from {
            return Err(AppError::validation(Msg::SolSameAddress));
        }
        let amount = parse_sol(&draft.amount)?;
        let held = balance(&session, &from).await?;
        if amount > held {
            return Err(AppError::validation(Msg::SolAboveBalance {
                balance: sol(held),
            }));
        }
        Ok(SolanaPlan {
            chain_id: SOLANA_CHAIN as u32,
            from,
            to,
            amount_lamports: amount.to_string(),
            amount: sol(amount),
            fee_lamports: BASE_FEE_LAMPORTS.to_string(),
            fee: sol(BASE_FEE_LAMPORTS),
            signable: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solana_addresses_and_amounts_are_checked() {
        assert!(parse_address("11111111111111111111111111111111").is_ok());
        assert!(parse_address("So11111111111111111111111111111111111111112").is_ok());
        let evm = parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").unwrap_err();
        assert!(evm.message.contains("Ethereum"), "{}", evm.message);
        let zero = parse_address("So1111111111111111111111111111111111111111O").unwrap_err();
        assert!(zero.message.contains("“O”"), "{}", zero.message);
        let short = parse_address("So111111111111111111").unwrap_err();
        assert!(short.message.contains("32 bytes"), "{}", short.message);
        assert_eq!(parse_sol("1.5").unwrap(), 1_500_000_000);
        assert!(parse_sol("0.0000000001")
            .unwrap_err()
            .message
            .contains("9 decimals"));
        assert_eq!(sol(1_500_000_000), "1.5");
    }
}
