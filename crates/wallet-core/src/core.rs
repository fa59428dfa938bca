//! [`Core`]: the state behind every command.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use tokio::sync::Mutex;

use crate::account::{SessionInfo, SignerKind};
use crate::auth::{AuthIntent, Ceremony};
use crate::error::AppError;
use crate::error::ErrorCode;
use crate::events::{CoreEvent, EventSink};
use crate::native::NativeBackend;
use crate::network::{Connection, NetworkStatus};
use crate::notify::Notifier;
use crate::pin::Pin;
use crate::providers::{
    self, BuildProviders, PasskeyCapabilities, Platform, ProviderKind, WebviewInfo,
};
use crate::recovery::RecoveryWatch;
use crate::secrets::SecretStores;
use crate::settings::{validate_custom, NetworkChoice, NetworkSetting, Settings, Theme};
use crate::store::KvStore;

const SETTINGS_KEY: &str = "settings";

/// Facts about this build the UI shows in its footer and settings.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// "debug" or "release".
    pub build: String,
    /// Whether the embedded sandbox is compiled in.
    pub sandbox_available: bool,
    /// The OS's language as the wallet speaks it: what the "system" language setting means.
    pub system_locale: crate::i18n::Locale,
}

/// What the platform provides to the core.
pub struct CoreDeps {
    /// Settings and caches (no secrets).
    pub store: Arc<dyn KvStore>,
    pub events: Arc<dyn EventSink>,
    /// Refresh-token stores (the OS keychain in the app).
    pub secrets: Arc<dyn SecretStores>,
    /// Snapshots shown before the network answers (portfolio); separate from settings so
    /// discarding a bad cache never touches them.
    pub cache: Arc<dyn KvStore>,
    /// Desktop notifications (the OS notification centre in the app).
    pub notifier: Arc<dyn Notifier>,
}

/// Commands live in `impl Core` blocks beside the feature they serve (this file: settings,
/// session and sign-in; `send.rs`, …), so the fields are crate-visible.
pub struct Core {
    pub(crate) store: Arc<dyn KvStore>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) secrets: Arc<dyn SecretStores>,
    pub(crate) cache: Arc<dyn KvStore>,
    pub(crate) settings: RwLock<Settings>,
    /// The tenant API key for a custom network; kept in the core only.
    api_key: RwLock<Option<String>>,
    /// Passkey providers the core runs itself.
    natives: Vec<Arc<dyn NativeBackend>>,
    /// Opened on first use and replaced when the network setting changes.
    connection: Mutex<Option<Arc<Connection>>>,
    pub(crate) reviewed_recipients: crate::recipients::ReviewedRecipients,
    /// The embedded sandbox's state file (in the app's data directory), if it persists.
    sandbox_state: Option<std::path::PathBuf>,
    pub(crate) notifier: Arc<dyn Notifier>,
    /// Whether the user is looking at the wallet's window (set by the app shell).
    pub(crate) focused: Arc<AtomicBool>,
    pub(crate) recovery: RecoveryWatch,
    /// The OS's language, read once at start.
    pub(crate) system_locale: crate::i18n::Locale,
    /// The language the core speaks now (follows the settings).
    pub(crate) locale: Arc<crate::i18n::CurrentLocale>,
}

