//! Passkeys: which provider can sign here (`providers`), the checks every ceremony's answer
//! passes (`ceremony`, `verify`, `rp`), and the backends the core runs itself behind one trait
//! (`native`): the system-browser hand-off (`handoff`), CTAP2 security keys (`ctap2`; on a
//! virtual port of software keys in test builds, `soft_keys`), Windows Hello (`windows`), Touch ID
//! (`macos`) and,
//! in test builds, the software authenticator (`soft`). For the native ceremonies the core
//! builds the clientDataJSON itself (`client_data`), and every backend shares the options
//! parsing and the browser JSON (`request`).
//!
//! Dependencies point one way: `providers` and the backends use `native`, never the reverse.

pub(crate) mod ceremony;
pub(crate) mod client_data;
pub mod ctap2;
pub mod handoff;
#[cfg(target_os = "macos")]
pub mod macos;
pub mod native;
pub mod providers;
pub(crate) mod request;
pub(crate) mod rp;
#[cfg(feature = "soft-passkey")]
pub mod soft;
#[cfg(feature = "soft-passkey")]
pub mod soft_keys;
pub(crate) mod verify;
#[cfg(windows)]
pub mod windows;

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
                associated_domains: providers::ASSOCIATED_DOMAINS,
            },
            self.locale(),
        ))
    }

    /// Ends the passkey ceremony waiting in the browser (or another native prompt), if any.
    pub async fn passkey_cancel(&self) -> Result<bool, AppError> {
        Ok(self.natives.iter().any(|b| b.cancel()))
    }

    /// The PIN of the security key that asked for it (`CoreEvent::SecurityKey`); false when no
    /// key is waiting for one (it was unplugged, or the ceremony ended).
    pub async fn passkey_key_pin(&self, pin: String) -> Result<bool, AppError> {
        if pin.is_empty() {
            return Err(AppError::validation(Msg::EnterKeyPin));
        }
        Ok(self.security_key.submit_pin(&pin))
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

/// The providers this build runs in Rust: security keys everywhere, the browser hand-off on
/// Linux, Windows Hello on Windows (release included), Touch ID on macOS (offered only for the
/// rpIds this build is associated with), the software authenticator in tests.
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
/// `locale`: the language of the pages a backend shows (the browser hand-off's).
pub(crate) fn native_backends(
    handoff_timeout: std::time::Duration,
    locale: Arc<crate::i18n::CurrentLocale>,
    security_key: &Arc<ctap2::SecurityKeyBackend>,
) -> Vec<Arc<dyn NativeBackend>> {
    vec![
        security_key.clone(),
        #[cfg(feature = "soft-passkey")]
        Arc::new(soft::SoftBackend::default()),
        #[cfg(target_os = "linux")]
        Arc::new(handoff::HandoffBackend::new(handoff_timeout, locale)),
        #[cfg(windows)]
        Arc::new(windows::WindowsHello::new(ctap2::DEFAULT_TIMEOUT)),
        #[cfg(target_os = "macos")]
        Arc::new(macos::TouchId),
    ]
}

/// USB keys; test builds talk to software keys instead (never to a real one).
pub(crate) fn key_transport() -> Box<dyn ctap2::KeyTransport> {
    #[cfg(feature = "soft-passkey")]
    {
        Box::new(soft_keys::SoftKeys::from_env())
    }
    #[cfg(not(feature = "soft-passkey"))]
    {
        Box::new(ctap2::UsbKeys::default())
    }
}
