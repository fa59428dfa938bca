//! Who a transfer goes to: checksum validation, the addresses the user already knows (address
//! book, recent recipients, their own Safes), and the look-alike check against address
//! poisoning — a fresh address that shares the first and last 4 hex characters with a known
//! one is how scammers get their address pasted instead of the real one.

use std::str::FromStr;

use ibex::Address;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::messages::Msg;
use crate::network::Connection;

/// How many recent recipients the device remembers per account.
const RECENT_LIMIT: usize = 8;
/// Leading and trailing hex characters people compare by eye.
const LOOK_ALIKE_CHARS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum RecipientSource {
    Contact,
    Recent,
    OwnWallet,
}

/// An address the user has used or saved before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KnownRecipient {
    /// EIP-55.
    pub address: String,
    /// The contact's name, or a description ("Recent recipient", "Your Safe").
    pub name: String,
    pub source: RecipientSource,
}

/// What the send form learns about a recipient before review.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecipientCheck {
    /// The address in EIP-55 form.
    pub address: String,
    /// The known entry this exact address is, if any.
    pub known: Option<KnownRecipient>,
    /// A *different* known address with the same first and last 4 hex characters. Sending
    /// needs an explicit confirmation while this is set.
    pub look_alike: Option<KnownRecipient>,
}

/// Parses a recipient with the messages the send form shows.
pub fn parse_recipient(text: &str) -> Result<Address, AppError> {
    Address::from_str(text.trim()).map_err(|e| match e {
        ibex::Error::Invalid(m) if m.contains("checksum") => {
            AppError::validation(Msg::AddressChecksum)
        }
        _ => AppError::validation(Msg::AddressShape),
    })
}

/// Classifies `address` against what the user knows.
pub fn check(address: Address, known: &[KnownRecipient]) -> RecipientCheck {
    let text = address.to_checksum();
    let same = |k: &&KnownRecipient| k.address.eq_ignore_ascii_case(&text);
    let exact = known.iter().find(same).cloned();
    let look_alike = if exact.is_some() {
        None
    } else {
        known
            .iter()
            .find(|k| looks_alike(&k.address, &text))
            .cloned()
    };
    RecipientCheck {
        address: text,
        known: exact,
        look_alike,
    }
}

/// Same first and last [`LOOK_ALIKE_CHARS`] hex characters, different address.
fn looks_alike(a: &str, b: &str) -> bool {
    let (a, b) = (a[2..].to_ascii_lowercase(), b[2..].to_ascii_lowercase());
    let n = LOOK_ALIKE_CHARS;
    a != b && a[..n] == b[..n] && a[a.len() - n..] == b[b.len() - n..]
}

/// Adds `address` to the front of a recent list, without duplicates, capped.
fn push_recent(list: &mut Vec<String>, address: &Address) {
    let text = address.to_checksum();
    list.retain(|a| !a.eq_ignore_ascii_case(&text));
    list.insert(0, text);
    list.truncate(RECENT_LIMIT);
}

fn signed_in_account(conn: &Connection) -> Option<crate::Account> {
    match conn.auth.info() {
        crate::SessionInfo::SignedIn { account, .. } => Some(account),
        crate::SessionInfo::SignedOut { .. } => None,
    }
}

impl crate::Core {
    /// Validates a recipient and compares it with the address book, recent recipients and the
    /// user's own Safes.
    pub async fn recipient_check(&self, address: String) -> Result<RecipientCheck, AppError> {
        let address = parse_recipient(&address)?;
        Ok(check(address, &self.recipients_known().await?))
    }

    /// Address-book entries, then recent recipients, for the send form to offer.
    pub async fn recipients_suggest(&self) -> Result<Vec<KnownRecipient>, AppError> {
        let mut known = self.recipients_known().await?;
        known.retain(|k| k.source != RecipientSource::OwnWallet);
        Ok(known)
    }