/// The async methods named like commands are the IPC commands (`src-tauri/src/command_list.rs`).
impl Core {
    pub fn new(deps: CoreDeps) -> Self {
        let CoreDeps {
            store,
            events,
            secrets,
            cache,
            notifier,
        } = deps;
        let settings = store
            .get(SETTINGS_KEY)
            .and_then(|v| match serde_json::from_value::<Settings>(v) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "stored settings unreadable; using defaults");
                    None
                }
            })
            .unwrap_or_default();
        let store_for_recovery = store.clone();
        let system_locale = crate::i18n::Locale::of_system();
        let locale = Arc::new(crate::i18n::CurrentLocale::new(
            settings.language.resolve(system_locale),
        ));
        let focused = Arc::new(AtomicBool::new(true));
        let events: Arc<dyn EventSink> = Arc::new(crate::notify::OutcomeAlerts {
            inner: events,
            notifier: notifier.clone(),
            focused: focused.clone(),
        });
        Self {
            store,
            events,
            secrets,
            cache,
            natives: native_backends(crate::handoff::DEFAULT_TIMEOUT),
            settings: RwLock::new(settings),
            api_key: RwLock::new(None),
            connection: Mutex::new(None),
            reviewed_recipients: Default::default(),
            sandbox_state: None,
            notifier,
            focused,
            recovery: RecoveryWatch::new(store_for_recovery),
            system_locale,
            locale,
        }
    }

    /// Keeps the embedded sandbox's accounts in `file`, so a session restored from the keychain
    /// finds its account after a restart.
    pub fn with_sandbox_state(mut self, file: std::path::PathBuf) -> Self {
        self.sandbox_state = Some(file);
        self
    }

    /// Gives the browser hand-off `timeout` to answer instead of the default (tests use seconds).
    pub fn with_handoff_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.natives = native_backends(timeout);
        self
    }

    /// Opens the connection ahead of the first command (starts the embedded sandbox) and
    /// resumes the stored session, if any.
    pub async fn warm_up(&self) {
        match self.connection().await {
            Ok(conn) => {
                let signer = self.last_signer(&conn);
                conn.auth.restore(self.secrets.as_ref(), signer).await;
            }
            Err(e) => tracing::warn!(error = %e, "network not ready at start-up"),
        }
    }

    pub async fn app_info(&self) -> Result<AppInfo, AppError> {
        Ok(AppInfo {
            name: "IBEx Wallet".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .to_owned(),
            sandbox_available: cfg!(feature = "sandbox"),
            system_locale: self.system_locale,
        })
    }

    pub async fn settings_get(&self) -> Result<Settings, AppError> {
        Ok(read(&self.settings).clone())
    }

    pub async fn settings_set_network(&self, choice: NetworkChoice) -> Result<Settings, AppError> {
        let (setting, api_key) = match choice {
            NetworkChoice::Sandbox => {
                if !cfg!(feature = "sandbox") {
                    return Err(AppError::validation(
                        "This build has no embedded sandbox; choose an IBEx server.",
                    ));
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
                let setting = NetworkSetting::Custom {
                    base_url,
                    rp_id,
                    has_api_key: api_key.is_some(),
                };
                (setting, api_key)
            }
        };
        *write(&self.api_key) = api_key;
        *self.connection.lock().await = None;
        self.update(|s| s.network = setting)
    }

    pub async fn settings_set_theme(&self, theme: Theme) -> Result<Settings, AppError> {
        self.update(|s| s.theme = theme)
    }

    pub async fn settings_set_lock(&self, minutes: u32) -> Result<Settings, AppError> {
        if minutes > 24 * 60 {
            return Err(AppError::validation(
                "The lock delay can be at most 1440 minutes (one day).",
            ));
        }
        self.update(|s| s.lock_after_minutes = minutes)
    }

    /// The chain Send and the portfolio open on (`None`: all chains).
    pub async fn settings_set_chain(&self, chain_id: Option<u32>) -> Result<Settings, AppError> {
        if chain_id == Some(0) {
            return Err(AppError::validation("Choose a network, or all networks."));
        }
        self.update(|s| s.preferred_chain = chain_id)
    }

    pub async fn network_status(&self) -> Result<NetworkStatus, AppError> {
        self.connection().await?.status().await
    }

    pub async fn session_get(&self) -> Result<SessionInfo, AppError> {
        Ok(self.connection().await?.auth.info())
    }

    /// Step 1 of a passkey sign-up or sign-in: the options for the provider.
    pub async fn auth_begin(&self, intent: AuthIntent) -> Result<Ceremony, AppError> {
        self.connection().await?.auth.begin(intent).await
    }

    /// Step 2: the provider's credential (WebAuthn L3 JSON text) for ceremony `ceremony_id`.
    pub async fn auth_complete(
        &self,
        ceremony_id: String,
        credential_json: String,
    ) -> Result<SessionInfo, AppError> {
        let conn = self.connection().await?;
        let info = conn
            .auth
            .complete(&ceremony_id, &credential_json, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Step 2 on a provider the core runs itself (`soft`; `native` where built).
    pub async fn auth_complete_native(
        &self,
        ceremony_id: String,
        provider: ProviderKind,
    ) -> Result<SessionInfo, AppError> {
        let backend = self.native(provider)?;
        let conn = self.connection().await?;
        let info = conn
            .auth
            .complete_native(&ceremony_id, backend.as_ref(), self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Locks the wallet now (the UI calls this after the configured inactivity).
    pub async fn session_lock(&self) -> Result<SessionInfo, AppError> {
        Ok(self.connection().await?.auth.lock())
    }

    /// Creates a PIN wallet (the KDF signer) and remembers its account on this device.
    pub async fn pin_sign_up(&self, pin: String) -> Result<SessionInfo, AppError> {
        let pin = Pin::new(pin)?;
        let conn = self.connection().await?;
        let (info, user) = conn.auth.pin_sign_up(&pin, self.secrets.as_ref()).await?;
        self.store
            .set(
                &network_key("pin-account", &conn),
                serde_json::Value::String(user),
            )
            .map_err(|e| AppError::internal(format!("the PIN account was not remembered: {e}")))?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Signs in to the PIN wallet this device remembers for the current network.
    pub async fn pin_sign_in(&self, pin: String) -> Result<SessionInfo, AppError> {
        let pin = Pin::new(pin)?;
        let conn = self.connection().await?;
        let user = self.pin_account(&conn).ok_or_else(|| {
            AppError::validation("No PIN wallet was created on this device for this network.")
        })?;
        let info = conn
            .auth
            .pin_sign_in(&pin, &user, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Whether this device has a PIN wallet for the current network.
    pub async fn pin_remembered(&self) -> Result<bool, AppError> {
        let conn = self.connection().await?;
        Ok(self.pin_account(&conn).is_some())
    }

    /// Files which signer signed in, so a restored session knows it too (not a secret).
    fn remember_signer(&self, conn: &Connection, info: SessionInfo) -> SessionInfo {
        if let SessionInfo::SignedIn { account, .. } = &info {
            let value = serde_json::to_value(account.signer).unwrap_or_default();
            if let Err(e) = self.store.set(&network_key("signer", conn), value) {
                tracing::warn!(error = %e, "signer kind not saved");
            }
        }
        info
    }

    fn last_signer(&self, conn: &Connection) -> SignerKind {
        self.store
            .get(&network_key("signer", conn))
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or(SignerKind::Passkey)
    }

    fn pin_account(&self, conn: &Connection) -> Option<String> {
        self.store
            .get(&network_key("pin-account", conn))
            .and_then(|v| v.as_str().map(str::to_owned))
    }

    pub async fn session_sign_out(&self) -> Result<SessionInfo, AppError> {
        self.connection().await?.auth.sign_out().await
    }

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
                    format!("The {provider:?} passkey provider is not available in this build."),
                )
            })
    }

    pub(crate) fn update(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings, AppError> {
        let settings = {
            let mut guard = write(&self.settings);
            change(&mut guard);
            guard.clone()
        };
        self.locale
            .set(settings.language.resolve(self.system_locale));
        let value =
            serde_json::to_value(&settings).map_err(|e| AppError::internal(e.to_string()))?;
        self.store
            .set(SETTINGS_KEY, value)
            .map_err(|e| AppError::internal(format!("settings not saved: {e}")))?;
        self.events.emit(CoreEvent::SettingsChanged {
            settings: settings.clone(),
        });
        Ok(settings)
    }

    pub(crate) async fn connection(&self) -> Result<Arc<Connection>, AppError> {
        let mut slot = self.connection.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let network = read(&self.settings).network.clone();
        let api_key = read(&self.api_key).clone();
        let conn = Arc::new(
            Connection::open(
                &network,
                api_key,
                self.events.clone(),
                self.sandbox_state.as_deref(),
            )
            .await?,
        );
        *slot = Some(conn.clone());
        Ok(conn)
    }
}

/// Settings-store key of a per-network fact (the PIN account's `externalUserId`, the last
/// signer kind; none of them secret).
pub(crate) fn network_key(what: &str, conn: &Connection) -> String {
    let config = conn.client.config();
    format!("{what}|{}@{}", config.rp_id, conn.identity)
}

/// The providers this build runs in Rust (the browser hand-off on Linux, release included).
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
fn native_backends(handoff_timeout: std::time::Duration) -> Vec<Arc<dyn NativeBackend>> {
    vec![
        #[cfg(feature = "soft-passkey")]
        Arc::new(crate::native::SoftBackend::default()),
        #[cfg(target_os = "linux")]
        Arc::new(crate::handoff::HandoffBackend::new(handoff_timeout)),
    ]
}

pub(crate) fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}
