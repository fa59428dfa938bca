//! Which passkey provider can sign for this tenant here (docs/passkeys.md §4).
//!
//! A page may use WebAuthn only for an rpId equal to its host or a registrable suffix of it,
//! over https (or http on `localhost`); a Tauri page (`tauri://localhost`,
//! `http(s)://tauri.localhost`) therefore can never use a tenant's rpId, and WebKitGTK has no
//! WebAuthn at all. The core decides; the UI shows the choice and the reasons.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;
use crate::messages::Msg;
use crate::passkey::native::ProviderKind;

/// What the page tells the core about itself.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WebviewInfo {
    /// `PublicKeyCredential` and `navigator.credentials` exist.
    pub has_webauthn: bool,
    /// `location.origin` of the page.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProviderOption {
    pub kind: ProviderKind,
    pub available: bool,
    /// Why it cannot run here, in words for the UI; `None` when available.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyCapabilities {
    pub platform: String,
    pub rp_id: String,
    /// Every provider, in order of preference, with availability.
    pub providers: Vec<ProviderOption>,
    /// The first available provider of `providers`.
    pub recommended: ProviderKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    MacOs,
    Windows,
}

impl Platform {
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::MacOs
        } else if cfg!(target_os = "windows") {
            Self::Windows
        } else {
            Self::Linux
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Linux => "linux",
            Self::MacOs => "macos",
            Self::Windows => "windows",
        }
    }
}

/// The rpIds the macOS app is associated with (`webcredentials:` entries of its entitlements,
/// comma-separated, baked in by build.rs): macOS serves Touch ID passkeys only for these.
pub const ASSOCIATED_DOMAINS: &str = env!("IBEX_ASSOCIATED_DOMAINS");

/// What this build can do natively.
#[derive(Debug, Clone, Copy)]
pub struct BuildProviders {
    /// The software authenticator is compiled in (test builds only).
    pub soft: bool,
    /// [`ASSOCIATED_DOMAINS`] in the app; a list of the tests' own in tests.
    pub associated_domains: &'static str,
}

/// Whether `rp_id` is one of the comma-separated `domains` (DNS names: case-insensitive).
fn associated(domains: &str, rp_id: &str) -> bool {
    domains
        .split(',')
        .any(|d| !d.trim().is_empty() && d.trim().eq_ignore_ascii_case(rp_id))
}

pub fn decide(
    platform: Platform,
    webview: &WebviewInfo,
    rp_id: &str,
    build: BuildProviders,
    locale: Locale,
) -> PasskeyCapabilities {
    let webview_reason = webview_blocker(platform, webview, rp_id);
    let native_reason = match platform {
        Platform::Linux => crate::passkey::handoff::unavailable_reason(rp_id),
        // ASAuthorization: only for an rpId the signed app is associated with.
        Platform::MacOs => {
            (!associated(build.associated_domains, rp_id)).then_some(Msg::TouchIdNeedsAssociation)
        }
        // webauthn.dll: Windows Hello, security keys and phones, any rpId.
        Platform::Windows => None,
    };
    // The software authenticator is listed only where it is compiled in (test builds), where
    // it goes before the hand-off so automated runs never wait on a browser.
    let soft = build.soft.then_some((ProviderKind::Soft, None));
    let key_reason = match platform {
        // Raw HID needs administrator rights on Windows since 1903; keys go through
        // webauthn.dll's prompt there.
        Platform::Windows => Some(Msg::WindowsKeysThroughHello),
        Platform::Linux | Platform::MacOs => None,
    };
    let providers: Vec<ProviderOption> = [
        Some((ProviderKind::Webview, webview_reason)),
        soft,
        Some((ProviderKind::Native, native_reason)),
        Some((ProviderKind::SecurityKey, key_reason)),
        Some((ProviderKind::Kdf, None)),
    ]
    .into_iter()
    .flatten()
    .map(|(kind, reason)| ProviderOption {
        kind,
        available: reason.is_none(),
        reason: reason.map(|r| r.render(locale)),
    })
    .collect();
    let recommended = providers
        .iter()
        .find(|p| p.available)
        .map_or(ProviderKind::Kdf, |p| p.kind);
    PasskeyCapabilities {
        platform: platform.name().to_owned(),
        rp_id: rp_id.to_owned(),
        providers,
        recommended,
    }
}

