//! SEPA payments (docs/api/account.md §17): checked here (IBANs, an exact euro amount with at
//! most 2 decimals and within the IBAN's balance, the payee's verification), then the payment
//! intent (`POST /v1.2/sepa/payments`) becomes a review on the one operation pipeline; the
//! passkey's assertion confirms it (`PUT`), and the core follows its status.

use std::str::FromStr;

use ibex::models::sepa::{Channel, Party, PaymentRequest};
use ibex::models::ChainId;
use ibex::Decimal;
use serde::{Deserialize, Serialize};

use super::payees::{self, VopCheck, VopResult};
use super::{accounts, Iban};
use crate::error::{AppError, Context, ErrorCode};
use crate::messages::Msg;
use crate::operations::{BankAction, OperationReview, Reviewed};

/// SEPA's end-to-end reference and unstructured remittance limits (EPC rulebook).
const REFERENCE_MAX: usize = 35;
const REMITTANCE_MAX: usize = 140;

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDraft {
    /// One of the user's IBANs (any spacing).
    pub from_iban: String,
    pub payee_name: String,
    pub payee_iban: String,
    /// Euro text, a dot for decimals (the UI turns `12,50` into `12.50`).
    pub amount: String,
    pub reference: String,
    pub remittance_info: Option<String>,
    /// SEPA Instant (seconds) rather than a plain SEPA credit transfer.
    pub instant: bool,
    /// The user saw a close match or no match for this payee and pays anyway.
    pub accept_unverified: bool,
}

/// What the passkey approves.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SepaPaymentFacts {
    /// Exact euro text with 2 decimals.
    pub amount: String,
    pub debtor_name: String,
    /// Grouped.
    pub debtor_iban: String,
    pub creditor_name: String,
    /// Grouped.
    pub creditor_iban: String,
    pub reference: String,
    pub remittance_info: Option<String>,
    pub instant: bool,
    /// What IBEx's Verification of Payee said (a saved payee's stored result, or the check
    /// the user just saw).
    pub vop: VopCheck,
    /// The euro balance of the debtor IBAN after the payment.
    pub balance_after: String,
}

/// Euro text as cents: positive, at most 2 decimals.
fn cents(text: &str) -> Result<u128, AppError> {
    let text = text.trim();
    let amount = Decimal::from_str(text).map_err(|_| {
        AppError::validation(Msg::NotAnAmount {
            text: text.to_owned(),
        })
    })?;
    if text.starts_with('-') {
        return Err(AppError::validation(Msg::AmountNotPositive));
    }
    let cents = amount
        .to_base_units(2)
        .map_err(|_| AppError::validation(Msg::BankAmountDecimals))?;
    if cents == 0 {
        return Err(AppError::validation(Msg::AmountZero));
    }
    Ok(cents)
}

fn euros(cents: u128) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `text` trimmed, not empty, at most `max` characters.
fn bounded(text: &str, max: usize, missing: Msg) -> Result<String, AppError> {
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::validation(missing));
    }
    if text.chars().count() > max {
        return Err(AppError::validation(Msg::BankTextTooLong { max }));
    }
    Ok(text)
}

