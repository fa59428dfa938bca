//! Euro rails (docs/api/account.md §17, mirror only): IBANs, SEPA payments and mandates. Every answer is
//! `{success, data}`; payments (and IBAN creation when the tenant asks for it) are an approval
//! the passkey confirms. Euro amounts are [`Decimal`]s with at most 2 decimals.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::webauthn::{Credential, WebAuthnOptions};
use super::ChainId;
use crate::{Address, Decimal};

/// `{success, data}`, the envelope of every `/v1.2/sepa/*` answer.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(default)]
    pub success: Option<bool>,
    pub data: T,
}

/// An amount of money (`{amount, currency}`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
}

/// One IBAN of the user (`GET /v1.2/sepa/iban`).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SepaIban {
    #[serde(default)]
    pub id: Option<Value>,
    pub iban: String,
    #[serde(default)]
    pub formatted: Option<String>,
    #[serde(default)]
    pub bic: Option<String>,
    #[serde(default)]
    pub holder_name: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub blockchain_id: Option<ChainId>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub date_used: Option<String>,
    /// French bank details (`externStack`, `accountNumber`, `bankCode`, `branchCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extern_stack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_code: Option<String>,
    /// Not in the mirror's example; the sandbox adds it.
    #[serde(default)]
    pub balance: Option<Money>,
}

/// `POST /v1.2/sepa/iban/add` body.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IbanAddRequest {
    pub holder_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blockchain_id: Option<ChainId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An approval waiting for its passkey: sign `credential_request_options`, then PUT.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub approval_id: String,
    #[serde(default)]
    pub approval_hash: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    pub credential_request_options: WebAuthnOptions,
}

/// `POST /v1.2/sepa/iban/add` answer: the IBAN at once, or (tenant flag
/// `isSepaIbanAddWebauthnEnabled`) an approval to confirm with [`crate::Session::confirm_iban`].
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IbanAdded {
    Approval(Approval),
    Direct(SepaIban),
}

/// `PUT /v1.2/sepa/iban/add` and `PUT /v1.2/sepa/payments` body.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalConfirmation {
    pub approval_id: String,
    pub credential: Credential,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IbanConfirmed {
    pub approval_id: String,
    #[serde(default)]
    pub approval_hash: Option<String>,
    pub iban: SepaIban,
}

/// `PATCH /v1.2/sepa/iban/modify` body and answer.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct IbanLabel {
    pub iban: String,
    pub label: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Channel {
    #[serde(rename = "SEPA")]
    Sepa,
    #[serde(rename = "SEPAINSTANT")]
    SepaInstant,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub iban: String,
}

/// `POST /v1.2/sepa/payments` body. [`PaymentRequest::new`] refuses more than 2 decimals
/// before anything is sent.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    pub reference: String,
    pub channel: Channel,
    pub amount: Decimal,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remittance_info: Option<String>,
    pub debtor: Party,
    pub creditor: Party,
}

