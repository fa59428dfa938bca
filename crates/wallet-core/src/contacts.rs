//! The address book: IBEx keeps it (`/users/me/addressbook`); the core validates entries
//! before they are saved, and send uses them as known recipients.

use ibex::models::account::{
    AddressBookEntry, AddressBookUpdate, CryptoContact, NewAddressBookEntry,
};
use ibex::models::ChainId;
use ibex::Session;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::messages::Msg;
use crate::recipients::parse_recipient;

const NAME_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactAddress {
    pub chain_id: u32,
    /// EIP-55 when it comes from the core.
    pub address: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub label: Option<String>,
    pub addresses: Vec<ContactAddress>,
}

/// A contact as the user typed it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactDraft {
    pub name: String,
    pub label: Option<String>,
    pub addresses: Vec<ContactAddress>,
}

/// A draft that passed validation.
#[derive(Debug, PartialEq)]
struct ValidContact {
    name: String,
    label: Option<String>,
    rows: Vec<CryptoContact>,
}

fn validate(draft: ContactDraft) -> Result<ValidContact, AppError> {
    let name = draft.name.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::validation(Msg::ContactNameMissing));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::validation(Msg::ContactNameTooLong {
            max: NAME_MAX,
        }));
    }
    let label = draft
        .label
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    if label.as_ref().is_some_and(|l| l.chars().count() > NAME_MAX) {
        return Err(AppError::validation(Msg::ContactLabelTooLong {
            max: NAME_MAX,
        }));
    }
    let mut rows: Vec<CryptoContact> = Vec::new();
    for row in draft.addresses {
        if row.chain_id == 0 {
            return Err(AppError::validation(Msg::ContactChainMissing));
        }
        let address = parse_recipient(&row.address)?;
        let row = CryptoContact {
            chain_id: ChainId(u64::from(row.chain_id)),
            address,
        };
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return Err(AppError::validation(Msg::ContactNoAddress));
    }
    Ok(ValidContact { name, label, rows })
}

fn view(entry: AddressBookEntry) -> Contact {
    Contact {
        id: entry.id,
        name: entry.name,
        label: entry.label,
        addresses: entry
            .crypto
            .into_iter()
            .filter_map(|row| {
                Some(ContactAddress {
                    chain_id: u32::try_from(row.chain_id.0).ok()?,
                    address: row.address.to_checksum(),
                })
            })
            .collect(),
    }
}

async fn list(session: &Session) -> Result<Vec<Contact>, AppError> {
    let mut contacts: Vec<Contact> = session
        .address_book()
        .await?
        .data
        .into_iter()
        .map(view)
        .collect();
    contacts.sort_by_key(|c| c.name.to_lowercase());
    Ok(contacts)
}

/// The address-book commands; each returns the whole book as IBEx now has it.
impl crate::Core {
    pub async fn contacts_list(&self) -> Result<Vec<Contact>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        list(&session).await
    }

    /// Adds a contact (`id` = None) or replaces an existing one's name, label and addresses.
    pub async fn contacts_save(
        &self,
        id: Option<String>,
        draft: ContactDraft,
    ) -> Result<Vec<Contact>, AppError> {
        let contact = validate(draft)?;
        let (session, _) = self.connection().await?.auth.signed_in()?;
        match id {
            None => {
                session
                    .add_contact(&NewAddressBookEntry {
                        name: contact.name,
                        label: contact.label,
                        user_validated: Some(true),
                        crypto: Some(contact.rows),
                        ..Default::default()
                    })
                    .await?;
            }
            Some(id) => {
                let current = session
                    .address_book()
                    .await?
                    .data
                    .into_iter()
                    .find(|e| e.id == id)
                    .ok_or_else(|| AppError::validation(Msg::ContactGone))?;
                session
                    .update_contact(
                        &id,
                        &AddressBookUpdate {
                            name: Some(contact.name),
                            // An empty label clears it.
                            label: Some(contact.label.unwrap_or_default()),
                            user_validated: None,
                        },
                    )
                    .await?;
                for row in contact.rows.iter().filter(|r| !current.crypto.contains(r)) {
                    session.add_contact_address(&id, row).await?;
                }
                for row in current.crypto.iter().filter(|r| !contact.rows.contains(r)) {
                    session
                        .remove_contact_address(&id, row.chain_id, &row.address)
                        .await?;
                }
            }
        }
        list(&session).await
    }

    pub async fn contacts_delete(&self, id: String) -> Result<Vec<Contact>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        session.delete_contact(&id).await?;
        list(&session).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str, addresses: &[(u32, &str)]) -> ContactDraft {
        ContactDraft {
            name: name.to_owned(),
            label: Some("  ".to_owned()),
            addresses: addresses
                .iter()
                .map(|(chain_id, a)| ContactAddress {
                    chain_id: *chain_id,
                    address: (*a).to_owned(),
                })
                .collect(),
        }
    }

    const ALICE: &str = "0x52908400098527886E0F7030069857D2E4169EE7";

    #[test]
    fn a_valid_contact_is_trimmed_and_deduplicated() {
        let v = validate(draft(
            " Alice ",
            &[(100, ALICE), (100, &ALICE.to_lowercase())],
        ))
        .unwrap();
        assert_eq!(v.name, "Alice");
        assert_eq!(v.label, None);
        assert_eq!(v.rows.len(), 1);
    }

    #[test]
    fn each_bad_field_has_its_own_message() {
        let cases = [
            (draft("", &[(100, ALICE)]), "name"),
            (draft(&"x".repeat(65), &[(100, ALICE)]), "at most 64"),
            (draft("Bob", &[]), "at least one address"),
            (draft("Bob", &[(0, ALICE)]), "network"),
            (draft("Bob", &[(100, "0x1234")]), "40 hexadecimal"),
            (
                draft(
                    "Bob",
                    &[(100, "0x52908400098527886E0F7030069857D2E4169Ee7")],
                ),
                "checksum",
            ),
        ];
        for (d, expected) in cases {
            let e = validate(d).unwrap_err();
            assert!(e.message.contains(expected), "{} / {expected}", e.message);
        }
    }
}
