//! Payees: the IBAN entries of the address book (docs/api/account.md §7). IBEx runs its
//! Verification of Payee (VoP) when an IBAN is saved and attaches it only on a match (`MTCH`);
//! a close match (`CMTC`, with the name the bank holds) or no match (`NMTC`) is a 400 and
//! nothing is saved. Ten failed checks a day are allowed (then 429 `VOP_LIMIT`). An IBAN row
//! cannot be changed (only the entry's name and label): delete it and add it again.

use ibex::models::account::{AddressBookEntry, AddressBookUpdate, NewAddressBookEntry};
use ibex::Session;
use serde::{Deserialize, Serialize};

use super::{iban, Bic, Iban};
use crate::error::{AppError, Context, ErrorCode};
use crate::messages::Msg;

pub(crate) const NAME_MAX: usize = 70;

/// What IBEx's Verification of Payee said about a name and an IBAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum VopResult {
    /// `MTCH`: the account is held by that name.
    Match,
    /// `CMTC`: held by a close name (the bank's name is `matchedName`).
    CloseMatch,
    /// `NMTC`: not held by that name.
    NoMatch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VopCheck {
    pub result: VopResult,
    /// The name checked, as the user gave it.
    pub name: String,
    /// The name the payee's bank holds, when IBEx gives it (close match, match).
    pub matched_name: Option<String>,
}

/// An IBAN of the address book.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Payee {
    /// The address-book entry.
    pub contact_id: String,
    pub name: String,
    pub label: Option<String>,
    /// Compact (what commands take).
    pub iban: String,
    pub grouped: String,
    pub bic: Option<String>,
    /// IBEx's VoP result as stored (`None`: IBEx did not record one).
    pub vop: Option<VopResult>,
    pub matched_name: Option<String>,
    pub verified_at: Option<String>,
}

/// A payee as the user typed it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PayeeDraft {
    pub name: String,
    pub iban: String,
    /// The payee's bank (IBEx's VoP asks for it: `respondingPspBic`).
    pub bic: String,
    pub label: Option<String>,
}

/// What saving a payee did: the check, and the payees as IBEx now has them (the new one only
/// when it matched).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PayeeSaved {
    pub check: VopCheck,
    pub payees: Vec<Payee>,
}

/// A person's or company's name as SEPA carries it: not empty, at most 70 characters (the
/// SEPA rulebook's name length).
pub(crate) fn person_name(text: &str) -> Result<String, AppError> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(AppError::validation(Msg::BankNameMissing));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::validation(Msg::BankNameTooLong { max: NAME_MAX }));
    }
    Ok(name)
}

fn vop_of(code: Option<&str>) -> Option<VopResult> {
    match code? {
        "MTCH" => Some(VopResult::Match),
        "CMTC" => Some(VopResult::CloseMatch),
        "NMTC" => Some(VopResult::NoMatch),
        _ => None,
    }
}

fn payees_of(entries: Vec<AddressBookEntry>) -> Vec<Payee> {
    let mut out: Vec<Payee> = entries
        .into_iter()
        .flat_map(|e| {
            let (id, name, label) = (e.id, e.name, e.label);
            e.ibans.into_iter().map(move |row| Payee {
                contact_id: id.clone(),
                name: name.clone(),
                label: row.label.or_else(|| label.clone()),
                grouped: iban::grouped(&row.iban),
                iban: row.iban,
                bic: row.responding_psp_bic.or(row.bic),
                vop: vop_of(row.vop_result.as_deref()),
                matched_name: row.matched_name,
                verified_at: row.verified_at,
            })
        })
        .collect();
    out.sort_by_key(|p| p.name.to_lowercase());
    out
}

pub(crate) async fn list(session: &Session) -> Result<Vec<Payee>, AppError> {
    Ok(payees_of(session.address_book().await?.data))
}

