//! Passkey providers the core drives itself, so nothing secret (PRF output, keys) reaches the
//! WebView. Each backend speaks the browser's JSON: options in, `…ResponseJSON` out.

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Who runs a passkey ceremony: the page, or the core through one of its backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ProviderKind {
    /// The page's own `navigator.credentials`.
    Webview,
    /// The OS authenticator through Rust (Windows Hello; Linux: the system browser hand-off).
    Native,
    /// A software authenticator for automated tests; never in release builds.
    Soft,
    /// A FIDO2 security key over USB (CTAP2), for any rpId.
    SecurityKey,
    /// IBEx's PIN signer (Argon2id-derived key).
    Kdf,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A backend's credential and the page origin it was made for; the core accepts exactly that
/// origin in its clientDataJSON.
#[derive(Debug)]
pub struct Answer {
    pub credential: serde_json::Value,
    pub origin: String,
}

pub trait NativeBackend: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// `navigator.credentials.create` for `rp_id`.
    fn create<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>>;
    /// `navigator.credentials.get` for `rp_id`.
    fn get<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>>;
    /// Ends the ceremony waiting on the user, if this backend has one; true if it did.
    fn cancel(&self) -> bool {
        false
    }
    /// The page the ceremony in progress waits on, if it runs in the user's browser.
    fn page(&self) -> Option<String> {
        None
    }
}

/// The origin a native ceremony claims: the rpId's own web origin, as a browser on the
/// tenant's site would write it (no trailing slash); plain http for `localhost`.
pub fn origin_for(rp_id: &str) -> String {
    if rp_id == "localhost" {
        "http://localhost".to_owned()
    } else {
        format!("https://{rp_id}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_have_no_trailing_slash() {
        assert_eq!(super::origin_for("localhost"), "http://localhost");
        assert_eq!(
            super::origin_for("wallet.example"),
            "https://wallet.example"
        );
    }
}
