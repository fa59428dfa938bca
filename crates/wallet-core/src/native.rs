//! Passkey providers the core drives itself, so nothing secret (PRF output, keys) reaches the
//! WebView. Each backend speaks the browser's JSON: options in, `…ResponseJSON` out.

use std::future::Future;
use std::pin::Pin;

use crate::error::AppError;
use crate::providers::ProviderKind;

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

/// The software authenticator: discoverable credentials and PRF in process memory. For driving
/// the real app in tests; the `soft-passkey` feature is never enabled in release builds.
#[cfg(feature = "soft-passkey")]
#[derive(Default)]
pub struct SoftBackend(passkey_soft::Authenticator);

#[cfg(feature = "soft-passkey")]
impl SoftBackend {
    fn run(
        result: passkey_soft::Result<serde_json::Value>,
        origin: String,
    ) -> Result<Answer, AppError> {
        let credential = result.map_err(|e| match e {
            passkey_soft::Error::NotAllowed(_) => AppError::new(
                crate::ErrorCode::PasskeyCancelled,
                format!("The test authenticator declined: {e}"),
            ),
            other => AppError::new(
                crate::ErrorCode::PasskeyUnsupported,
                format!("The test authenticator failed: {other}"),
            ),
        })?;
        Ok(Answer { credential, origin })
    }
}

#[cfg(feature = "soft-passkey")]
impl NativeBackend for SoftBackend {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Soft
    }

    fn create<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        let origin = origin_for(rp_id);
        Box::pin(async move { Self::run(self.0.create(options, &origin), origin) })
    }

    fn get<'a>(
        &'a self,
        options: &'a serde_json::Value,
        rp_id: &'a str,
    ) -> BoxFuture<'a, Result<Answer, AppError>> {
        let origin = origin_for(rp_id);
        Box::pin(async move { Self::run(self.0.get(options, &origin), origin) })
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
