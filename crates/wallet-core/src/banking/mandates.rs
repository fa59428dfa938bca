//! Mandates (docs/api/account.md §17): forward a share of what reaches one of the user's IBANs
//! to another account. IBEx takes the mandate with its signed text (`signature {message,
//! signature, safeOperationUserOpHash}`); the wallet has the Safe sign that text
//! (`SIGN_MESSAGE`, reviewed word for word), then files the mandate with the operation's hash.
//! Only "every incoming transfer" is offered: the whitelist rules' shape is the sandbox's
//! reading of the mirror, not a documented contract.

use ibex::models::sepa::{Mandate, MandateRequest, MandateSignature, MandateStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{accounts, iban, payees, Bic, Iban};
use crate::error::{AppError, ErrorCode};
use crate::message::MessageDraft;
use crate::messages::Msg;
use crate::operations::OperationReview;
use crate::sync::lock;

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MandateDraft {
    pub source_iban: String,
    pub destination_name: String,
    pub destination_iban: String,
    pub destination_bic: Option<String>,
    /// Whole percent, 1–100.
    pub percent: u8,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MandateView {
    pub id: String,
    /// `validated`, `suspended` or `cancelled`.
    pub status: String,
    /// Grouped.
    pub source_iban: Option<String>,
    pub destination_name: Option<String>,
    /// Grouped.
    pub destination_iban: Option<String>,
    pub percent: Option<u32>,
    pub created_at: Option<String>,
}

fn text(v: Option<&Value>, key: &str) -> Option<String> {
    v?.get(key)?.as_str().map(str::to_owned)
}

fn view(m: Mandate) -> MandateView {
    let routing = m.routing.as_ref();
    MandateView {
        id: m.id,
        status: m.status,
        source_iban: text(routing, "sourceIban").as_deref().map(iban::grouped),
        destination_name: text(routing, "destinationName"),
        destination_iban: text(routing, "destinationIban")
            .as_deref()
            .map(iban::grouped),
        percent: m
            .allocation
            .as_ref()
            .and_then(|a| a.get("percent"))
            .and_then(Value::as_u64)
            .and_then(|p| u32::try_from(p).ok()),
        created_at: m.created_at,
    }
}

/// The mandate in words: what the Safe signs and IBEx keeps.
fn mandate_text(holder: &str, source: &Iban, name: &str, to: &Iban, percent: u8) -> String {
    format!(
        "SEPA mandate\nI, {holder}, instruct IBEx to forward {percent} % of every transfer received on {} to {name}, {}, until I cancel this mandate.",
        source.grouped(),
        to.grouped()
    )
}

async fn list(session: &ibex::Session) -> Result<Vec<MandateView>, AppError> {
    let mut out: Vec<MandateView> = session.mandates().await?.into_iter().map(view).collect();
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    Ok(out)
}

impl crate::Core {
    pub async fn banking_mandates(&self) -> Result<Vec<MandateView>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        list(&session).await
    }

    /// Checks the mandate and prepares the Safe's signature of its text (the review shows the
    /// text as signed). Once that operation is executed, [`Self::banking_mandate_create`].
    pub async fn banking_mandate_prepare(
        &self,
        draft: MandateDraft,
    ) -> Result<OperationReview, AppError> {
        let source = Iban::parse(&draft.source_iban)?;
        let to = Iban::parse(&draft.destination_iban)?;
        if source == to {
            return Err(AppError::validation(Msg::BankSameIban));
        }
        let name = payees::person_name(&draft.destination_name)?;
        let bic = draft
            .destination_bic
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(Bic::parse)
            .transpose()?;
        if !(1..=100).contains(&draft.percent) {
            return Err(AppError::validation(Msg::BankMandatePercent));
        }
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signing()?;
        let account = accounts(&session)
            .await?
            .into_iter()
            .find(|a| a.iban == source.as_str())
            .ok_or_else(|| AppError::validation(Msg::BankNotYourIban))?;
        let holder = account.holder_name.clone().unwrap_or_default();
        let message = mandate_text(&holder, &source, &name, &to, draft.percent);
        let review = self
            .message_sign(MessageDraft {
                chain_id: account.chain_id.unwrap_or_default(),
                message: message.clone(),
            })
            .await?;
        lock(&conn.bank.mandates).insert(
            review.signing.user_op_hash.clone(),
            MandateRequest {
                source_iban: source.as_str().to_owned(),
                destination_iban: to.as_str().to_owned(),
                destination_name: name,
                destination_bic: bic.map(|b| b.as_str().to_owned()),
                percent: draft.percent,
                trigger: json!({ "mode": "all" }),
                signature: MandateSignature {
                    message,
                    // A Safe's approval of a message is on chain (EIP-1271 with an empty
                    // signature); the operation's hash says which one.
                    signature: "0x".into(),
                    safe_operation_user_op_hash: Some(review.signing.user_op_hash.clone()),
                },
            },
        );
        Ok(review)
    }

    /// Files the mandate whose text the operation `user_op_hash` signed.
    pub async fn banking_mandate_create(
        &self,
        user_op_hash: String,
    ) -> Result<Vec<MandateView>, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let request = lock(&conn.bank.mandates)
            .remove(&user_op_hash)
            .ok_or_else(|| AppError::new(ErrorCode::Conflict, Msg::BankMandateNotSigned))?;
        session.create_mandate(&request).await?;
        list(&session).await
    }

    /// Suspends a mandate: IBEx forwards nothing until it is resumed.
    pub async fn banking_mandate_suspend(&self, id: String) -> Result<Vec<MandateView>, AppError> {
        self.mandate_status(&id, Some(MandateStatus::Suspended))
            .await
    }

    /// Resumes a suspended mandate: IBEx forwards again from the next transfer received.
    pub async fn banking_mandate_resume(&self, id: String) -> Result<Vec<MandateView>, AppError> {
        self.mandate_status(&id, Some(MandateStatus::Validated))
            .await
    }

    /// Cancels a mandate (terminal: a cancelled mandate cannot be resumed).
    pub async fn banking_mandate_cancel(&self, id: String) -> Result<Vec<MandateView>, AppError> {
        self.mandate_status(&id, None).await
    }

    /// Sets a mandate's status (`None`: cancels it, IBEx's own route for that), then lists them
    /// again. IBEx refuses any change to a cancelled mandate (409), said as such.
    async fn mandate_status(
        &self,
        id: &str,
        status: Option<MandateStatus>,
    ) -> Result<Vec<MandateView>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        let changed = match status {
            Some(status) => session.set_mandate_status(id, status).await,
            None => session.cancel_mandate(id).await,
        };
        changed.map_err(|e| {
            if matches!(e, ibex::Error::Conflict { .. }) {
                AppError::new(ErrorCode::Conflict, Msg::BankMandateCancelled)
            } else {
                AppError::from_ibex(&e, &crate::error::Context::default())
            }
        })?;
        list(&session).await
    }
}
