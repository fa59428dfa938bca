//! A sandbox per test, its `/__sandbox` control API, and clients configured for fast retries.

use std::sync::Arc;

use ibex::models::auth::AuthSession;
use ibex::{Client, Config, MemoryStore, RetryPolicy, SecretStore, Session, SessionConfig};
use ibex_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// The page origin the software authenticator claims (accepted for rpId `localhost`).
pub const ORIGIN: &str = "http://localhost:3000";

pub struct Harness {
    /// Held for the test's duration: dropping it stops the server.
    _sandbox: Sandbox,
    pub base: String,
    http: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    pub async fn with(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        let base = sandbox.base_url();
        Self {
            _sandbox: sandbox,
            base,
            http: {
                ibex::install_crypto_provider();
                reqwest::Client::new()
            },
        }
    }

    pub fn client(&self) -> Client {
        let mut config = Config::new(&self.base, "localhost").unwrap();
        config.retry = RetryPolicy {
            not_ready_delay: std::time::Duration::from_millis(100),
            ..RetryPolicy::fast()
        };
        Client::new(config).unwrap()
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("control call");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    /// `GET /__sandbox/counters`.
    pub async fn counters(&self) -> Value {
        self.control(reqwest::Method::GET, "/__sandbox/counters", None)
            .await
    }

    pub async fn refreshes(&self) -> u64 {
        self.counters().await["refresh"].as_u64().unwrap_or(0)
    }

    pub async fn route_hits(&self, route: &str) -> u64 {
        self.counters().await["routes"][route].as_u64().unwrap_or(0)
    }

    pub async fn advance(&self, seconds: u64) {
        self.control(
            reqwest::Method::POST,
            "/__sandbox/clock/advance",
            Some(json!({ "seconds": seconds })),
        )
        .await;
    }

    pub async fn faults(&self, faults: Value) {
        self.control(reqwest::Method::POST, "/__sandbox/faults", Some(faults))
            .await;
    }

    pub async fn clear_faults(&self) {
        self.control(reqwest::Method::DELETE, "/__sandbox/faults", None)
            .await;
    }

    pub async fn mailbox(&self, email: &str) -> String {
        let v = self
            .control(
                reqwest::Method::GET,
                &format!("/__sandbox/mailbox/{email}"),
                None,
            )
            .await;
        v["code"].as_str().expect("a code was mailed").to_owned()
    }

    pub async fn start_recovery(&self, safe: &str) -> Value {
        self.control(
            reqwest::Method::POST,
            "/__sandbox/recovery/start",
            Some(json!({ "safeAddress": safe })),
        )
        .await
    }

    /// A fresh signed-in user with a Safe (`POST /__sandbox/session`), as an auth response.
    pub async fn signed_in(&self) -> AuthSession {
        let v = self
            .control(reqwest::Method::POST, "/__sandbox/session", Some(json!({})))
            .await;
        serde_json::from_value(v).expect("the sandbox session is an auth response")
    }

    /// A [`Session`] for a fresh user, with its store.
    pub async fn session(&self) -> (Session, Arc<MemoryStore>, AuthSession) {
        let auth = self.signed_in().await;
        let store = Arc::new(MemoryStore::new());
        let session = Session::start(
            self.client(),
            store.clone() as Arc<dyn SecretStore>,
            &auth.tokens,
            SessionConfig::default(),
        )
        .await
        .unwrap();
        (session, store, auth)
    }
}
