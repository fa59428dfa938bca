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
use crate::passkey::NativeBackend;
use crate::recovery::RecoveryWatch;
use crate::secrets::SecretStores;
use crate::settings::Settings;
use crate::store::KvStore;
use crate::sync::read;

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
    /// Opened on first use and replaced when the network setting changes.
    pub(crate) connection: Mutex<Option<Arc<Connection>>>,
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
        let events: Arc<dyn EventSink> = Arc::new(crate::notify::OutcomeAlerts {
            inner: events,
            notifier: notifier.clone(),
            focused: focused.clone(),
            locale: locale.clone(),
        });
        Self {
            store,
            events,
            secrets,
            cache,
            natives: crate::passkey::native_backends(
                crate::passkey::handoff::DEFAULT_TIMEOUT,
                locale.clone(),
            ),
            settings: RwLock::new(settings),
            api_key: RwLock::new(None),
            connection: Mutex::new(None),
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
        self.natives = crate::passkey::native_backends(timeout, self.locale.clone());
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
                self.locale.clone(),
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
