//! The user's settings: which IBEx to talk to, look and feel, lock timeout.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::events::CoreEvent;
use crate::i18n::Language;
use crate::messages::Msg;
use crate::secrets::{store_item, SecretItem};
use crate::store::KvStore;
use crate::sync::{read, write};

/// Which IBEx the wallet talks to, as the UI sees it (the API key itself never leaves the core).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NetworkSetting {
    /// The embedded local IBEx on loopback: no account, no internet needed.
    Sandbox,
    /// A tenant's IBEx deployment.
    #[serde(rename_all = "camelCase")]
    Custom {
        base_url: String,
        rp_id: String,
        has_api_key: bool,
    },
}

/// What the UI submits to change network. `api_key: None` on `Custom` keeps no key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NetworkChoice {
    Sandbox,
    #[serde(rename_all = "camelCase")]
    Custom {
        base_url: String,
        rp_id: String,
        api_key: Option<String>,
    },
}

/// By hand: the API key is a credential and never appears in a log line.
impl std::fmt::Debug for NetworkChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sandbox => f.write_str("Sandbox"),
            Self::Custom {
                base_url,
                rp_id,
                api_key,
            } => f
                .debug_struct("Custom")
                .field("base_url", base_url)
                .field("rp_id", rp_id)
                .field("api_key", &api_key.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type, Default)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub network: NetworkSetting,
    pub theme: Theme,
    /// Lock the wallet after this many minutes without input (0 = never).
    pub lock_after_minutes: u32,
    /// Alert this many minutes before a pending recovery's deadline (0 = at the deadline).
    #[serde(default = "default_recovery_alerts")]
    pub recovery_alert_minutes: Vec<u32>,
    /// The chain Send and the portfolio start on; `None` = all chains.
    #[serde(default)]
    pub preferred_chain: Option<u32>,
    /// The language of the UI and of the core's texts (errors, notifications).
    #[serde(default)]
    pub language: Language,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            network: default_network(),
            theme: Theme::System,
            lock_after_minutes: 5,
            recovery_alert_minutes: default_recovery_alerts(),
            preferred_chain: None,
            language: Language::System,
        }
    }
}

fn default_recovery_alerts() -> Vec<u32> {
    crate::deadlines::DEFAULT_LEADS.to_vec()
}

/// Every build starts on the embedded sandbox, so a new user can try the wallet offline; a
/// tenant's IBEx is chosen in Settings (and, with onboarding, on first run).
fn default_network() -> NetworkSetting {
    NetworkSetting::Sandbox
}

/// A validated custom network: http(s) base URL without query or fragment, rpId a domain name.
pub(crate) fn validate_custom(base_url: &str, rp_id: &str) -> Result<(String, String), AppError> {
    let url = url::Url::parse(base_url.trim()).map_err(|e| {
        AppError::validation(Msg::UrlInvalid {
            url: base_url.to_owned(),
            error: e.to_string(),
        })
    })?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(AppError::validation(Msg::UrlScheme));
    }
    if url.scheme() == "http" && !is_loopback_host(url.host_str().unwrap_or_default()) {
        return Err(AppError::validation(Msg::UrlHttpRemote));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(AppError::validation(Msg::UrlQuery));
    }
    let rp_id = rp_id.trim().to_ascii_lowercase();
    if !is_domain(&rp_id) {
        return Err(AppError::validation(Msg::RpIdNotDomain { rp_id }));
    }
    Ok((url.as_str().trim_end_matches('/').to_owned(), rp_id))
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_domain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

const SETTINGS_KEY: &str = "settings";

/// The stored settings, or the defaults when there are none or they are unreadable.
pub(crate) fn load(store: &dyn KvStore) -> Settings {
    store
        .get(SETTINGS_KEY)
        .and_then(|v| match serde_json::from_value::<Settings>(v) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "stored settings unreadable; using defaults");
                None
            }
        })
        .unwrap_or_default()
}

/// The settings commands.
impl crate::Core {
    pub async fn settings_get(&self) -> Result<Settings, AppError> {
        Ok(read(&self.settings).clone())
    }

