//! What IBEx knows about the account beyond its wallets: the signers (passkeys, keys) that can
//! approve for it, and the identity-verification (KYC) status.

use ibex::models::account::{KycIframeRequest, KycState, Signer, SignerKind};
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

#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum KycProgress {
    NotStarted,
    Pending,
    Verified,
    Unknown,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KycView {
    pub progress: KycProgress,
    /// IBEx's level ("0", "1", "2"…).
    pub level: Option<String>,
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

    /// Opens IBEx's identity-verification flow in the system browser (it cannot run inside the
    /// wallet's window) and returns the address opened.
    pub async fn kyc_open(&self) -> Result<String, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        let flow = session.kyc_iframe(&KycIframeRequest::default()).await?;
        let url = match flow.chatbot_full_url {
            Some(full) => full,
            None => format!("{}?session={}", flow.chatbot_url, flow.session_id),
        };
        // Only a web page: never hand a server-chosen `file:` or other scheme to the OS.
        let parsed = url::Url::parse(&url)
            .ok()
            .filter(|u| u.scheme() == "https" || u.scheme() == "http");
        let url = parsed
            .ok_or_else(|| {
                AppError::new(
                    crate::ErrorCode::BadResponse,
                    format!("IBEx sent a verification link that is not a web address: {url}"),
                )
            })?
            .to_string();
        crate::browser::open(&url).map_err(|e| {
            AppError::new(
                crate::ErrorCode::Network,
                format!(
                    "Your web browser could not be opened ({e}). Open this address yourself: {url}"
                ),
            )
        })?;
        Ok(url)
    }

    pub async fn kyc_status(&self) -> Result<KycView, AppError> {
        let (session, _) = self.connection().await?.auth.signed_in()?;
        let status = session.kyc_status().await?;
        let progress = match status.status {
            Some(KycState::Verified) => KycProgress::Verified,
            _ if status.verified == Some(true) => KycProgress::Verified,
            Some(KycState::Pending) => KycProgress::Pending,
            Some(KycState::NotStarted) | None => KycProgress::NotStarted,
            Some(KycState::Unknown) => KycProgress::Unknown,
        };
        Ok(KycView {
            progress,
            level: status.kyc_level,
        })
    }
}
