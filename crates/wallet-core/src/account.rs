//! What IBEx knows about the account beyond its wallets: the signers (passkeys, keys) that can
//! approve for it.

use ibex::models::account::{Signer, SignerKind};
use ibex::models::WalletMode;
use serde::Serialize;

use crate::error::AppError;

/// One device or key that can sign for the account.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignerView {
    pub id: String,
    /// "Passkey", "Wallet key", "Email code", or IBEx's own description.
    pub kind: String,
    /// "Safe (ERC-4337)" or "EIP-7702 account"; None when IBEx does not say.
    pub wallet_mode: Option<String>,
    /// The name the authenticator or user gave it.
    pub name: Option<String>,
    /// ISO 8601, as IBEx sent it.
    pub created_at: Option<String>,
    pub safes: Option<u32>,
}

fn signer_view(s: Signer) -> SignerView {
    let kind = match s.kind {
        SignerKind::Passkey => "Passkey".to_owned(),
        SignerKind::Eoa => "Wallet key".to_owned(),
        SignerKind::EmailToken => "Email code".to_owned(),
        SignerKind::Unknown => s.type_description.unwrap_or_else(|| "Other".to_owned()),
    };
    let wallet_mode = s.wallet_mode.and_then(|m| match m {
        WalletMode::Safe4337 => Some("Safe (ERC-4337)".to_owned()),
        WalletMode::Eoa7702 => Some("EIP-7702 account".to_owned()),
        WalletMode::Unknown => None,
    });
    SignerView {
        id: s.id,
        kind,
        wallet_mode,
        name: s.key_display_name.or(s.key_name),
        created_at: s.created_at,
        safes: s.safes_count,
    }
}

/// The account commands.
impl crate::Core {
    /// The passkeys and keys that can approve operations for this account.
    pub async fn account_signers(&self) -> Result<Vec<SignerView>, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        Ok(session
            .signers()
            .await?
            .signers
            .into_iter()
            .map(signer_view)
            .collect())
    }
}
