//! Several Safes per account: pick the one operations act for, name them, and add one
//! (IBEx's safe-provision: a passkey sign-in with `intent: safe_provision`, then the new Safe
//! for the next `saltNonce` on the chosen chain; docs/api/auth.md §9).
//!
//! The pick is the account's (kept on this device): Send, Swap, Earn, Recovery and every other
//! operation prepare their `Draft` for it (`AuthState::signed_in`), and the review names it.

use ibex::models::ChainId;

use crate::accounts::clean_name;
use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::passkey::ProviderKind;
use crate::session::auth::Answer;
use crate::session::{Ceremony, SessionInfo};

fn parse_safe(text: &str) -> Result<ibex::Address, AppError> {
    text.trim().parse().map_err(|_| {
        AppError::validation(Msg::SafeUnknown {
            address: text.trim().to_owned(),
        })
    })
}

/// The Safe commands (all for the current account).
impl crate::Core {
    /// Makes `address` the Safe operations act for.
    pub async fn safes_select(&self, address: String) -> Result<SessionInfo, AppError> {
        let safe = parse_safe(&address)?;
        let conn = self.connection().await?;
        let id = conn
            .auth
            .current_id()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        conn.auth.edit_filed(&id, |filed, account| {
            if !account.wallets.iter().any(|w| w.address == safe) {
                return Err(AppError::validation(Msg::SafeUnknown {
                    address: safe.to_checksum(),
                }));
            }
            filed.safe = Some(safe);
            Ok(())
        })
    }

    /// Names a Safe of the current account on this device (`""` removes the name).
    pub async fn safes_rename(
        &self,
        address: String,
        name: String,
    ) -> Result<SessionInfo, AppError> {
        let safe = parse_safe(&address)?;
        let name = clean_name(&name)?;
        let conn = self.connection().await?;
        let id = conn
            .auth
            .current_id()
            .ok_or_else(|| AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))?;
        conn.auth.edit_filed(&id, |filed, account| {
            if !account.wallets.iter().any(|w| w.address == safe) {
                return Err(AppError::validation(Msg::SafeUnknown {
                    address: safe.to_checksum(),
                }));
            }
            let key = safe.to_checksum().to_ascii_lowercase();
            match &name {
                Some(name) => filed.safe_names.insert(key, name.clone()),
                None => filed.safe_names.remove(&key),
            };
            Ok(())
        })
    }

    /// Step 1 of adding a Safe on `chain_id`, called `name`: the passkey options (a sign-in of
    /// the current account).
    pub async fn safes_add_begin(&self, chain_id: u32, name: String) -> Result<Ceremony, AppError> {
        if chain_id == 0 {
            return Err(AppError::validation(Msg::ChooseChain));
        }
        let name = clean_name(&name)?;
        self.connection()
            .await?
            .auth
            .begin_provision(ChainId(u64::from(chain_id)), name)
            .await
    }

    /// Step 2 with the WebView's credential: the new Safe, picked for operations.
    pub async fn safes_add_complete(
        &self,
        ceremony_id: String,
        credential_json: String,
    ) -> Result<SessionInfo, AppError> {
        self.connection()
            .await?
            .auth
            .complete_provision(&ceremony_id, Answer::Json(&credential_json))
            .await
    }

    /// Step 2 on a provider the core runs.
    pub async fn safes_add_complete_native(
        &self,
        ceremony_id: String,
        provider: ProviderKind,
    ) -> Result<SessionInfo, AppError> {
        let backend = self.native(provider)?;
        self.connection()
            .await?
            .auth
            .complete_provision(&ceremony_id, Answer::Native(backend.as_ref()))
            .await
    }
}
