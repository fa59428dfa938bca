//! HTTP plumbing: configuration, headers, retries, error classification, decoding.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::exact_json::quote_inexact_numbers;
use crate::models::{ChainId, Health};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::{ApiError, Error};

/// Where and how to reach an IBEx deployment.
#[derive(Clone)]
pub struct Config {
    /// e.g. `https://passkeys-productionv2.ibex.fi` or a sandbox's `http://127.0.0.1:PORT`.
    pub base_url: Url,
    /// The tenant's WebAuthn rpId, sent as `X-RpId` (and `?rpId=` on auth calls).
    pub rp_id: String,
    /// Tenant API key for domains that require it (`x-api-key`).
    pub api_key: Option<String>,
    /// Default chain, sent as `X-Blockchain-Id` unless a call names another.
    pub chain_id: Option<ChainId>,
    pub timeout: Duration,
    pub user_agent: String,
    pub retry: RetryPolicy,
    /// Largest response body read; a bigger one is [`Error::Refused`], not an allocation.
    pub max_response_bytes: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url.as_str())
            .field("rp_id", &self.rp_id)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("chain_id", &self.chain_id)
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
            chain_id: None,
            timeout: Duration::from_secs(30),
            user_agent: concat!("ibex-wallet/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            max_response_bytes: 16 << 20,
        })
    }
}

/// Which documented retry rules apply to a call, besides transient-failure backoff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    /// A plain call; a 204 where a body is expected is [`Error::NotReady`].
    Body,
    /// `GET /users/me/address`: 204 = wallet not ready → retry every few seconds.
    NotReadyRetry,
    /// Balances/transactions/pools: 404 = not indexed → wait, retry once.
    Indexed,
}

/// One HTTP call, reusable for retries and the post-refresh replay. No `Debug`: the body may
/// hold a refresh token.
#[derive(Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    pub chain: Option<ChainId>,
    /// Auth endpoints also carry `?rpId=`.
    pub rp_query: bool,
    pub expect: Expect,
}

impl Drop for Request {
    /// Bodies may carry a refresh token or an OTP: wipe our copy once the call is done.
    fn drop(&mut self) {
        if let Some(body) = &mut self.body {
            zeroize::Zeroize::zeroize(body);
        }
    }
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            chain: None,
            rp_query: false,
            expect: Expect::Body,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    pub fn json<B: Serialize>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Invalid(format!("cannot serialise request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    pub fn query_opt<T: ToString>(self, key: &'static str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    pub fn chain(mut self, chain: Option<ChainId>) -> Self {
        self.chain = chain;
        self
    }

    pub fn auth_endpoint(mut self) -> Self {
        self.rp_query = true;
        self
    }

    pub fn expect(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }

    /// `METHOD /path`, for error messages.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn idempotent(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD)
    }
}

/// A successful answer: status (2xx) and body (which may hold tokens, hence no `Debug`).
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// Makes ring the process's rustls crypto provider. reqwest is built without a provider of its
/// own (one TLS stack in the app: the updater's reqwest, ours and the WebSocket all use ring),
/// so every reqwest client, the tests' bare ones included, is built after this. Idempotent.
pub fn install_crypto_provider() {
    // Already installed (by an earlier call): fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A cheap-to-clone handle for calling IBEx.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
}

