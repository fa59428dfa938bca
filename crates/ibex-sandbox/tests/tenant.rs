//! What IBEx accepts from real authenticators, in tenant mode (`--rp-id`, origin
//! `https://<rpId>`): a counter that stops counting, a rewritten userHandle.

mod common;

use common::start_with;
use ibex_sandbox::SandboxConfig;
use passkey_soft::Authenticator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const RP_ID: &str = "wallet.example.test";
const TENANT_ORIGIN: &str = "https://wallet.example.test";

struct Tenant {
    h: common::Harness,
}

impl Tenant {
    async fn start() -> Self {
        let h = start_with(SandboxConfig {
            rp_id: RP_ID.into(),
            ..SandboxConfig::default()
        })
        .await;
        Self { h }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .h
            .http
            .request(method, self.h.url(path))
            .header("X-RpId", RP_ID);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn sign_in(
        &self,
        authenticator: &Authenticator,
        edit: impl FnOnce(&mut Value),
    ) -> (StatusCode, Value) {
        let (status, options) = self.call(Method::GET, "/v1.2/auth/sign-in", None).await;
        assert_eq!(status, StatusCode::OK, "{options}");
        assert_eq!(options["credentialRequestOptions"]["rpId"], RP_ID);
        let mut credential = authenticator.get(&options, TENANT_ORIGIN).unwrap();
        edit(&mut credential);
        self.call(
            Method::POST,
            "/v1.2/auth/sign-in",
            Some(json!({ "credential": credential })),
        )
        .await
    }

    async fn warnings(&self) -> u64 {
        let (_, counters) = self.call(Method::GET, "/__sandbox/counters", None).await;
        counters["signCountWarnings"].as_u64().unwrap()
    }
}

async fn signed_up(t: &Tenant) -> Authenticator {
    let (status, options) = t
        .call(Method::GET, "/v1.2/auth/sign-up?wallet=passkeys", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(options["credentialRequestOptions"]["rp"]["id"], RP_ID);
    let authenticator = Authenticator::new();
    let credential = authenticator.create(&options, TENANT_ORIGIN).unwrap();
    let (status, body) = t
        .call(
            Method::POST,
            "/v1.2/auth/sign-up",
            Some(json!({ "credential": credential })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    authenticator
}

#[tokio::test]
async fn a_counter_that_stops_counting_is_accepted_with_a_warning() {
    let t = Tenant::start().await;
    let authenticator = signed_up(&t).await;
    // Counts 1, then 2: the stored counter is 2.
    for _ in 0..2 {
        let (status, body) = t.sign_in(&authenticator, |_| {}).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(t.warnings().await, 0);

    authenticator.stop_counting();
    let (status, body) = t.sign_in(&authenticator, |_| {}).await;
    assert_eq!(status, StatusCode::OK, "signCount 0 after 2: {body}");
    assert_eq!(t.warnings().await, 1);
}

#[tokio::test]
async fn a_non_zero_counter_that_does_not_increase_is_still_refused() {
    let t = Tenant::start().await;
    let authenticator = signed_up(&t).await;
    let (status, options) = t.call(Method::GET, "/v1.2/auth/sign-in", None).await;
    assert_eq!(status, StatusCode::OK);
    // Two assertions made before either is posted: counters 1 and 2.
    let first = authenticator.get(&options, TENANT_ORIGIN).unwrap();
    let (_, options2) = t.call(Method::GET, "/v1.2/auth/sign-in", None).await;
    let second = authenticator.get(&options2, TENANT_ORIGIN).unwrap();
    let post = |credential: Value| {
        t.call(
            Method::POST,
            "/v1.2/auth/sign-in",
            Some(json!({ "credential": credential })),
        )
    };
    let (status, body) = post(second).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(first).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("COUNTER_REPLAY")),
        "{body}"
    );
    assert_eq!(t.warnings().await, 0);
}

#[tokio::test]
async fn a_user_handle_other_than_the_creation_user_id_is_accepted_for_a_known_credential() {
    let t = Tenant::start().await;
    let authenticator = signed_up(&t).await;
    // userHandle is not covered by the signature: an authenticator may return its own.
    let (status, body) = t
        .sign_in(&authenticator, |c| {
            c["response"]["userHandle"] = json!("b3RoZXItaGFuZGxl");
        })
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // An unknown credential is still refused, whatever its userHandle.
    let stranger = Authenticator::new();
    let (_, options) = t
        .call(Method::GET, "/v1.2/auth/sign-up?wallet=passkeys", None)
        .await;
    stranger.create(&options, TENANT_ORIGIN).unwrap();
    let (status, body) = t.sign_in(&stranger, |_| {}).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("UNKNOWN_CREDENTIAL")),
        "{body}"
    );
}

#[tokio::test]
async fn tenant_mode_accepts_only_the_tenant_origin() {
    let t = Tenant::start().await;
    let authenticator = signed_up(&t).await;
    let (status, options) = t.call(Method::GET, "/v1.2/auth/sign-in", None).await;
    assert_eq!(status, StatusCode::OK);
    // The same key and challenge, claimed from a subdomain page: a page IBEx does not list.
    let elsewhere = authenticator
        .get(&options, "https://app.wallet.example.test")
        .unwrap();
    let (status, body) = t
        .call(
            Method::POST,
            "/v1.2/auth/sign-in",
            Some(json!({ "credential": elsewhere })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ORIGIN_MISMATCH")),
        "{body}"
    );
    // A trailing slash (what some native stacks write) is a different origin.
    let (status, options) = t.call(Method::GET, "/v1.2/auth/sign-in", None).await;
    assert_eq!(status, StatusCode::OK);
    let slashed = authenticator
        .get(&options, "https://wallet.example.test")
        .unwrap();
    let mut forged = slashed.clone();
    let data = forged["response"]["clientDataJSON"].as_str().unwrap();
    let text = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, data).unwrap(),
    )
    .unwrap();
    forged["response"]["clientDataJSON"] = json!(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        text.replace(TENANT_ORIGIN, &format!("{TENANT_ORIGIN}/"))
    ));
    let (status, body) = t
        .call(
            Method::POST,
            "/v1.2/auth/sign-in",
            Some(json!({ "credential": forged })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ORIGIN_MISMATCH")),
        "{body}"
    );
    let (status, body) = t
        .call(
            Method::POST,
            "/v1.2/auth/sign-in",
            Some(json!({ "credential": slashed })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
