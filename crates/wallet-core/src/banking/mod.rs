//! Euro banking (docs/api/account.md §17, operations.md §3.8 and §6): the user's IBANs with their
//! balance and bank history, payees (IBAN entries of the address book, verified by IBEx's
//! Verification of Payee), SEPA payments approved with the passkey on the one operation
//! pipeline, mandates, and the automation module's documented policy.
//!
//! What the API leaves undocumented is not invented: VoP is documented only where a payee is
//! saved (`POST /users/me/addressbook`), so a payment's payee is verified that way first; the
//! `ENABLE_AUTOMATION_MODULE` fields (gaps.md G20) and any DCA or scheduled-transfer route are
//! not documented, so the wallet configures only an existing module's policy.

pub mod automation;
pub mod iban;
pub mod mandates;
pub mod payees;
pub mod payment;

use std::collections::HashMap;
use std::sync::Mutex;

use ibex::models::operations::Operation;
use ibex::models::sepa::{SepaFilter, SepaIban, SepaTransaction};
use ibex::models::ChainId;
use ibex::Session;
use serde::{Deserialize, Serialize};

use crate::activity::Flow;
use crate::error::{AppError, Context, ErrorCode};
use crate::messages::Msg;
use crate::operations::{Draft, OpenIbanFacts, OperationReview, Reviewed};
use crate::sync::lock;

pub use iban::{Bic, Iban};

/// IBANs per user when the tenant does not say otherwise (`maxIbanPerUser`, default 2).
pub const DEFAULT_MAX_IBANS: u32 = 2;

/// Bank rows per page of the history (IBEx's default is 20, at most 200).
const HISTORY_PAGE: u32 = 20;

/// One of the user's IBANs.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BankAccount {
    /// Upper case without spaces (what commands take).
    pub iban: String,
    /// In groups of four, for display.
    pub grouped: String,
    pub bic: Option<String>,
    pub holder_name: Option<String>,
    pub label: Option<String>,
    /// `MONERIUM` or IBEx's own SEPA provider, as IBEx names it.
    pub provider: Option<String>,
    pub status: Option<String>,
    /// The Safe the IBAN belongs to (EIP-55) and its chain.
    pub safe: Option<String>,
    pub chain_id: Option<u32>,
    /// Exact euro text (`"1234.56"`), when IBEx states it.
    pub balance: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BankOverview {
    pub accounts: Vec<BankAccount>,
    /// How many IBANs a user may have (the documented default; IBEx answers `IBAN_QUOTA` past it).
    pub max_ibans: u32,
}

/// One bank movement.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BankMovement {
    pub id: String,
    /// The user's IBAN it belongs to (grouped).
    pub iban: Option<String>,
    pub direction: Flow,
    /// `ask`, `pending`, `completed`, `cancelled`, `failed` or `rejected`.
    pub status: String,
    /// Exact euro text.
    pub amount: String,
    pub currency: String,
    /// The other party: the sender of a credit, the beneficiary of a debit.
    pub counterparty_name: Option<String>,
    /// Grouped.
    pub counterparty_iban: Option<String>,
    pub reference: Option<String>,
    pub remittance_info: Option<String>,
    /// ISO 8601 as IBEx sent it.
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BankHistory {
    pub movements: Vec<BankMovement>,
    pub page: u32,
    pub pages: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryQuery {
    /// One IBAN (any spacing), or all of the user's.
    pub iban: Option<String>,
    /// 1-based.
    pub page: u32,
}

/// What to open: an IBAN from Monerium (a Safe operation, after KYC) or from IBEx's own SEPA
/// provider (`POST /v1.2/sepa/iban/add`, with the holder's name).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(
    tag = "provider",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum IbanRequest {
    Monerium {
        chain_id: u32,
    },
    Ibex {
        holder_name: String,
        label: Option<String>,
    },
}

/// What the core remembers between two commands of one connection: payee checks (a payment
/// shows the result of the check the user saw) and mandates waiting for their signature.
#[derive(Default)]
pub(crate) struct BankState {
    /// Verification-of-Payee results by IBAN (compact).
    pub checks: Mutex<HashMap<String, payees::VopCheck>>,
    /// Mandates whose text the Safe is signing, by the signature operation's userOpHash.
    pub mandates: Mutex<HashMap<String, ibex::models::sepa::MandateRequest>>,
}

impl BankState {
    pub fn remember_check(&self, iban: &Iban, check: payees::VopCheck) {
        lock(&self.checks).insert(iban.as_str().to_owned(), check);
    }

    pub fn check_of(&self, iban: &Iban) -> Option<payees::VopCheck> {
        lock(&self.checks).get(iban.as_str()).cloned()
    }
}

fn account(i: SepaIban) -> BankAccount {
    BankAccount {
        grouped: iban::grouped(&i.iban),
        iban: i.iban,
        bic: i.bic,
        holder_name: i.holder_name,
        label: i.label,
        provider: i.provider,
        status: i.status,
        safe: i.safe_address.map(|a| a.to_checksum()),
        chain_id: i.blockchain_id.and_then(|c| u32::try_from(c.0).ok()),
        balance: i.balance.map(|b| b.amount.as_str().to_owned()),
    }
}

fn movement(t: SepaTransaction) -> BankMovement {
    let out = t.kind.eq_ignore_ascii_case("SEPA_OUT");
    let (name, other) = if out {
        (t.beneficiary_name, t.beneficiary_iban)
    } else {
        (t.sender_name, t.sender_iban)
    };
    BankMovement {
        id: t.id,
        iban: t.iban.as_deref().map(iban::grouped),
        direction: if out { Flow::Out } else { Flow::In },
        status: t.status,
        amount: t.amount.as_str().to_owned(),
        currency: t.currency,
        counterparty_name: name,
        counterparty_iban: other.as_deref().map(iban::grouped),
        reference: t.reference,
        remittance_info: t.remittance_info,
        created_at: t.created_at,
    }
}

pub(crate) async fn accounts(session: &Session) -> Result<Vec<BankAccount>, AppError> {
    Ok(session
        .sepa_ibans()
        .await?
        .into_iter()
        .map(account)
        .collect())
}

/// IBEx refusing to open an IBAN (its quota `IBAN_QUOTA` is in the server-code table).
fn refused_iban(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &Context {
            refused: Some((ErrorCode::Validation, Msg::BankIbanRefused)),
            ..Context::default()
        },
    )
}

