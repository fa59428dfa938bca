//! Shared helpers: a sandbox per test, a JSON client that speaks as a tenant on `localhost`, and
//! the passkey ceremonies run with `passkey-soft`.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};

use ibex_sandbox::{Sandbox, SandboxConfig};
use passkey_soft::Authenticator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const ORIGIN: &str = "http://localhost:5173";

pub struct Harness {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

pub async fn start() -> Harness {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Harness {
    Harness {
        sandbox: Sandbox::start(config).await.expect("sandbox starts"),
        http: {
            // reqwest has no crypto provider of its own (the workspace's one TLS stack is ring).
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        },
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// A request with the tenant header and an optional bearer token; returns status and JSON
    /// (`null` for an empty body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("X-RpId", "localhost");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).expect("JSON body")
            },
        )
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn advance(&self, seconds: i64) {
        let (status, _) = self
            .post(
                "/__sandbox/clock/advance",
                None,
                json!({ "seconds": seconds }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }

    /// Passkey sign-up with a fresh authenticator; returns it and the auth response.
    pub async fn passkey_sign_up(&self) -> (Authenticator, Value) {
        let authenticator = Authenticator::new();
        let (status, options) = self
            .get("/v1.2/auth/sign-up?wallet=passkeys&rpId=localhost", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{options}");
        let credential = authenticator.create(&options, ORIGIN).expect("create");
        let (status, body) = self
            .post(
                "/v1.2/auth/sign-up",
                None,
                json!({ "credential": credential }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (authenticator, body)
    }

    /// A signed-in passkey user whose Safe is visible on every chain.
    pub async fn passkey_user(&self) -> (Authenticator, Value) {
        let (authenticator, body) = self.passkey_sign_up().await;
        self.advance(5).await;
        (authenticator, body)
    }

    /// Prepares operations on the user's Safe on `chain` and signs them; returns the userOpHash.
    pub async fn run_operation(
        &self,
        authenticator: &Authenticator,
        token: &str,
        safe: &str,
        chain: u64,
        operations: Value,
    ) -> String {
        let (status, prepared) = self
            .post(
                "/v1.2/safes/operations",
                Some(token),
                json!({ "safeAddress": safe, "chainId": chain, "operations": operations }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{prepared}");
        let assertion = authenticator.get(&prepared, ORIGIN).expect("assertion");
        let (status, executed) = self
            .put(
                "/v1.2/safes/operations",
                Some(token),
                json!({ "credential": assertion }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{executed}");
        executed["userOpHash"].as_str().unwrap().to_owned()
    }
}

pub fn token(auth: &Value) -> String {
    auth["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The Safe address an auth response gives for `chain`.
pub fn safe_on(auth: &Value, chain: u64) -> String {
    auth["safeAddress"][chain.to_string()]
        .as_str()
        .expect("safeAddress for the chain")
        .to_owned()
}

pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/examples")
}

pub fn example(name: &str) -> Value {
    let path = examples_dir().join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("fixture is JSON")
}

/// Every member the documented example has, `actual` has too, with the same JSON type
/// (recursively; arrays by their first element; `null` and `"..."` placeholders match
/// anything). Object keys that are data (chain ids, addresses) are skipped by `data_keys`.
pub fn assert_shape(actual: &Value, example: &Value, path: &str) {
    match (example, actual) {
        (Value::Null, _) => {}
        (Value::String(s), _) if s == "..." => {}
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                if key == "..." {
                    continue;
                }
                if is_data_key(key) {
                    if let Some(first) = a.values().next() {
                        assert_shape(first, value, &format!("{path}.<{key}>"));
                    }
                    continue;
                }
                let actual = a
                    .get(key)
                    .unwrap_or_else(|| panic!("{path}.{key} missing in {actual}"));
                assert_shape(actual, value, &format!("{path}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e), Some(a)) = (e.first(), a.first()) {
                assert_shape(a, e, &format!("{path}[0]"));
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        _ => panic!("{path}: expected the type of {example}, got {actual}"),
    }
}

/// Keys that are values in the documentation's maps: chain ids and addresses.
fn is_data_key(key: &str) -> bool {
    key.chars().all(|c| c.is_ascii_digit()) || key.starts_with("0x")
}

/// Base units of a decimal string with `decimals` decimals.
pub fn units(text: &str, decimals: u32) -> u128 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    whole.parse::<u128>().unwrap() * 10u128.pow(decimals) + padded.parse::<u128>().unwrap_or(0)
}

impl Harness {
    /// Credits `amount` of `token` to the Safe on `chain` (`POST /__sandbox/ledger/transfers`).
    pub async fn deposit(&self, safe: &str, chain: u64, token: &str, amount: &str) {
        let (status, body) = self
            .post(
                "/__sandbox/ledger/transfers",
                None,
                json!({ "safeAddress": safe, "chainId": chain, "tokenAddress": token, "amount": amount }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}
