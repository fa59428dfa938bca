//! Several accounts side by side on a network: the switcher's list, switching, signing one
//! out (the others stay), and the names the user gives accounts and Safes.
//!
//! A command takes the current account once, when it starts (`AuthState::signed_in`), so
//! what runs when the user switches finishes on the account it started on; a review prepared
//! for the previous account is refused at approval (`ErrorCode::AccountChanged`), so nothing
//! is signed for an account that is not on screen.

use crate::error::AppError;
use crate::messages::Msg;
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
    /// Every account signed in on this network, in the order they were added.
    pub async fn accounts_list(&self) -> Result<Vec<AccountEntry>, AppError> {
        Ok(self.connection().await?.auth.entries())
    }

    /// Makes `id` the account every command acts for.
    pub async fn accounts_switch(&self, id: String) -> Result<SessionInfo, AppError> {
        self.connection().await?.auth.switch(&id)
    }

    /// Signs account `id` out and deletes its keychain item; the others stay signed in.
    pub async fn accounts_sign_out(&self, id: String) -> Result<SessionInfo, AppError> {
        self.connection().await?.auth.sign_out(Some(&id)).await
    }

    /// Names account `id` on this device (`""` removes the name).
    pub async fn accounts_rename(
        &self,
        id: String,
        name: String,
    ) -> Result<Vec<AccountEntry>, AppError> {
        let name = clean_name(&name)?;
        let conn = self.connection().await?;
        conn.auth.edit_filed(&id, |filed, _| {
            filed.name = name.clone();
            Ok(())
        })?;
        Ok(conn.auth.entries())
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