/// The VoP outcome of a refused save, or the error as the user reads it (`VOP_LIMIT`,
/// `INVALID_IBAN`: the server-code table).
fn refused_check(e: &ibex::Error, name: &str) -> Result<VopCheck, AppError> {
    let details = e.api().and_then(|a| a.details.as_ref());
    let matched = details
        .and_then(|d| d.get("matchedName"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    match e.code() {
        Some("VOP_CLOSE_MATCH") => Ok(VopCheck {
            result: VopResult::CloseMatch,
            name: name.to_owned(),
            matched_name: matched,
        }),
        Some("VOP_NO_MATCH") => Ok(VopCheck {
            result: VopResult::NoMatch,
            name: name.to_owned(),
            matched_name: None,
        }),
        _ if matches!(e, ibex::Error::Conflict { .. }) => {
            Err(AppError::new(ErrorCode::Conflict, Msg::BankPayeeExists))
        }
        _ => Err(AppError::from_ibex(
            e,
            &Context {
                refused: Some((ErrorCode::Validation, Msg::BankPayeeRefused)),
                ..Context::default()
            },
        )),
    }
}

/// The payee commands.
impl crate::Core {
    pub async fn banking_payees(&self) -> Result<Vec<Payee>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        list(&session).await
    }

    /// Saves a payee; IBEx verifies the name against the IBAN first. A close match or no match
    /// saves nothing and says so (the check is remembered for a payment the user still
    /// chooses to make).
    pub async fn banking_payee_add(&self, draft: PayeeDraft) -> Result<PayeeSaved, AppError> {
        let name = person_name(&draft.name)?;
        let iban = Iban::parse(&draft.iban)?;
        let bic = Bic::parse(&draft.bic)?;
        let label = draft
            .label
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let saved = session
            .add_contact(&NewAddressBookEntry {
                name: name.clone(),
                label,
                user_validated: Some(true),
                iban: Some(iban.as_str().to_owned()),
                responding_psp_bic: Some(bic.as_str().to_owned()),
                ..NewAddressBookEntry::default()
            })
            .await;
        let refused = saved.err().map(|e| refused_check(&e, &name)).transpose()?;
        let payees = list(&session).await?;
        let check = refused.unwrap_or_else(|| VopCheck {
            result: VopResult::Match,
            matched_name: payees
                .iter()
                .find(|p| p.iban == iban.as_str())
                .and_then(|p| p.matched_name.clone()),
            name,
        });
        conn.bank.remember_check(&iban, check.clone());
        Ok(PayeeSaved { check, payees })
    }

    /// Renames a payee's address-book entry (the IBAN itself cannot change).
    pub async fn banking_payee_rename(
        &self,
        contact_id: String,
        name: String,
    ) -> Result<Vec<Payee>, AppError> {
        let name = person_name(&name)?;
        let (session, _) = self.connection().await?.auth.signed_in()?;
        session
            .update_contact(
                &contact_id,
                &AddressBookUpdate {
                    name: Some(name),
                    ..AddressBookUpdate::default()
                },
            )
            .await
            .map_err(gone)?;
        list(&session).await
    }

    /// Removes the IBAN from its entry (`DELETE …/ibans/{iban}`); an entry left with nothing
    /// is deleted too, so no empty contact stays behind.
    pub async fn banking_payee_delete(
        &self,
        contact_id: String,
        iban: String,
    ) -> Result<Vec<Payee>, AppError> {
        let iban = Iban::parse(&iban)?;
        let (session, _) = self.connection().await?.auth.signed_in()?;
        let left = session
            .remove_contact_iban(&contact_id, iban.as_str())
            .await
            .map_err(gone)?;
        let empty = left
            .data
            .as_ref()
            .is_some_and(|e| e.ibans.is_empty() && e.crypto.is_empty());
        if empty {
            session.delete_contact(&contact_id).await.map_err(gone)?;
        }
        list(&session).await
    }
}

fn gone(e: ibex::Error) -> AppError {
    if matches!(e, ibex::Error::Status { status: 404, .. }) {
        return AppError::new(ErrorCode::Conflict, Msg::ContactGone);
    }
    AppError::from_ibex(&e, &Context::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(person_name("  Jane   Doe ").unwrap(), "Jane Doe");
        assert!(person_name(" ").is_err());
        assert!(person_name(&"a".repeat(71)).is_err());
    }
}
