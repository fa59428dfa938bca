//! The connection to the chosen IBEx: a client, and the embedded sandbox when that is the choice.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::error::AppError;
use crate::events::EventSink;
use crate::i18n::{CurrentLocale, Locale};
use crate::messages::Msg;
use crate::operations::Operations;
use crate::session::auth::AuthState;
use crate::session::ResumeBackoff;
use crate::settings::NetworkSetting;
use crate::store::KvStore;

/// The embedded sandbox serves this rpId, so browser passkeys work from `http://localhost`.
pub const SANDBOX_RP_ID: &str = "localhost";
/// The embedded sandbox's identity: its port changes every run, its accounts (persisted) don't.
#[cfg(feature = "sandbox")]
const SANDBOX_IDENTITY: &str = "embedded-sandbox";

/// What the first screen shows about the connection.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkStatus {
    /// "Local sandbox" or the tenant's host name.
    pub label: String,
    pub base_url: String,
    pub rp_id: String,
    /// `status` from `GET /health` (e.g. "ok").
    pub server_status: String,
    /// `timestamp` from `GET /health`, as the server wrote it.
    pub server_time: String,
    /// Round trip of the health call, in milliseconds.
    pub latency_ms: u32,
}

/// A live connection: the client, its sign-in state and, for the sandbox, the server it talks
/// to. Changing network drops it, and with it the session (whose refresh token stays filed
/// under that network for when the user switches back).
pub(crate) struct Connection {
    /// The network setting it was opened for.
    pub setting: NetworkSetting,
    pub client: ibex::Client,
    /// What per-network facts (keychain item, remembered signer) are filed under: the base URL
    /// of a tenant, a fixed name for the embedded sandbox.
    pub identity: String,
    pub auth: Arc<AuthState>,
    pub ops: Operations,
    /// The swap quotes shown to the user, which a swap review is built from.
    pub swaps: crate::swap::QuoteBook,
    /// Payee checks and mandates being signed (banking).
    pub bank: crate::banking::BankState,
    /// The route quotes shown to the user, which a route review is built from.
    pub routes: crate::route::RouteBook,
    /// The routes approved on this network, followed to their arrival.
    pub flights: Arc<crate::route::flight::Flights>,
    /// A new Safe owner's passkey registration in progress.
    pub owners: crate::owners::NewOwners,
    /// An e-mail sign-up, sign-in or confirmation waiting for its code or passphrase.
    pub email: crate::email::EmailFlows,
    /// An EOA sign-in message waiting for another wallet's signature.
    pub eoa: crate::eoa::EoaFlows,
    /// The tenant's host name; `None` for the embedded sandbox (named in the user's language).
    label: Option<String>,
    #[cfg(feature = "sandbox")]
    _sandbox: Option<ibex_sandbox::Sandbox>,
}

impl Connection {
    /// `sandbox_state`: where the embedded sandbox keeps its accounts across restarts;
    /// `resume`: how a session not resumed at start is tried again.
    pub async fn open(
        setting: &NetworkSetting,
        api_key: Option<String>,
        events: Arc<dyn EventSink>,
        sandbox_state: Option<&Path>,
        locale: Arc<CurrentLocale>,
        store: Arc<dyn KvStore>,
        resume: ResumeBackoff,
    ) -> Result<Self, AppError> {
        match setting {
            NetworkSetting::Sandbox => {
                Self::sandbox(events, sandbox_state, locale, store, resume).await
            }
            NetworkSetting::Custom {
                base_url, rp_id, ..
            } => {
                let mut config = ibex::Config::new(base_url, rp_id.clone())?;
                config.api_key = api_key;
                let label = Some(config.base_url.host_str().unwrap_or("IBEx").to_owned());
                let client = ibex::Client::new(config)?;
                let identity = client.config().base_url.to_string();
                Ok(Self {
                    setting: setting.clone(),
                    flights: crate::route::flight::Flights::new(
                        store.clone(),
                        &client.config().rp_id,
                        &identity,
                    ),
                    auth: AuthState::new(
                        client.clone(),
                        identity.clone(),
                        events.clone(),
                        locale,
                        store,
                        resume,
                    ),
                    identity,
                    ops: Operations::new(events),
                    swaps: crate::swap::QuoteBook::default(),
                    bank: crate::banking::BankState::default(),
                    routes: crate::route::RouteBook::default(),
                    owners: crate::owners::NewOwners::default(),
                    email: Default::default(),
                    eoa: Default::default(),
                    client,
                    label,
                    #[cfg(feature = "sandbox")]
                    _sandbox: None,
                })
            }
        }
    }

    #[cfg(feature = "sandbox")]
    async fn sandbox(
        events: Arc<dyn EventSink>,
        state_file: Option<&Path>,
        locale: Arc<CurrentLocale>,
        store: Arc<dyn KvStore>,
        resume: ResumeBackoff,
    ) -> Result<Self, AppError> {
        let config = ibex_sandbox::SandboxConfig {
            state_file: state_file.map(Path::to_path_buf),
            ..ibex_sandbox::SandboxConfig::default()
        };
        let sandbox = ibex_sandbox::Sandbox::start(config).await.map_err(|e| {
            AppError::internal(Msg::SandboxStartFailed {
                error: e.to_string(),
            })
        })?;
        let config = ibex::Config::new(&sandbox.base_url(), SANDBOX_RP_ID)?;
        let client = ibex::Client::new(config)?;
        Ok(Self {
            setting: NetworkSetting::Sandbox,
            flights: crate::route::flight::Flights::new(
                store.clone(),
                SANDBOX_RP_ID,
                SANDBOX_IDENTITY,
            ),
            auth: AuthState::new(
                client.clone(),
                SANDBOX_IDENTITY.to_owned(),
                events.clone(),
                locale,
                store,
                resume,
            ),
            identity: SANDBOX_IDENTITY.to_owned(),
            ops: Operations::new(events),
            swaps: crate::swap::QuoteBook::default(),
            bank: crate::banking::BankState::default(),
            routes: crate::route::RouteBook::default(),
            owners: crate::owners::NewOwners::default(),
            email: Default::default(),
            eoa: Default::default(),
            client,
            label: None,
            _sandbox: Some(sandbox),
        })
    }

    #[cfg(not(feature = "sandbox"))]
    async fn sandbox(
        _events: Arc<dyn EventSink>,
        _state_file: Option<&Path>,
        _locale: Arc<CurrentLocale>,
        _store: Arc<dyn KvStore>,
        _resume: ResumeBackoff,
    ) -> Result<Self, AppError> {
        Err(AppError::validation(Msg::NoEmbeddedSandbox))
    }

    /// "Local sandbox" or the tenant's host name.
    pub fn name(&self, locale: Locale) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| Msg::LocalSandbox.render(locale))
    }

    pub async fn status(&self, locale: Locale) -> Result<NetworkStatus, AppError> {
        let started = Instant::now();
        let health = self.client.health().await?;
        let config = self.client.config();
        Ok(NetworkStatus {
            label: self.name(locale),
            base_url: config.base_url.as_str().trim_end_matches('/').to_owned(),
            rp_id: config.rp_id.clone(),
            server_status: health.status,
            server_time: health.timestamp,
            latency_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        })
    }
}

/// The network command.
impl crate::Core {
    pub async fn network_status(&self) -> Result<NetworkStatus, AppError> {
        self.connection().await?.status(self.locale()).await
    }
}
