//! Passkey sign-up and sign-in with a software authenticator, and every documented rejection.

mod common;

use common::{assert_shape, example, start, token, ORIGIN};
use passkey_soft::Authenticator;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn tamper_signature(assertion: &mut Value) {
    let signature = assertion["response"]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    // Flip a bit in the middle of the DER signature, keeping it base64url.
    let mut bytes: Vec<char> = signature.chars().collect();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == 'A' { 'B' } else { 'A' };
    assertion["response"]["signature"] = json!(bytes.into_iter().collect::<String>());
}

#[tokio::test]
async fn sign_up_then_sign_in_are_accepted_with_documented_shapes() {
    let h = start().await;
    let (status, options) = h
        .get("/v1.2/auth/sign-up?wallet=passkeys&rpId=localhost", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_shape(
        &options,
        &example("mirror/signup-get-response.passkeys.json"),
        "signup-get",
    );
    assert_eq!(options["credentialRequestOptions"]["rp"]["id"], "localhost");
    // PRF salt of docs/api/auth.md §3.5: SHA-256("ibexfi:prf:v1:master|rpId:localhost").
    let salt = <sha2::Sha256 as sha2::Digest>::digest(b"ibexfi:prf:v1:master|rpId:localhost");
    let salt = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, salt);
    assert_eq!(
        options["credentialRequestOptions"]["extensions"]["prf"]["eval"]["first"],
        salt
    );

    let authenticator = Authenticator::new();
    let credential = authenticator.create(&options, ORIGIN).unwrap();
    let (status, signed_up) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_up}");
    assert_shape(
        &signed_up,
        &example("mirror/signup-post-response.passkey.json"),
        "signup-post",
    );
    assert_eq!(signed_up["prfCapable"], true);
    let safe = signed_up["safeAddress"]["421614"]
        .as_str()
        .unwrap()
        .to_owned();

    // The documented brief window: no wallet yet, then the Safe on every chain.
    let (status, _) = h
        .get("/v1.2/users/me/address", Some(&token(&signed_up)))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    h.advance(5).await;
    let (status, address) = h
        .get("/v1.2/users/me/address", Some(&token(&signed_up)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_shape(
        &address,
        &example("users-me-address-get-response.json"),
        "address",
    );
    assert_eq!(address["wallets"][0]["safeAddress"], safe);
    assert_eq!(
        address["wallets"][0]["chainIds"],
        json!([100, 8453, 421614])
    );

    let (_, request) = h.get("/v1.2/auth/sign-in?rpId=localhost", None).await;
    assert_shape(
        &request,
        &example("mirror/signin-get-response.llms.json"),
        "signin-get",
    );
    let assertion = authenticator.get(&request, ORIGIN).unwrap();
    let (status, signed_in) = h
        .post(
            "/v1.2/auth/sign-in",
            None,
            json!({ "credential": assertion, "includeUserdata": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_shape(
        &signed_in,
        &example("signin-post-response.passkeys.partial.json"),
        "signin-post",
    );
    assert_eq!(signed_in["subject"], signed_up["subject"]);
    assert_eq!(
        signed_in["safeAddress"],
        json!({ "100": safe, "8453": safe, "421614": safe })
    );
    assert!(signed_in["userdata"]["addresses"]["wallets"].is_array());

    // Claims: iss = rpId, sub = externalUserId, sid = signer id.
    let payload = token(&signed_in).split('.').nth(1).unwrap().to_owned();
    let claims: Value = serde_json::from_slice(&base64_url(&payload)).unwrap();
    assert_eq!(claims["iss"], "localhost");
    assert_eq!(claims["sub"], signed_up["subject"]);
    assert_eq!(claims["sid"], address["signerId"]);
}

fn base64_url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

#[tokio::test]
async fn tampered_wrong_origin_reused_and_expired_assertions_are_rejected() {
    let h = start().await;
    let (authenticator, _) = h.passkey_sign_up().await;
    let h = &h;
    let sign_in = |credential: Value| async move {
        h.post(
            "/v1.2/auth/sign-in",
            None,
            json!({ "credential": credential }),
        )
        .await
    };

    let (_, options) = h.get("/v1.2/auth/sign-in", None).await;
    let mut tampered = authenticator.get(&options, ORIGIN).unwrap();
    tamper_signature(&mut tampered);
    let (status, body) = sign_in(tampered).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_SIGNATURE")),
        "{body}"
    );

    let wrong_origin = authenticator
        .get(&options, "https://localhost.evil.example")
        .err();
    assert!(
        wrong_origin.is_some(),
        "the authenticator itself refuses a foreign origin"
    );
    let elsewhere = authenticator
        .get(&options, "https://localhost:8443")
        .unwrap();
    let mut forged = elsewhere.clone();
    let client_data = String::from_utf8(base64_url(
        forged["response"]["clientDataJSON"].as_str().unwrap(),
    ))
    .unwrap();
    let evil = client_data.replace("https://localhost:8443", "https://evil.example");
    forged["response"]["clientDataJSON"] = json!(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        evil
    ));
    let (status, body) = sign_in(forged).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ORIGIN_MISMATCH")),
        "{body}"
    );

    // The untouched assertion from the allowed https origin works once, then never again.
    let (status, body) = sign_in(elsewhere.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = sign_in(elsewhere).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("CHALLENGE_UNKNOWN")),
        "{body}"
    );

    let (_, stale) = h.get("/v1.2/auth/sign-in", None).await;
    h.advance(61).await;
    let late = authenticator.get(&stale, ORIGIN).unwrap();
    let (status, body) = sign_in(late).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("CHALLENGE_EXPIRED")),
        "{body}"
    );

    let stranger = Authenticator::new();
    let (_, options) = h.get("/v1.2/auth/sign-up", None).await;
    stranger.create(&options, ORIGIN).unwrap();
    let (_, options) = h.get("/v1.2/auth/sign-in", None).await;
    let (status, body) = sign_in(stranger.get(&options, ORIGIN).unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("UNKNOWN_CREDENTIAL")),
        "{body}"
    );
}

#[tokio::test]
async fn registration_checks_origin_rp_id_and_tenant() {
    let h = start().await;
    let (status, body) = h
        .http
        .get(h.url("/v1.2/auth/sign-up"))
        .send()
        .await
        .map(|r| r.status())
        .map(|s| (s, ()))
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}: no rpId at all");
    let (status, body) = h.get("/v1.2/auth/sign-up?rpId=foo.domain", None).await;
    // X-RpId (localhost) wins over the query, so this is still our tenant.
    assert_eq!(status, StatusCode::OK, "{body}");
    let response = h
        .http
        .get(h.url("/v1.2/auth/sign-up?rpId=foo.domain"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "message": "Unknown domain/rpId", "code": "UNKNOWN_RP_ID" })
    );

    let authenticator = Authenticator::new();
    let (_, options) = h.get("/v1.2/auth/sign-up", None).await;
    let mut credential = authenticator.create(&options, ORIGIN).unwrap();
    // An authenticator that hashed another rpId.
    let other = Authenticator::new();
    let mut foreign_options = options.clone();
    foreign_options["credentialRequestOptions"]["rp"]["id"] = json!("example.com");
    let foreign = other
        .create(&foreign_options, "https://example.com")
        .unwrap();
    let mut mixed = foreign.clone();
    mixed["response"]["clientDataJSON"] = credential["response"]["clientDataJSON"].clone();
    let (status, body) = h
        .post("/v1.2/auth/sign-up", None, json!({ "credential": mixed }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("RPID_MISMATCH")),
        "{body}"
    );

    credential["response"]["attestationObject"] = json!("AAAA");
    let (status, _) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
