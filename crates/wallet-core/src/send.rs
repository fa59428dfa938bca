//! Sending tokens: validate the draft, prepare the transfer and show exactly what the passkey
//! will sign; the operations pipeline (`operations`) approves and tracks it.

use std::str::FromStr;

use ibex::models::operations::Operation;
use ibex::models::ChainId;
use ibex::{Address, ChainAddress, Decimal, Session};
use serde::Deserialize;

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::operations::{Draft, OperationReview, Reviewed, TransferFacts};
use crate::recipients::{self, parse_recipient, KnownRecipient};
use crate::wallet::Holding;

/// What the user filled in.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferDraft {
    pub chain_id: u32,
    pub token_address: String,
    pub to: String,
    /// Decimal text in whole tokens, e.g. "1.5".
    pub amount: String,
    /// The user confirmed this recipient although it looks like another address they know.
    #[serde(default)]
    pub look_alike_confirmed: bool,
}

/// The transfer of `draft` from `safe`, checked against what the Safe holds; `to` is the
/// draft's recipient, parsed once by the caller.
async fn transfer(
    session: &Session,
    safe: Address,
    to: Address,
    recipient: Option<KnownRecipient>,
    draft: &TransferDraft,
) -> Result<Draft, AppError> {
    if to == safe {
        return Err(AppError::validation(Msg::OwnWallet));
    }
    let token: Address = draft
        .token_address
        .trim()
        .parse()
        .map_err(|_| AppError::validation(Msg::NoSuchToken))?;
    let holdings = crate::wallet::holdings(session, safe).await?;
    let holding = holdings
        .into_iter()
        .find(|h| h.chain_id == draft.chain_id && h.token_address == token)
        .ok_or_else(|| AppError::validation(Msg::NoSuchToken))?;
    let amount = parse_amount(&draft.amount, &holding)?;
    Ok(Draft {
        safe,
        chain: ChainId(u64::from(draft.chain_id)),
        operations: vec![Operation::TransferToken {
            token_address: ChainAddress::Evm(token),
            to: ChainAddress::Evm(to),
            amount: amount.clone(),
            decimals: Some(holding.decimals),
        }],
        reviewed: Reviewed::Transfer(TransferFacts {
            to,
            recipient,
            token_address: token,
            symbol: holding.symbol,
            amount: amount.as_str().to_owned(),
        }),
        valid_until: None,
    })
}

/// The amount as exact decimals within the token's precision and the balance.
pub(crate) fn parse_amount(text: &str, holding: &Holding) -> Result<Decimal, AppError> {
    let text = text.trim();
    let amount = Decimal::from_str(text).map_err(|_| {
        AppError::validation(Msg::NotAnAmount {
            text: text.to_owned(),
        })
    })?;
    let units = amount.to_base_units(holding.decimals).map_err(|_| {
        if text.starts_with('-') {
            AppError::validation(Msg::AmountNotPositive)
        } else {
            AppError::validation(Msg::TooManyDecimals {
                symbol: holding.symbol.clone(),
                decimals: holding.decimals,
            })
        }
    })?;
    if units == 0 {
        return Err(AppError::validation(Msg::AmountZero));
    }
    let balance = holding
        .balance
        .to_base_units(holding.decimals)
        .map_err(|e| {
            AppError::new(
                ErrorCode::BadResponse,
                Msg::BalanceUnreadable {
                    error: e.to_string(),
                },
            )
        })?;
    if units > balance {
        return Err(AppError::validation(Msg::InsufficientBalance {
            balance: holding.balance.to_string(),
            symbol: holding.symbol.clone(),
        }));
    }
    Ok(Decimal::from_base_units(units, holding.decimals))
}

/// The send commands.
impl crate::Core {
    /// Validates a transfer and prepares it; the review shows what the passkey will sign.
    /// A recipient that looks like a known address is refused unless the user confirmed it.
    pub async fn send_prepare(&self, draft: TransferDraft) -> Result<OperationReview, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let to = parse_recipient(&draft.to)?;
        let seen = recipients::check(to, &self.recipients_known().await?);
        if let Some(similar) = seen.look_alike.filter(|_| !draft.look_alike_confirmed) {
            return Err(AppError::validation(Msg::LookAlike {
                name: similar.name,
                address: similar.address,
            }));
        }
        let draft = transfer(&session, safe, to, seen.known, &draft).await?;
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usdc(balance: &str) -> Holding {
        Holding {
            chain_id: 100,
            token_address: "0x0000000000000000000000000000000000000001"
                .parse()
                .unwrap(),
            symbol: "USDC".into(),
            decimals: 6,
            balance: balance.parse().unwrap(),
        }
    }

    #[test]
    fn amounts_are_exact_and_checked_before_prepare() {
        assert_eq!(parse_amount("1.5", &usdc("2")).unwrap().as_str(), "1.5");
        assert_eq!(parse_amount("2.000000", &usdc("2")).unwrap().as_str(), "2");
        for (text, needle) in [
            ("1.0000001", "at most 6 decimals"),
            ("2.000001", "Insufficient balance"),
            ("0", "more than zero"),
            ("-1", "must be positive"),
            ("1e3", "not an amount"),
            ("", "not an amount"),
            ("1,5", "not an amount"),
        ] {
            let e = parse_amount(text, &usdc("2")).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }
}
