//! The session: who is signed in on the current network (the `account`), how they sign in and
//! out (`auth`), and what this device remembers about it (the last signer kind).

pub(crate) mod auth;
pub(crate) mod expansion;
pub(crate) mod filing;
pub(crate) mod resume;

pub use crate::account::{
    Account, NoticeAccount, NoticeKind, Persistence, SafeWallet, SessionInfo, SessionNotice,
    SignerKind,
};
use crate::core::network_key;
use crate::error::AppError;
use crate::network::Connection;
pub use auth::{AuthIntent, Ceremony, CeremonyKind};
pub use resume::ResumeBackoff;

/// The session commands.
impl crate::Core {
    pub async fn session_get(&self) -> Result<SessionInfo, AppError> {
        Ok(self.connection().await?.auth.info())
    }

    /// Locks the wallet now, every account (the UI calls this after the configured inactivity).
    pub async fn session_lock(&self) -> Result<SessionInfo, AppError> {
        Ok(self.connection().await?.auth.lock())
    }

    /// The user read notice `notice` (a [`SessionNotice::id`]): it is not shown again.
    pub async fn session_dismiss(&self, notice: u32) -> Result<SessionInfo, AppError> {
        Ok(self.connection().await?.auth.dismiss(notice))
    }

    /// Tries notice `notice`'s session again now (a [`NoticeKind::NotResumed`] one): back, its
    /// notice goes and the account is listed (current only while none is); refused, the
    /// notice says it ended; still not answering, the notice stays with the new reason.
    pub async fn session_retry(&self, notice: u32) -> Result<SessionInfo, AppError> {
        let conn = self.connection().await?;
        Ok(conn.auth.retry(notice, &self.secrets).await)
    }

    /// Signs the current account out; the other accounts stay signed in.
    pub async fn session_sign_out(&self) -> Result<SessionInfo, AppError> {
        self.connection().await?.auth.sign_out(None).await
    }

    /// Files which signer signed in, so a restored session knows it too (not a secret).
    pub(crate) fn remember_signer(&self, conn: &Connection, info: SessionInfo) -> SessionInfo {
        if let SessionInfo::SignedIn { account, .. } = &info {
            let value = serde_json::to_value(account.signer).unwrap_or_default();
            if let Err(e) = self.store.set(&network_key("signer", conn), value) {
                tracing::warn!(error = %e, "signer kind not saved");
            }
        }
        info
    }

    pub(crate) fn last_signer(&self, conn: &Connection) -> SignerKind {
        self.store
            .get(&network_key("signer", conn))
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or(SignerKind::Passkey)
    }
}
