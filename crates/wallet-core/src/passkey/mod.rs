//! Passkeys: which provider can sign here (`providers`), the checks every ceremony's answer
//! passes (`ceremony`), and the backends the core runs itself behind one trait (`native`): the
//! system-browser hand-off (`handoff`) and, in test builds, the software authenticator (`soft`).
//!
//! Dependencies point one way: `providers` and the backends use `native`, never the reverse.

pub(crate) mod ceremony;
pub mod handoff;
pub mod native;
pub mod providers;
#[cfg(feature = "soft-passkey")]
pub mod soft;

use std::sync::Arc;

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
pub use native::{NativeBackend, ProviderKind};
use providers::{BuildProviders, Platform};
pub use providers::{PasskeyCapabilities, WebviewInfo};

/// The passkey commands.
impl crate::Core {
    /// Which passkey providers can sign for the current network's rpId in this page.
    pub async fn passkey_capabilities(
        &self,
        webview: WebviewInfo,
    ) -> Result<PasskeyCapabilities, AppError> {
        let conn = self.connection().await?;
        Ok(providers::decide(
            Platform::current(),
            &webview,
            &conn.client.config().rp_id,
            BuildProviders {
                soft: self.natives.iter().any(|b| b.kind() == ProviderKind::Soft),
            },
            self.locale(),
        ))
    }

    /// Ends the passkey ceremony waiting in the browser (or another native prompt), if any.
    pub async fn passkey_cancel(&self) -> Result<bool, AppError> {
        Ok(self.natives.iter().any(|b| b.cancel()))
    }

    /// The address of the passkey page waiting in the browser, for a user whose browser did
    /// not open it (a one-time page on loopback: it only accepts this ceremony's answer).
    pub async fn passkey_browser_page(&self) -> Result<Option<String>, AppError> {
        Ok(self.natives.iter().find_map(|b| b.page()))
    }

    pub(crate) fn native(
        &self,
        provider: ProviderKind,
    ) -> Result<Arc<dyn NativeBackend>, AppError> {
        self.natives
            .iter()
            .find(|b| b.kind() == provider)
            .cloned()
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::PasskeyUnsupported,
                    Msg::ProviderNotInBuild {
                        provider: format!("{provider:?}"),
                    },
                )
            })
    }
}

/// The providers this build runs in Rust (the browser hand-off on Linux, release included).
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
/// `locale`: the language of the pages a backend shows (the browser hand-off's).
pub(crate) fn native_backends(
    handoff_timeout: std::time::Duration,
    locale: Arc<crate::i18n::CurrentLocale>,
) -> Vec<Arc<dyn NativeBackend>> {
    vec![
        #[cfg(feature = "soft-passkey")]
        Arc::new(soft::SoftBackend::default()),
        #[cfg(target_os = "linux")]
        Arc::new(handoff::HandoffBackend::new(handoff_timeout, locale)),
    ]
}