    pub async fn settings_set_network(&self, choice: NetworkChoice) -> Result<Settings, AppError> {
        let (setting, api_key) = match choice {
            NetworkChoice::Sandbox => {
                if !cfg!(feature = "sandbox") {
                    return Err(AppError::validation(Msg::NoEmbeddedSandbox));
                }
                (NetworkSetting::Sandbox, None)
            }
            NetworkChoice::Custom {
                base_url,
                rp_id,
                api_key,
            } => {
                let (base_url, rp_id) = validate_custom(&base_url, &rp_id)?;
                let api_key = api_key
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty());
                // In the keychain, so it is still there after a restart (a removed key is
                // deleted there too); without a keychain it lasts this run only.
                let secret = api_key.clone().map(ibex::Secret::new);
                let saved = store_item(
                    self.secrets.clone(),
                    SecretItem::ApiKey,
                    &base_url,
                    &rp_id,
                    secret,
                )
                .await;
                if let Err(why) = saved {
                    tracing::warn!(%why, "API key not in the keychain; kept for this run only");
                }
                let setting = NetworkSetting::Custom {
                    base_url,
                    rp_id,
                    has_api_key: api_key.is_some(),
                };
                (setting, api_key)
            }
        };
        *write(&self.api_key) = api_key;
        // The accounts signed in on the network left keep running there (the switcher goes
        // back to them); the network chosen opens anew.
        self.leave_network(Some(&setting)).await;
        self.update(|s| s.network = setting)
    }

    pub async fn settings_set_theme(&self, theme: Theme) -> Result<Settings, AppError> {
        self.update(|s| s.theme = theme)
    }

    pub async fn settings_set_lock(&self, minutes: u32) -> Result<Settings, AppError> {
        if minutes > 24 * 60 {
            return Err(AppError::validation(Msg::LockDelayTooLong { max: 24 * 60 }));
        }
        self.update(|s| s.lock_after_minutes = minutes)
    }

    /// The chain Send and the portfolio open on (`None`: all chains).
    pub async fn settings_set_chain(&self, chain_id: Option<u32>) -> Result<Settings, AppError> {
        if chain_id == Some(0) {
            return Err(AppError::validation(Msg::ChooseChain));
        }
        self.update(|s| s.preferred_chain = chain_id)
    }

    /// The language of the UI and of the core's texts; "system" follows the OS.
    pub async fn settings_set_language(&self, language: Language) -> Result<Settings, AppError> {
        self.update(|s| s.language = language)
    }

    /// Sets when deadline alerts fire, in minutes before the deadline (0 = at the deadline).
    pub async fn settings_set_recovery_alerts(
        &self,
        lead_minutes: Vec<u32>,
    ) -> Result<Settings, AppError> {
        let leads =
            crate::deadlines::normalise_leads(lead_minutes).map_err(AppError::validation)?;
        self.update(|s| s.recovery_alert_minutes = leads)
    }

    /// Applies `change` to the settings as stored, so a change another instance of the app
    /// made meanwhile (to another field) is kept, not overwritten by this one's old copy.
    pub(crate) fn update(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings, AppError> {
        let mut guard = write(&self.settings);
        let mut change = Some(change);
        let mut changed = guard.clone();
        self.store
            .update(SETTINGS_KEY, &mut |stored| {
                let mut settings = stored
                    .and_then(|v| serde_json::from_value::<Settings>(v).ok())
                    .unwrap_or_else(|| guard.clone());
                if let Some(change) = change.take() {
                    change(&mut settings);
                }
                changed = settings;
                serde_json::to_value(&changed).unwrap_or_default()
            })
            .map_err(|e| {
                AppError::internal(Msg::SettingsNotSaved {
                    error: e.to_string(),
                })
            })?;
        *guard = changed;
        let settings = guard.clone();
        drop(guard);
        self.locale
            .set(settings.language.resolve(self.system_locale));
        self.events.emit(CoreEvent::SettingsChanged {
            settings: settings.clone(),
        });
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_network_validation() {
        assert_eq!(
            validate_custom("https://passkeys.example.com/", "Example.com").unwrap(),
            (
                "https://passkeys.example.com".to_owned(),
                "example.com".to_owned()
            )
        );
        assert!(validate_custom("http://127.0.0.1:8787", "localhost").is_ok());
        for (url, rp) in [
            ("ftp://x.example", "example.com"),
            ("http://remote.example", "example.com"),
            ("https://x.example?a=1", "example.com"),
            ("not a url", "example.com"),
            ("https://x.example", "exa mple.com"),
            ("https://x.example", ""),
            ("https://x.example", "-bad.example"),
        ] {
            let err = validate_custom(url, rp).unwrap_err();
            assert_eq!(err.code, crate::ErrorCode::Validation, "{url} {rp}");
        }
    }

    #[test]
    fn settings_json_shape_is_stable() {
        let json = serde_json::to_value(Settings::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"network":{"kind":"sandbox"},"theme":"system","lockAfterMinutes":5,"recoveryAlertMinutes":[1440,60,0],"preferredChain":null,"language":"system"})
        );
        // Settings saved before a field existed still load, with its default.
        let old: Settings = serde_json::from_value(
            serde_json::json!({"network":{"kind":"sandbox"},"theme":"dark","lockAfterMinutes":1}),
        )
        .unwrap();
        assert_eq!(old.preferred_chain, None);
        assert_eq!(old.recovery_alert_minutes, vec![1440, 60, 0]);
        assert_eq!(old.language, Language::System);
    }
}