impl crate::Core {
    /// Checks the payment, asks IBEx for its intent and files it for the passkey.
    pub async fn banking_pay_prepare(
        &self,
        draft: PaymentDraft,
    ) -> Result<OperationReview, AppError> {
        let from = Iban::parse(&draft.from_iban)?;
        let to = Iban::parse(&draft.payee_iban)?;
        if from == to {
            return Err(AppError::validation(Msg::BankSameIban));
        }
        let name = payees::person_name(&draft.payee_name)?;
        let amount = cents(&draft.amount)?;
        let reference = bounded(&draft.reference, REFERENCE_MAX, Msg::BankReferenceMissing)?;
        let remittance = draft
            .remittance_info
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| bounded(r, REMITTANCE_MAX, Msg::BankReferenceMissing))
            .transpose()?;
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let account = accounts(&session)
            .await?
            .into_iter()
            .find(|a| a.iban == from.as_str())
            .ok_or_else(|| AppError::validation(Msg::BankNotYourIban))?;
        let available = account
            .balance
            .as_deref()
            .map(cents)
            .transpose()
            .ok()
            .flatten();
        if let Some(available) = available {
            if amount > available {
                return Err(AppError::validation(Msg::BankInsufficient {
                    available: euros(available),
                }));
            }
        }
        let vop = self.verified_payee(&conn, &session, &to, &name).await?;
        if vop.result != VopResult::Match && !draft.accept_unverified {
            return Err(AppError::new(
                ErrorCode::PayeeUnverified,
                Msg::BankPayeeNotMatched,
            ));
        }
        let debtor_name = account.holder_name.clone().unwrap_or_default();
        let mut request = PaymentRequest::new(
            reference.clone(),
            if draft.instant {
                Channel::SepaInstant
            } else {
                Channel::Sepa
            },
            Decimal::from_str(&euros(amount)).map_err(|e| {
                AppError::internal(Msg::InvalidValue {
                    detail: e.to_string(),
                })
            })?,
            Party {
                name: debtor_name.clone(),
                iban: from.as_str().to_owned(),
            },
            Party {
                name: name.clone(),
                iban: to.as_str().to_owned(),
            },
        )
        .map_err(|_| AppError::validation(Msg::BankAmountDecimals))?;
        request.remittance_info = remittance.clone();
        let approval = session.payment_intent(&request).await.map_err(|e| {
            AppError::from_ibex(
                &e,
                &Context {
                    refused: Some((ErrorCode::Validation, Msg::BankPaymentRefused)),
                    ..Context::default()
                },
            )
        })?;
        let facts = SepaPaymentFacts {
            amount: euros(amount),
            debtor_name,
            debtor_iban: from.grouped(),
            creditor_name: name,
            creditor_iban: to.grouped(),
            reference,
            remittance_info: remittance,
            instant: draft.instant,
            vop,
            balance_after: available.map_or_else(String::new, |a| euros(a - amount)),
        };
        conn.ops
            .file_bank_approval(
                &session,
                &conn.client.config().rp_id,
                approval,
                BankAction::Payment,
                safe,
                ChainId(u64::from(account.chain_id.unwrap_or_default())),
                Reviewed::SepaPayment(facts),
            )
            .await
    }

    /// The verification of `name` for `iban`: a saved payee's stored match (under its name or
    /// the name the bank matched), else the check the user made in this session; a payee never
    /// checked must be checked first.
    async fn verified_payee(
        &self,
        conn: &crate::network::Connection,
        session: &ibex::Session,
        iban: &Iban,
        name: &str,
    ) -> Result<VopCheck, AppError> {
        let saved = payees::list(session).await?.into_iter().find(|p| {
            let named = |n: &str| n.eq_ignore_ascii_case(name);
            p.iban == iban.as_str()
                && p.vop == Some(VopResult::Match)
                && (named(&p.name) || p.matched_name.as_deref().is_some_and(named))
        });
        if let Some(p) = saved {
            return Ok(VopCheck {
                result: VopResult::Match,
                name: name.to_owned(),
                matched_name: p.matched_name,
            });
        }
        match conn.bank.check_of(iban) {
            Some(check) if check.name == name => Ok(check),
            _ => Err(AppError::new(
                ErrorCode::PayeeUnverified,
                Msg::BankPayeeNotChecked,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sepa_amounts_are_exact_cents() {
        assert_eq!(cents("120").unwrap(), 12_000);
        assert_eq!(cents("0.01").unwrap(), 1);
        assert_eq!(euros(cents("1234.5").unwrap()), "1234.50");
        let e = cents("10.001").unwrap_err();
        assert!(e.message.contains("2 decimals"), "{}", e.message);
        assert!(cents("0").is_err());
        assert!(cents("-5").is_err());
        assert!(cents("12,5").is_err());
    }
}
