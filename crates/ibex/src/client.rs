//! HTTP plumbing: configuration, headers, decoding.

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::models::Health;
use crate::Error;

/// Where and how to reach an IBEx deployment.
#[derive(Clone)]
pub struct Config {
    /// e.g. `https://passkeys-productionv2.ibex.fi` or a sandbox's `http://127.0.0.1:PORT`.
    pub base_url: Url,
    /// The tenant's WebAuthn rpId, sent as `X-RpId` (and `?rpId=` on auth calls).
    pub rp_id: String,
    /// Tenant API key for domains that require it (`x-api-key`).
    pub api_key: Option<String>,
    pub timeout: Duration,
    pub user_agent: String,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url.as_str())
            .field("rp_id", &self.rp_id)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Config {
    pub fn new(base_url: &str, rp_id: impl Into<String>) -> Result<Self, Error> {
        let base_url = Url::parse(base_url)
            .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL `{base_url}` must be http or https"
            )));
        }
        Ok(Self {
            base_url,
            rp_id: rp_id.into(),
            api_key: None,
            timeout: Duration::from_secs(30),
            user_agent: concat!("ibex-wallet/", env!("CARGO_PKG_VERSION")).to_owned(),
        })
    }
}

/// A cheap-to-clone handle for calling IBEx.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
}

impl Client {
    pub fn new(config: Config) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(Error::Transport)?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.config
            .base_url
            .join(path)
            .map_err(|e| Error::Config(format!("path `{path}`: {e}")))
    }

    /// `GET /health`: public liveness probe.
    pub async fn health(&self) -> Result<Health, Error> {
        let url = self.url("/health")?;
        let resp = self
            .http
            .get(url)
            .header("X-RpId", &self.config.rp_id)
            .send()
            .await
            .map_err(Error::Transport)?;
        decode(resp, "GET /health").await
    }
}

/// Reads a 2xx JSON body into `T`, naming the JSON path on a shape mismatch.
async fn decode<T: DeserializeOwned>(resp: reqwest::Response, endpoint: &str) -> Result<T, Error> {
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(Error::Transport)?;
    if !status.is_success() {
        return Err(Error::Status {
            status: status.as_u16(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| Error::Decode {
        endpoint: endpoint.to_owned(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}