impl PaymentRequest {
    /// A euro payment; `amount` must be positive with at most 2 decimals.
    pub fn new(
        reference: impl Into<String>,
        channel: Channel,
        amount: Decimal,
        debtor: Party,
        creditor: Party,
    ) -> Result<Self, crate::Error> {
        if amount.to_base_units(2).ok().is_none_or(|cents| cents == 0) {
            return Err(crate::Error::Invalid(format!(
                "a SEPA amount is positive with at most 2 decimals, not {}",
                amount.as_str()
            )));
        }
        Ok(Self {
            reference: reference.into(),
            channel,
            amount,
            currency: "EUR".into(),
            remittance_info: None,
            debtor,
            creditor,
        })
    }
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentConfirmed {
    pub approval_id: String,
    #[serde(default)]
    pub approval_hash: Option<String>,
    pub payment: PaymentResult,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct PaymentResult {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub message: Option<String>,
    pub data: PaymentState,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentState {
    pub transaction_id: String,
    #[serde(default)]
    pub reference: Option<String>,
    /// `ask`, `pending`, `completed`, `cancelled`, `failed`, `rejected`.
    pub status: String,
    #[serde(default)]
    pub status_code: Option<String>,
}

/// `GET /v1.2/sepa/transactions` filters.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SepaFilter {
    pub iban: Option<String>,
    /// `SEPA_IN` or `SEPA_OUT`.
    pub kind: Option<String>,
    pub status: Option<String>,
    pub status_code: Option<String>,
    pub search: Option<String>,
    pub page: Option<u32>,
    /// 20 by default, at most 200.
    pub limit: Option<u32>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SepaTransaction {
    pub id: String,
    #[serde(default)]
    pub iban: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    #[serde(default)]
    pub status_code: Option<String>,
    pub amount: Decimal,
    pub currency: String,
    #[serde(default)]
    pub sender_iban: Option<String>,
    #[serde(default)]
    pub sender_name: Option<String>,
    #[serde(default)]
    pub beneficiary_iban: Option<String>,
    #[serde(default)]
    pub beneficiary_name: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub remittance_info: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct SepaTransactions {
    #[serde(default)]
    pub success: Option<bool>,
    pub data: Vec<SepaTransaction>,
    pub pagination: SepaPagination,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SepaPagination {
    pub total: u64,
    pub page: u64,
    pub limit: u64,
    pub pages: u64,
}

/// `POST /v1.2/sepa/mandates` body: forward `percent` of what reaches `source_iban`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MandateRequest {
    pub source_iban: String,
    pub destination_iban: String,
    pub destination_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_bic: Option<String>,
    pub percent: u8,
    /// `{mode: "all"}` or `{mode: "whitelist", whitelistRules: [...]}` (rules as documented).
    pub trigger: Value,
    pub signature: MandateSignature,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MandateSignature {
    pub message: String,
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_operation_user_op_hash: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mandate {
    pub id: String,
    /// `validated`, `suspended` or `cancelled` (terminal).
    pub status: String,
    #[serde(default)]
    pub position: Option<u64>,
    #[serde(default)]
    pub routing: Option<Value>,
    #[serde(default)]
    pub allocation: Option<Value>,
    #[serde(default)]
    pub trigger: Option<Value>,
    #[serde(default)]
    pub signature: Option<Value>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub version: Option<u64>,
}

/// `POST /v1.2/sepa/mandates` answer: the mandate and the SEPA provider's sync result.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MandateCreated {
    #[serde(default)]
    pub success: Option<bool>,
    pub data: Mandate,
    #[serde(default)]
    pub sepa_sync: Option<Value>,
}

/// `PATCH /v1.2/sepa/mandates/{id}/status` body.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MandateStatusChange {
    pub status: MandateStatus,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MandateStatus {
    Validated,
    Suspended,
    Cancelled,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_read() {
        let add: Envelope<IbanAdded> = serde_json::from_str(r#"{"success":true,"data":{"approvalId":"a","approvalHash":"h","expiresAt":"2026-06-01T14:24:00.000Z","credentialRequestOptions":{"challenge":"Y2g","rpId":"app.ibex.fi"}}}"#).unwrap();
        assert!(matches!(add.data, IbanAdded::Approval(ref a) if a.approval_id == "a"));
        let direct: Envelope<IbanAdded> = serde_json::from_str(r#"{"success":true,"data":{"id":42,"iban":"FR7615589275690931505605139","bic":"AGRIFRPPXXX","holderName":"Alice Martin","status":"active","blockchainId":100}}"#).unwrap();
        assert!(matches!(direct.data, IbanAdded::Direct(ref i) if i.iban.starts_with("FR76")));
    }

    #[test]
    fn payments_refuse_cents_fractions_before_sending() {
        let party = |n: &str| Party {
            name: n.into(),
            iban: "FR7615589275690931505605139".into(),
        };
        let new = |amount: &str| {
            PaymentRequest::new(
                "r",
                Channel::Sepa,
                amount.parse().unwrap(),
                party("a"),
                party("b"),
            )
        };
        assert!(new("150.00").is_ok());
        assert!(new("0.001").is_err());
        assert!(new("0").is_err());
        assert_eq!(
            serde_json::to_value(new("1.5").unwrap()).unwrap()["channel"],
            "SEPA"
        );
    }
}
