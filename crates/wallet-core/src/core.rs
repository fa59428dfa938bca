//! [`Core`]: the container behind every command, and its wiring. The commands themselves live
//! in `impl Core` blocks beside the feature they serve, in the file their prefix names
//! (`settings_*` in `settings.rs`, `passkey_*` in `passkey/`, …), so the fields are
//! crate-visible.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use tokio::sync::Mutex;

use crate::error::AppError;
use crate::events::EventSink;
use crate::network::Connection;
use crate::notify::Notifier;
use crate::passkey::ctap2::SecurityKeyBackend;
use crate::passkey::{NativeBackend, ProviderKind};
use crate::recovery::RecoveryWatch;
use crate::secrets::{load_item, SecretItem, SecretStores};
use crate::settings::{NetworkSetting, Settings};
use crate::store::KvStore;
use crate::sync::{read, write};

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

/// The state behind every command. The async methods named like commands are the IPC
/// commands (`src-tauri/src/command_list.rs`).
pub struct Core {
    pub(crate) store: Arc<dyn KvStore>,
    pub(crate) events: Arc<dyn EventSink>,
    pub(crate) secrets: Arc<dyn SecretStores>,
    pub(crate) cache: Arc<dyn KvStore>,
    pub(crate) settings: RwLock<Settings>,
    /// The tenant API key for a custom network; kept in the core only.
    pub(crate) api_key: RwLock<Option<String>>,
    /// Passkey providers the core runs itself.
    pub(crate) natives: Vec<Arc<dyn NativeBackend>>,
    /// The CTAP2 security-key provider (also in `natives`), which takes the key's PIN.
    pub(crate) security_key: Arc<SecurityKeyBackend>,
    /// Opened on first use and replaced when the network setting changes.
    pub(crate) connection: Mutex<Option<Arc<Connection>>>,
    /// The connections of other networks that still have accounts signed in: they keep
    /// running (sessions, tracking, the recovery check) while another network is current, and
    /// the account switcher goes back to them.
    pub(crate) parked: std::sync::Mutex<Vec<Arc<Connection>>>,
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
    pub(crate) updates: crate::updates::Updates,
    /// How a session not resumed at start is tried again.
    resume_backoff: crate::session::ResumeBackoff,
}

impl Core {
    pub fn new(deps: CoreDeps) -> Self {
        let CoreDeps {
            store,
            events,
            secrets,
            cache,
            notifier,
        } = deps;
        let settings = crate::settings::load(store.as_ref());
        let store_for_recovery = store.clone();
        let system_locale = crate::i18n::Locale::of_system();
        let locale = Arc::new(crate::i18n::CurrentLocale::new(
            settings.language.resolve(system_locale),
        ));
        let focused = Arc::new(AtomicBool::new(true));
        let in_flight = Arc::new(crate::updates::OperationsInFlight::default());
        let events: Arc<dyn EventSink> = Arc::new(crate::updates::WatchOperations {
            inner: events,
            in_flight: in_flight.clone(),
        });
        let events: Arc<dyn EventSink> = Arc::new(crate::notify::OutcomeAlerts {
            inner: events,
            notifier: notifier.clone(),
            focused: focused.clone(),
            locale: locale.clone(),
        });
        let security_key = Arc::new(SecurityKeyBackend::new(
            crate::passkey::key_transport(),
            events.clone(),
            crate::passkey::ctap2::DEFAULT_TIMEOUT,
        ));
        Self {
            store,
            events,
            secrets,
            cache,
            natives: crate::passkey::native_backends(
                crate::passkey::handoff::DEFAULT_TIMEOUT,
                locale.clone(),
                &security_key,
            ),
            security_key,
            settings: RwLock::new(settings),
            api_key: RwLock::new(None),
            connection: Mutex::new(None),
            parked: std::sync::Mutex::new(Vec::new()),
            sandbox_state: None,
            notifier,
            focused,
            recovery: RecoveryWatch::new(store_for_recovery),
            system_locale,
            locale,
            updates: crate::updates::Updates::new(
                Arc::new(crate::updates::NoSelfUpdate),
                in_flight,
            ),
            resume_backoff: crate::session::ResumeBackoff::DEFAULT,
        }
    }

    /// Keeps the embedded sandbox's accounts in `file`, so a session restored from the keychain
    /// finds its account after a restart.
    pub fn with_sandbox_state(mut self, file: std::path::PathBuf) -> Self {
        self.sandbox_state = Some(file);
        self
    }

    /// Tries a session not resumed at start again after these waits (tests use short ones).
    pub fn with_resume_backoff(mut self, backoff: crate::session::ResumeBackoff) -> Self {
        self.resume_backoff = backoff;
        self
    }