impl Client {
    pub fn new(config: Config) -> Result<Self, Error> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            // A redirect would resend the bearer, a refresh token in the body (307/308) or the
            // tenant's x-api-key to wherever it points, even from https to http. IBEx
            // documents none, so one is an answer to refuse, not to follow.
            .redirect(reqwest::redirect::Policy::none())
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
        self.call(&Request::get("/health"), None).await
    }

    /// Sends `req` (with `bearer` when given), applying the retry rules, and decodes a body.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        req: &Request,
        bearer: Option<&str>,
    ) -> Result<T, Error> {
        let answer = self.execute(req, bearer).await?;
        if answer.status == StatusCode::NO_CONTENT {
            return Err(Error::NotReady {
                endpoint: req.endpoint(),
            });
        }
        decode(&answer.body, &req.endpoint())
    }

    /// Like [`Client::call`] for endpoints where `204 No Content` means "nothing".
    pub(crate) async fn call_optional<T: DeserializeOwned>(
        &self,
        req: &Request,
        bearer: Option<&str>,
    ) -> Result<Option<T>, Error> {
        let answer = self.execute(req, bearer).await?;
        if answer.status == StatusCode::NO_CONTENT || answer.body.is_empty() {
            return Ok(None);
        }
        decode(&answer.body, &req.endpoint()).map(Some)
    }

    /// Sends with the documented retries; returns a 2xx answer or the classified error.
    pub(crate) async fn execute(
        &self,
        req: &Request,
        bearer: Option<&str>,
    ) -> Result<Answer, Error> {
        let policy = &self.config.retry;
        let (mut not_ready, mut not_indexed, mut limited, mut transient) = (0, 0, 0, 0);
        loop {
            let outcome = self.send_once(req, bearer).await;
            let delay = match &outcome {
                Ok(a)
                    if a.status == StatusCode::NO_CONTENT
                        && req.expect == Expect::NotReadyRetry
                        && not_ready < policy.not_ready_attempts =>
                {
                    not_ready += 1;
                    policy.not_ready_delay
                }
                Err(Error::NotIndexed { .. }) if not_indexed < 1 => {
                    not_indexed += 1;
                    policy.not_indexed_delay
                }
                Err(Error::RateLimited { retry_after, .. })
                    if req.idempotent()
                        && limited < policy.rate_limit_retries
                        && retry_after.is_none_or(|d| d <= policy.max_retry_after) =>
                {
                    limited += 1;
                    retry_after.unwrap_or(policy.rate_limit_default)
                }
                // A connection that never opened sent nothing, so even a POST may go again;
                // anything else is retried only for idempotent reads.
                Err(e @ Error::Transport(t))
                    if transient < policy.transient_attempts
                        && (t.is_connect() || (req.idempotent() && e.is_transient())) =>
                {
                    transient += 1;
                    policy.backoff(transient - 1)
                }
                Err(e @ Error::Status { .. })
                    if req.idempotent()
                        && e.is_transient()
                        && transient < policy.transient_attempts =>
                {
                    transient += 1;
                    policy.backoff(transient - 1)
                }
                _ => {
                    return match outcome {
                        Ok(a)
                            if a.status == StatusCode::NO_CONTENT
                                && req.expect == Expect::NotReadyRetry =>
                        {
                            Err(Error::NotReady {
                                endpoint: req.endpoint(),
                            })
                        }
                        other => other,
                    };
                }
            };
            tracing::debug!(endpoint = %req.endpoint(), ?delay, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn send_once(&self, req: &Request, bearer: Option<&str>) -> Result<Answer, Error> {
        let mut resp = self
            .build(req, bearer)?
            .send()
            .await
            .map_err(Error::Transport)?;
        let status = resp.status();
        if status.is_redirection() {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("nowhere");
            return Err(Error::Refused {
                endpoint: req.endpoint(),
                reason: format!("a redirect ({status}) to {to}; API calls never follow redirects"),
            });
        }
        // Only a 429 needs a header (Retry-After); keep the rest of the answer as bytes.
        let headers = (status == StatusCode::TOO_MANY_REQUESTS).then(|| resp.headers().clone());
        let limit = self.config.max_response_bytes;
        let too_large = || Error::Refused {
            endpoint: req.endpoint(),
            reason: format!("the answer is larger than {} KiB", limit / 1024),
        };
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Error::Transport)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return Ok(Answer { status, body });
        }
        Err(classify(status, &headers.unwrap_or_default(), body, req))
    }

    /// The HTTP request for `req`: rpId header (and query on auth calls), API key, chain,
    /// bearer, JSON body.
    fn build(&self, req: &Request, bearer: Option<&str>) -> Result<reqwest::RequestBuilder, Error> {
        let mut url = self.url(&req.path)?;
        if req.rp_query || !req.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            if req.rp_query {
                pairs.append_pair("rpId", &self.config.rp_id);
            }
            for (k, v) in &req.query {
                pairs.append_pair(k, v);
            }
        }
        let mut builder = self
            .http
            .request(req.method.clone(), url)
            .header("X-RpId", &self.config.rp_id);
        if let Some(key) = &self.config.api_key {
            builder = builder.header("x-api-key", key);
        }
        if let Some(chain) = req.chain.or(self.config.chain_id) {
            builder = builder.header("X-Blockchain-Id", chain.to_string());
        }
        if let Some(token) = bearer {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        Ok(builder)
    }
}