/// The banking commands (IBANs and history); payees, payments, mandates and automation are in
/// their own files.
impl crate::Core {
    pub async fn banking_overview(&self) -> Result<BankOverview, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        Ok(BankOverview {
            accounts: accounts(&session).await?,
            max_ibans: DEFAULT_MAX_IBANS,
        })
    }

    /// One page of the bank history, newest first (`GET /v1.2/sepa/transactions`).
    pub async fn banking_history(&self, query: HistoryQuery) -> Result<BankHistory, AppError> {
        let iban = query.iban.as_deref().map(Iban::parse).transpose()?;
        let (session, _) = self.connection().await?.auth.signed_in()?;
        let page = query.page.max(1);
        let answer = session
            .sepa_transactions(&SepaFilter {
                iban: iban.map(|i| i.as_str().to_owned()),
                page: Some(page),
                limit: Some(HISTORY_PAGE),
                ..SepaFilter::default()
            })
            .await?;
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(BankHistory {
            movements: answer.data.into_iter().map(movement).collect(),
            page: n(answer.pagination.page),
            pages: n(answer.pagination.pages),
            total: n(answer.pagination.total),
        })
    }

    /// Opens an IBAN. From IBEx's provider it is there at once (the overview is returned);
    /// from Monerium, and from IBEx when the tenant asks for a passkey
    /// (`isSepaIbanAddWebauthnEnabled`), it is a review to approve.
    pub async fn banking_iban_open(&self, request: IbanRequest) -> Result<IbanOpening, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        match request {
            IbanRequest::Monerium { chain_id } => {
                // A Safe operation: only a signer that can approve one may start it.
                conn.auth.signing()?;
                let draft = Draft {
                    safe,
                    chain: ChainId(u64::from(chain_id)),
                    operations: vec![Operation::MoneriumCreateIban],
                    reviewed: Reviewed::OpenIban(OpenIbanFacts {
                        provider: "MONERIUM".into(),
                        holder_name: None,
                        label: None,
                    }),
                    valid_until: None,
                };
                let review = conn
                    .ops
                    .prepare(&session, &conn.client.config().rp_id, draft)
                    .await?;
                Ok(IbanOpening::Review(Box::new(review)))
            }
            IbanRequest::Ibex { holder_name, label } => {
                let holder_name = payees::person_name(&holder_name)?;
                let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
                let added = session
                    .add_iban(&ibex::models::sepa::IbanAddRequest {
                        holder_name: holder_name.clone(),
                        safe_address: Some(safe),
                        blockchain_id: None,
                        label: label.clone(),
                    })
                    .await
                    .map_err(refused_iban)?;
                match added {
                    ibex::models::sepa::IbanAdded::Direct(_) => {
                        Ok(IbanOpening::Opened(self.banking_overview().await?))
                    }
                    ibex::models::sepa::IbanAdded::Approval(approval) => {
                        let facts = OpenIbanFacts {
                            provider: "IBEXFIAPI".into(),
                            holder_name: Some(holder_name),
                            label,
                        };
                        let review = conn
                            .ops
                            .file_bank_approval(
                                &session,
                                &conn.client.config().rp_id,
                                approval,
                                crate::operations::BankAction::AddIban,
                                safe,
                                ChainId(0),
                                Reviewed::OpenIban(facts),
                            )
                            .await?;
                        Ok(IbanOpening::Review(Box::new(review)))
                    }
                }
            }
        }
    }

    /// Names an IBAN (`PATCH /v1.2/sepa/iban/modify`).
    pub async fn banking_iban_label(
        &self,
        iban: String,
        label: String,
    ) -> Result<BankOverview, AppError> {
        let iban = Iban::parse(&iban)?;
        let label = label.trim().to_owned();
        if label.is_empty() || label.chars().count() > payees::NAME_MAX {
            return Err(AppError::validation(Msg::BankLabelLength {
                max: payees::NAME_MAX,
            }));
        }
        let (session, _) = self.connection().await?.auth.signed_in()?;
        session
            .label_iban(&ibex::models::sepa::IbanLabel {
                iban: iban.as_str().to_owned(),
                label,
            })
            .await?;
        self.banking_overview().await
    }
}

/// An IBAN opened at once, or a review for the passkey.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum IbanOpening {
    Opened(BankOverview),
    /// Boxed: a review is much larger than an overview.
    Review(Box<OperationReview>),
}