fn webview_blocker(platform: Platform, webview: &WebviewInfo, rp_id: &str) -> Option<Msg> {
    if !webview.has_webauthn {
        return Some(match platform {
            Platform::Linux => Msg::LinuxWebviewNoPasskeys,
            _ => Msg::WindowNoPasskeys,
        });
    }
    if origin_may_use_rp_id(&webview.origin, rp_id) {
        None
    } else {
        Some(Msg::WindowOriginNotAllowed {
            origin: webview.origin.clone(),
            rp_id: rp_id.to_owned(),
        })
    }
}

/// WebAuthn's rule: the rpId is the origin's host or a registrable suffix of it, and the
/// origin is secure (https, or http on localhost).
fn origin_may_use_rp_id(origin: &str, rp_id: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let rp_id = rp_id.to_ascii_lowercase();
    let secure = match url.scheme() {
        "https" => true,
        "http" => host == "localhost" || host.ends_with(".localhost"),
        _ => false,
    };
    // A bare public suffix is never an rpId; a dot-less rpId other than localhost is refused.
    let suffix_ok = rp_id.contains('.') || rp_id == "localhost";
    secure && suffix_ok && (host == rp_id || host.ends_with(&format!(".{rp_id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(has_webauthn: bool, origin: &str) -> WebviewInfo {
        WebviewInfo {
            has_webauthn,
            origin: origin.to_owned(),
        }
    }

    const TEST_BUILD: BuildProviders = BuildProviders {
        soft: true,
        associated_domains: "",
    };
    const RELEASE: BuildProviders = BuildProviders {
        soft: false,
        associated_domains: "",
    };

    #[test]
    fn browser_on_localhost_uses_the_webview_for_the_sandbox() {
        let c = decide(
            Platform::Linux,
            &page(true, "http://localhost:5173"),
            "localhost",
            RELEASE,
            Locale::En,
        );
        assert_eq!(c.recommended, ProviderKind::Webview);
        assert!(c
            .providers
            .iter()
            .all(|p| p.kind != ProviderKind::Soft || !p.available));
    }

    #[test]
    fn webkitgtk_has_no_webauthn_and_says_so() {
        let c = decide(
            Platform::Linux,
            &page(false, "tauri://localhost"),
            "localhost",
            TEST_BUILD,
            Locale::En,
        );
        let webview = &c.providers[0];
        assert!(!webview.available);
        assert!(webview
            .reason
            .as_deref()
            .unwrap()
            .contains("Linux WebView has no passkey support"));
        assert!(c
            .providers
            .iter()
            .any(|p| p.kind == ProviderKind::Soft && p.available));
        assert_eq!(c.recommended, ProviderKind::Soft);
        // Release: the system browser signs for rpId localhost, ahead of the PIN.
        let release = decide(
            Platform::Linux,
            &page(false, "tauri://localhost"),
            "localhost",
            RELEASE,
            Locale::En,
        );
        assert_eq!(release.recommended, ProviderKind::Native);
        let native = release
            .providers
            .iter()
            .find(|p| p.kind == ProviderKind::Native)
            .unwrap();
        assert!(native.available && native.reason.is_none());
    }

    #[test]
    fn the_browser_hand_off_cannot_sign_for_a_tenant_rp_id_on_linux() {
        let c = decide(
            Platform::Linux,
            &page(false, "tauri://localhost"),
            "wallet.example",
            RELEASE,
            Locale::En,
        );
        let native = c
            .providers
            .iter()
            .find(|p| p.kind == ProviderKind::Native)
            .unwrap();
        assert!(!native.available);
        assert_eq!(
            native.reason.as_deref(),
            Some("Passkeys for wallet.example open in your browser only from wallet.example's own sign-in page, which this tenant does not publish.")
        );
        // A security key signs for any rpId.
        assert_eq!(c.recommended, ProviderKind::SecurityKey);
        // The reason is said in the user's language.
        let fr = decide(
            Platform::Linux,
            &page(false, "tauri://localhost"),
            "wallet.example",
            RELEASE,
            Locale::Fr,
        );
        assert!(fr.providers[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("Cette WebView Linux ne prend pas en charge les clés d’accès"));
    }

    #[test]
    fn a_tauri_page_never_uses_a_tenant_rp_id() {
        for origin in [
            "tauri://localhost",
            "https://tauri.localhost",
            "http://tauri.localhost",
        ] {
            let c = decide(
                Platform::Windows,
                &page(true, origin),
                "wallet.example",
                RELEASE,
                Locale::En,
            );
            assert!(!c.providers[0].available, "{origin}");
            assert!(c.providers[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("wallet.example"));
            // Windows Hello (webauthn.dll) signs for any rpId with the client data we build.
            assert_eq!(c.recommended, ProviderKind::Native, "{origin}");
        }
    }

    #[test]
    fn each_os_says_what_signs_for_a_tenant_and_why_not() {
        let tenant = |platform| {
            decide(
                platform,
                &page(false, "tauri://localhost"),
                "wallet.example",
                RELEASE,
                Locale::En,
            )
        };
        let reason = |c: &PasskeyCapabilities, kind| {
            c.providers
                .iter()
                .find(|p| p.kind == kind)
                .and_then(|p| p.reason.clone())
        };
        let mac = tenant(Platform::MacOs);
        assert_eq!(mac.recommended, ProviderKind::SecurityKey);
        assert_eq!(
            reason(&mac, ProviderKind::Native).as_deref(),
            Some("Touch ID needs this tenant's app association — use a security key.")
        );
        let windows = tenant(Platform::Windows);
        assert_eq!(windows.recommended, ProviderKind::Native);
        assert!(reason(&windows, ProviderKind::SecurityKey)
            .unwrap()
            .contains("Windows Hello prompt"));
        let linux = tenant(Platform::Linux);
        assert_eq!(linux.recommended, ProviderKind::SecurityKey);
        assert_eq!(reason(&linux, ProviderKind::SecurityKey), None);
    }

    #[test]
    fn touch_id_is_offered_only_for_the_rp_ids_the_app_is_associated_with() {
        let tenant_build = BuildProviders {
            soft: false,
            associated_domains: "other.example,Wallet.Example",
        };
        let native = |rp_id| {
            decide(
                Platform::MacOs,
                &page(false, "tauri://localhost"),
                rp_id,
                tenant_build,
                Locale::En,
            )
        };
        let c = native("wallet.example");
        assert_eq!(c.recommended, ProviderKind::Native);
        assert!(c
            .providers
            .iter()
            .any(|p| p.kind == ProviderKind::Native && p.available && p.reason.is_none()));
        // A suffix or a sub-domain of an associated domain is another rpId.
        for rp_id in ["example", "app.wallet.example", "localhost"] {
            assert_eq!(
                native(rp_id).recommended,
                ProviderKind::SecurityKey,
                "{rp_id}"
            );
        }
        assert!(associated(" a.example , b.example", "b.example"));
        assert!(!associated("", ""));
        assert!(!associated(",", ""));
    }

    #[test]
    fn the_build_bakes_in_the_entitlements_rp_ids() {
        // Every `webcredentials:` entry of src-tauri/macos/Entitlements.plist, and only those.
        let plist = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../src-tauri/macos/Entitlements.plist"
        ))
        .unwrap();
        let domains: Vec<&str> = ASSOCIATED_DOMAINS.split(',').collect();
        assert!(!ASSOCIATED_DOMAINS.is_empty());
        assert_eq!(
            domains.len(),
            plist.matches("<string>webcredentials:").count()
        );
        for domain in domains {
            assert!(
                plist.contains(&format!("<string>webcredentials:{domain}")),
                "{domain}"
            );
            assert!(
                !domain.contains('?'),
                "{domain}: the mode is not part of the rpId"
            );
        }
    }

    #[test]
    fn rp_id_suffix_rules() {
        assert!(origin_may_use_rp_id(
            "https://app.wallet.example",
            "wallet.example"
        ));
        assert!(origin_may_use_rp_id(
            "https://wallet.example",
            "wallet.example"
        ));
        assert!(!origin_may_use_rp_id(
            "https://evilwallet.example",
            "wallet.example"
        ));
        assert!(!origin_may_use_rp_id(
            "http://app.wallet.example",
            "wallet.example"
        ));
        assert!(!origin_may_use_rp_id("https://wallet.example", "example"));
        assert!(origin_may_use_rp_id("http://localhost:1234", "localhost"));
        assert!(!origin_may_use_rp_id("not a url", "localhost"));
    }
}
