//! Several accounts side by side on a network: the switcher's list, switching, signing one
//! out (the others stay), and the names the user gives accounts and Safes.
//!
//! A command takes the current account once, when it starts (`AuthState::signed_in`), so
//! what runs when the user switches finishes on the account it started on; a review prepared
//! for the previous account is refused at approval (`ErrorCode::AccountChanged`), so nothing
//! is signed for an account that is not on screen.

use std::sync::Arc;

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::network::Connection;
pub use crate::session::auth::AccountEntry;
use crate::session::SessionInfo;

/// The longest name of an account or a Safe, in characters.
const MAX_NAME: usize = 40;

/// A name as typed: trimmed; empty means "no name" (the label falls back to the address).
pub(crate) fn clean_name(text: &str) -> Result<Option<String>, AppError> {
    let name = text.trim();
    if name.chars().count() > MAX_NAME {
        return Err(AppError::validation(Msg::NameTooLong { max: MAX_NAME }));
    }
    // Controls and bidirectional overrides would make one name display as another.
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if name.chars().any(hidden) {
        return Err(AppError::validation(Msg::NameHiddenCharacter));
    }
    Ok((!name.is_empty()).then(|| name.to_owned()))
}

/// The account commands.
impl crate::Core {
    /// Every account signed in: this network's, in the order they were added, then those of
    /// the other networks left with accounts signed in.
    pub async fn accounts_list(&self) -> Result<Vec<AccountEntry>, AppError> {
        let current = self.connection().await?;
        let locale = self.locale();
        Ok(self
            .every_connection()
            .await
            .iter()
            .flat_map(|c| c.auth.entries(&c.name(locale), Arc::ptr_eq(c, &current)))
            .collect())
    }

    /// Makes the account `handle` names (an [`AccountEntry::handle`]) the one every command acts
    /// for, on its network (which becomes current).
    pub async fn accounts_switch(&self, handle: String) -> Result<SessionInfo, AppError> {
        let conn = self.connection().await?;
        if let Some(id) = conn.auth.account_of(&handle) {
            return conn.auth.switch(id);
        }
        let (target, id) = self.parked_with(&handle)?;
        self.enter_network(target.clone()).await?;
        target.auth.switch(id)
    }

    /// Signs the account `handle` names out (on whichever network) and deletes its keychain
    /// item; the others stay signed in. Returns the current network's session.
    pub async fn accounts_sign_out(&self, handle: String) -> Result<SessionInfo, AppError> {
        let conn = self.connection().await?;
        if let Some(id) = conn.auth.account_of(&handle) {
            return conn.auth.sign_out(Some(id)).await;
        }
        let (parked, id) = self.parked_with(&handle)?;
        parked.auth.sign_out(Some(id)).await?;
        if !parked.auth.has_accounts() {
            crate::sync::lock(&self.parked).retain(|c| !Arc::ptr_eq(c, &parked));
        }
        Ok(conn.auth.info())
    }

    /// The parked connection with the account `handle` names, and that account's id.
    fn parked_with<'k>(&self, handle: &'k str) -> Result<(Arc<Connection>, &'k str), AppError> {
        crate::sync::lock(&self.parked)
            .iter()
            .find_map(|c| c.auth.account_of(handle).map(|id| (c.clone(), id)))
            .ok_or_else(|| AppError::validation(Msg::AccountUnknown))
    }

    /// Names the current account on this device (`""` removes the name).
    pub async fn accounts_rename(&self, name: String) -> Result<Vec<AccountEntry>, AppError> {
        let name = clean_name(&name)?;
        let conn = self.connection().await?;
        let id = conn
            .auth
            .current_id()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        conn.auth.edit_filed(&id, |filed, _| {
            filed.name = name.clone();
            Ok(())
        })?;
        self.accounts_list().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_visible() {
        assert_eq!(clean_name("  Work ").unwrap().as_deref(), Some("Work"));
        assert_eq!(clean_name("   ").unwrap(), None);
        assert!(clean_name(&"x".repeat(41)).is_err());
        assert!(clean_name(&"é".repeat(40)).is_ok(), "characters, not bytes");
        assert!(clean_name("Sav\u{202e}ings").is_err());
        assert!(clean_name("a\nb").is_err());
    }
}