/// Maps a non-2xx answer to the error the caller can act on; the body is parsed here, once.
fn classify(status: StatusCode, headers: &HeaderMap, body: Vec<u8>, req: &Request) -> Error {
    let error = ApiError::parse(&body);
    match status.as_u16() {
        s @ (401 | 403) => Error::Unauthorized { status: s, error },
        404 if req.expect == Expect::Indexed => Error::NotIndexed {
            endpoint: req.endpoint(),
        },
        429 => Error::RateLimited {
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after),
            error,
        },
        s @ (409 | 410 | 422) => Error::Conflict { status: s, error },
        s => Error::Status { status: s, error },
    }
}

/// Reads a JSON body into `T`, naming the JSON path on a shape mismatch.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], endpoint: &str) -> Result<T, Error> {
    crate::exact_json::from_slice_with_path(&quote_inexact_numbers(bytes)).map_err(|m| {
        Error::Decode {
            endpoint: endpoint.to_owned(),
            path: m.path,
            message: m.message,
        }
    })
}

/// A JSON text (a WebSocket frame) into `T` with numbers kept exact, like [`decode`].
pub(crate) fn decode_exact<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(&quote_inexact_numbers(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_the_tenant_chain_and_credentials() {
        let mut config = Config::new("https://api.example/", "foo.domain").unwrap();
        config.api_key = Some("k".into());
        config.chain_id = Some(ChainId(100));
        let client = Client::new(config).unwrap();
        let auth = Request::get("/v1.2/auth/sign-in")
            .auth_endpoint()
            .query("wallet", "passkeys");
        let built = client.build(&auth, None).unwrap().build().unwrap();
        assert_eq!(
            built.url().as_str(),
            "https://api.example/v1.2/auth/sign-in?rpId=foo.domain&wallet=passkeys"
        );
        assert_eq!(built.headers()["X-RpId"], "foo.domain");
        assert_eq!(built.headers()["x-api-key"], "k");
        assert_eq!(built.headers()["X-Blockchain-Id"], "100");
        assert!(built.headers().get("authorization").is_none());

        let read = Request::get("/v1.2/users/me/balances").chain(Some(ChainId(8453)));
        let built = client.build(&read, Some("tok")).unwrap().build().unwrap();
        assert_eq!(built.url().query(), None);
        assert_eq!(built.headers()["X-Blockchain-Id"], "8453");
        assert_eq!(built.headers()["authorization"], "Bearer tok");
    }

    #[test]
    fn statuses_map_to_actionable_errors() {
        let indexed = Request::get("/v1.2/users/me/pools").expect(Expect::Indexed);
        let plain = Request::get("/v1.2/users/me");
        let mut retry_after = HeaderMap::new();
        retry_after.insert(RETRY_AFTER, "7".parse().unwrap());
        let none = HeaderMap::new();
        let classify_as = |code: u16, headers: &HeaderMap, req: &Request, body: &str| {
            classify(
                StatusCode::from_u16(code).unwrap(),
                headers,
                body.as_bytes().to_vec(),
                req,
            )
        };
        assert!(matches!(
            classify_as(401, &none, &plain, ""),
            Error::Unauthorized { .. }
        ));
        assert!(matches!(
            classify_as(404, &none, &indexed, ""),
            Error::NotIndexed { .. }
        ));
        assert!(matches!(
            classify_as(404, &none, &plain, ""),
            Error::Status { status: 404, .. }
        ));
        assert!(matches!(
            classify_as(429, &retry_after, &plain, ""),
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(7)
        ));
        assert!(matches!(
            classify_as(409, &none, &plain, r#"{"code":"STALE_NONCE"}"#),
            Error::Conflict { status: 409, error } if error.code.as_deref() == Some("STALE_NONCE")
        ));
        assert!(matches!(
            classify_as(410, &none, &plain, ""),
            Error::Conflict { status: 410, .. }
        ));
        assert!(matches!(
            classify_as(422, &none, &plain, ""),
            Error::Conflict { status: 422, .. }
        ));
        assert!(classify_as(503, &none, &plain, "").is_transient());
    }

    #[test]
    fn a_shape_mismatch_names_its_json_path() {
        let body = br#"{"count":1,"signers":[{"id":"a","type":"PASSKEY","safesCount":"two"}]}"#;
        match decode::<crate::models::account::SignerList>(body, "GET /v1.2/users/me/signers") {
            Err(Error::Decode { path, endpoint, .. }) => {
                assert_eq!(path, "signers[0].safesCount");
                assert_eq!(endpoint, "GET /v1.2/users/me/signers");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }
}