    pub(crate) async fn recipients_known(&self) -> Result<Vec<KnownRecipient>, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let book = session.address_book().await?;
        let mut known: Vec<KnownRecipient> = book
            .data
            .into_iter()
            .flat_map(|entry| {
                entry.crypto.into_iter().map(move |row| KnownRecipient {
                    address: row.address.to_checksum(),
                    name: entry.name.clone(),
                    source: RecipientSource::Contact,
                })
            })
            .collect();
        let locale = self.locale();
        let mut add = |address: String, name: Msg, source| {
            if !known
                .iter()
                .any(|k| k.address.eq_ignore_ascii_case(&address))
            {
                known.push(KnownRecipient {
                    address,
                    name: name.render(locale),
                    source,
                });
            }
        };
        for address in self.recent_recipients(&conn) {
            add(address, Msg::RecentRecipient, RecipientSource::Recent);
        }
        if let Some(account) = signed_in_account(&conn) {
            for wallet in account.wallets {
                add(
                    wallet.address.to_checksum(),
                    Msg::YourSafe,
                    RecipientSource::OwnWallet,
                );
            }
        }
        Ok(known)
    }

    /// Files an approved transfer's recipient as the most recent one.
    pub(crate) fn remember_recipient(&self, conn: &Connection, to: Address) {
        let mut list = self.recent_recipients(conn);
        push_recent(&mut list, &to);
        let key = self.recent_key(conn);
        if let Err(e) = self.store.set(&key, serde_json::json!(list)) {
            tracing::warn!(error = %e, "recent recipients not saved");
        }
    }

    fn recent_recipients(&self, conn: &Connection) -> Vec<String> {
        self.store
            .get(&self.recent_key(conn))
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    fn recent_key(&self, conn: &Connection) -> String {
        let user = signed_in_account(conn)
            .and_then(|a| a.external_user_id)
            .unwrap_or_default();
        crate::core::network_key(&format!("recent-recipients|{user}"), conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(address: &str, name: &str) -> KnownRecipient {
        KnownRecipient {
            address: address.parse::<Address>().unwrap().to_checksum(),
            name: name.to_owned(),
            source: RecipientSource::Contact,
        }
    }

    const ALICE: &str = "0x52908400098527886e0f7030069857d2e4169ee7";
    // Same 5290…9ee7 ends, different middle: the classic poisoning address.
    const POISON: &str = "0x5290000000000000000000000000000000009ee7";

    #[test]
    fn a_look_alike_of_a_contact_is_flagged_and_exact_matches_are_not() {
        let book = [known(ALICE, "Alice")];
        let c = check(POISON.parse().unwrap(), &book);
        assert_eq!(c.look_alike.as_ref().unwrap().name, "Alice");
        assert!(c.known.is_none());
        let c = check(ALICE.parse().unwrap(), &book);
        assert_eq!(c.known.unwrap().name, "Alice");
        assert!(c.look_alike.is_none());
    }

    #[test]
    fn three_matching_characters_are_not_a_look_alike() {
        let book = [known(ALICE, "Alice")];
        let other = "0x5291000000000000000000000000000000009ee7";
        assert!(check(other.parse().unwrap(), &book).look_alike.is_none());
        let other = "0x5290000000000000000000000000000000019ee8";
        assert!(check(other.parse().unwrap(), &book).look_alike.is_none());
    }

    #[test]
    fn case_does_not_hide_a_look_alike() {
        assert!(looks_alike(
            "0xABCD000000000000000000000000000000001234",
            "0xabcd111111111111111111111111111111111234"
        ));
    }

    #[test]
    fn bad_recipients_get_specific_messages() {
        let e = parse_recipient("0x52908400098527886E0F7030069857D2E4169Ee7").unwrap_err();
        assert!(e.message.contains("checksum"), "{}", e.message);
        let e = parse_recipient("0x1234").unwrap_err();
        assert!(e.message.contains("40 hexadecimal"), "{}", e.message);
        assert!(parse_recipient(&format!(" {ALICE} ")).is_ok());
    }

    #[test]
    fn recent_recipients_are_unique_newest_first_and_capped() {
        let mut list = Vec::new();
        for i in 0..10u8 {
            let address: Address = format!("0x{:040x}", i + 1).parse().unwrap();
            push_recent(&mut list, &address);
        }
        push_recent(&mut list, &format!("0x{:040x}", 5).parse().unwrap());
        assert_eq!(list.len(), RECENT_LIMIT);
        assert!(list[0].ends_with("05"));
        assert_eq!(list.iter().filter(|a| a.ends_with("05")).count(), 1);
    }
}
