//! The account's identity verification (KYC): its status, and IBEx's flow, which opens in the
//! system browser.

use ibex::models::account::{KycIframeRequest, KycState};
use serde::Serialize;

use crate::error::AppError;
use crate::messages::Msg;

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

/// The KYC commands.
impl crate::Core {
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
                    Msg::KycLinkNotWeb { url: url.clone() },
                )
            })?
            .to_string();
        crate::browser::open(&url).map_err(|e| {
            AppError::new(
                crate::ErrorCode::Network,
                Msg::BrowserNotOpened {
                    error: e.to_string(),
                    url: url.clone(),
                },
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