    /// Gives the browser hand-off `timeout` to answer instead of the default (tests use seconds).
    pub fn with_handoff_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.natives =
            crate::passkey::native_backends(timeout, self.locale.clone(), &self.security_key);
        self
    }

    /// Talks to security keys through `transport` (tests: software keys) with `timeout`.
    pub fn with_security_keys(
        mut self,
        transport: Box<dyn crate::passkey::ctap2::KeyTransport>,
        timeout: std::time::Duration,
    ) -> Self {
        self.security_key = Arc::new(SecurityKeyBackend::new(
            transport,
            self.events.clone(),
            timeout,
        ));
        self.natives
            .retain(|b| b.kind() != ProviderKind::SecurityKey);
        self.natives.push(self.security_key.clone());
        self
    }

    /// Opens the connection ahead of the first command (starts the embedded sandbox) and
    /// resumes the stored sessions, if any.
    pub async fn warm_up(&self) {
        if let Err(e) = self.connection().await {
            tracing::warn!(error = %e, "network not ready at start-up");
        }
    }

    /// The current network's connection. Opening one resumes the accounts filed for that
    /// network (before any command can see it signed out).
    pub(crate) async fn connection(&self) -> Result<Arc<Connection>, AppError> {
        let mut slot = self.connection.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let conn = self.open_connection().await?;
        let signer = self.last_signer(&conn);
        conn.auth.restore(&self.secrets, signer).await;
        self.resume_routes(&conn);
        *slot = Some(conn.clone());
        Ok(conn)
    }

    /// Follows again the routes approved on this network that had not arrived when the app
    /// last ran (each for its account, if signed in).
    fn resume_routes(&self, conn: &Connection) {
        // The device's clock is close enough to IBEx's for a bound of a day.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let accounts = conn.auth.every_account();
        crate::route::flight::resume(&self.events, &conn.flights, &accounts, now, |s| {
            conn.ops.signals(s)
        });
    }

    /// Leaves the current network: its connection is parked while accounts are signed in on
    /// it, dropped otherwise. `reopen`: the network the user is going to, whose parked
    /// connection (if any) is dropped too, so that it opens anew with what the user entered.
    pub(crate) async fn leave_network(&self, reopen: Option<&NetworkSetting>) {
        let left = self.connection.lock().await.take();
        let mut parked = crate::sync::lock(&self.parked);
        if let Some(next) = reopen {
            parked.retain(|c| &c.setting != next);
        }
        if let Some(conn) = left.filter(|c| c.auth.has_accounts()) {
            parked.retain(|c| c.setting != conn.setting);
            parked.push(conn);
        }
    }

    /// Every connection with accounts: the current one first, then the parked ones.
    pub(crate) async fn every_connection(&self) -> Vec<Arc<Connection>> {
        let mut all: Vec<Arc<Connection>> = self.connection().await.ok().into_iter().collect();
        all.extend(crate::sync::lock(&self.parked).iter().cloned());
        all
    }

    /// Makes the parked `target` the current network again (the account switcher), parking
    /// the one left.
    pub(crate) async fn enter_network(&self, target: Arc<Connection>) -> Result<(), AppError> {
        let left = self.connection.lock().await.replace(target.clone());
        {
            let mut parked = crate::sync::lock(&self.parked);
            parked.retain(|c| !Arc::ptr_eq(c, &target));
            if let Some(conn) = left.filter(|c| c.auth.has_accounts()) {
                parked.push(conn);
            }
        }
        // Read again from the keychain if the connection is ever reopened.
        *write(&self.api_key) = None;
        let setting = target.setting.clone();
        self.update(|s| s.network = setting).map(drop)
    }

    async fn open_connection(&self) -> Result<Arc<Connection>, AppError> {
        let network = read(&self.settings).network.clone();
        // Bound first: the read guard must be gone before `saved_api_key` writes the lock.
        let known = read(&self.api_key).clone();
        let api_key = match (&network, known) {
            (
                NetworkSetting::Custom {
                    base_url,
                    rp_id,
                    has_api_key: true,
                },
                None,
            ) => self.saved_api_key(base_url, rp_id).await,
            (_, key) => key,
        };
        Ok(Arc::new(
            Connection::open(
                &network,
                api_key,
                self.events.clone(),
                self.sandbox_state.as_deref(),
                self.locale.clone(),
                self.store.clone(),
                self.resume_backoff,
            )
            .await?,
        ))
    }
}

impl Core {
    /// The tenant API key from the keychain (after a restart). When it is not there, Settings
    /// stop saying that one is saved.
    async fn saved_api_key(&self, base_url: &str, rp_id: &str) -> Option<String> {
        let secrets = self.secrets.clone();
        match load_item(secrets, SecretItem::ApiKey, base_url, rp_id).await {
            Some(key) => {
                let key = key.expose().to_owned();
                *write(&self.api_key) = Some(key.clone());
                Some(key)
            }
            None => {
                tracing::warn!("the saved API key is not in the keychain any more");
                let forget = |s: &mut crate::Settings| {
                    if let NetworkSetting::Custom { has_api_key, .. } = &mut s.network {
                        *has_api_key = false;
                    }
                };
                if let Err(e) = self.update(forget) {
                    tracing::warn!(error = %e.message, "settings not updated");
                }
                None
            }
        }
    }
}

/// Settings-store key of a per-network fact (the PIN account's `externalUserId`, the last
/// signer kind; none of them secret).
pub(crate) fn network_key(what: &str, conn: &Connection) -> String {
    let config = conn.client.config();
    format!("{what}|{}@{}", config.rp_id, conn.identity)
}
