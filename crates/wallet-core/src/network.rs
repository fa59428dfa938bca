//! The connection to the chosen IBEx: a client, and the embedded sandbox when that is the choice.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::auth::AuthState;
use crate::error::AppError;
use crate::events::EventSink;
use crate::send::Operations;
use crate::settings::NetworkSetting;

/// The embedded sandbox serves this rpId, so browser passkeys work from `http://localhost`.
pub const SANDBOX_RP_ID: &str = "localhost";

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
    pub client: ibex::Client,
    pub auth: Arc<AuthState>,
    pub ops: Operations,
    label: String,
    #[cfg(feature = "sandbox")]
    _sandbox: Option<ibex_sandbox::Sandbox>,
}

impl Connection {
    pub async fn open(
        setting: &NetworkSetting,
        api_key: Option<String>,
        events: Arc<dyn EventSink>,
    ) -> Result<Self, AppError> {
        match setting {
            NetworkSetting::Sandbox => Self::sandbox(events).await,
            NetworkSetting::Custom {
                base_url, rp_id, ..
            } => {
                let mut config = ibex::Config::new(base_url, rp_id.clone())?;
                config.api_key = api_key;
                let label = config.base_url.host_str().unwrap_or("IBEx").to_owned();
                let client = ibex::Client::new(config)?;
                Ok(Self {
                    auth: AuthState::new(client.clone(), events.clone()),
                    ops: Operations::new(events),
                    client,
                    label,
                    #[cfg(feature = "sandbox")]
                    _sandbox: None,
                })
            }
        }
    }

    #[cfg(feature = "sandbox")]
    async fn sandbox(events: Arc<dyn EventSink>) -> Result<Self, AppError> {
        let sandbox = ibex_sandbox::Sandbox::start(ibex_sandbox::SandboxConfig::default())
            .await
            .map_err(|e| AppError::internal(format!("cannot start the local sandbox: {e}")))?;
        let config = ibex::Config::new(&sandbox.base_url(), SANDBOX_RP_ID)?;
        let client = ibex::Client::new(config)?;
        Ok(Self {
            auth: AuthState::new(client.clone(), events.clone()),
            ops: Operations::new(events),
            client,
            label: "Local sandbox".to_owned(),
            _sandbox: Some(sandbox),
        })
    }

    #[cfg(not(feature = "sandbox"))]
    async fn sandbox(_events: Arc<dyn EventSink>) -> Result<Self, AppError> {
        Err(AppError::validation(
            "This build has no embedded sandbox; choose an IBEx server in Settings.",
        ))
    }

    pub async fn status(&self) -> Result<NetworkStatus, AppError> {
        let started = Instant::now();
        let health = self.client.health().await?;
        let config = self.client.config();
        Ok(NetworkStatus {
            label: self.label.clone(),
            base_url: config.base_url.as_str().trim_end_matches('/').to_owned(),
            rp_id: config.rp_id.clone(),
            server_status: health.status,
            server_time: health.timestamp,
            latency_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        })
    }
}
