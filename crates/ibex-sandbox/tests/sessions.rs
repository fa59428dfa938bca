//! Tokens (lifetimes on the sandbox clock, single-use refresh) and the KDF, 7702 and e-mail modes.

mod common;

use common::{assert_shape, example, start, token};
use k256::ecdsa::signature::Signer;
use k256::ecdsa::{Signature, SigningKey};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha3::{Digest, Keccak256};

#[tokio::test]
async fn refresh_is_single_use_and_lifetimes_follow_the_clock() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    assert_shape(
        &session,
        &example("mirror/refresh-post-response.json"),
        "session",
    );
    let (status, _) = h.get("/v1.2/users/me", Some(&token(&session))).await;
    assert_eq!(status, StatusCode::OK);

    let refresh = session["refresh_token"].clone();
    let (status, renewed) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": refresh }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_shape(
        &renewed,
        &example("mirror/refresh-post-response.json"),
        "refresh",
    );
    let (status, refused) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": refresh }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a replayed refresh token is refused"
    );
    // Like IBEx: `message` is "Unauthorized" (clients refresh on it), the reason elsewhere.
    assert_eq!(refused["message"], "Unauthorized");
    assert_eq!(refused["code"], "UNAUTHORIZED");
    assert!(refused["reason"].as_str().is_some_and(|r| !r.is_empty()));

    h.advance(3601).await;
    let (status, _) = h.get("/v1.2/users/me", Some(&token(&renewed))).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "access tokens live 3600 s"
    );
    let (status, again) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": renewed["refresh_token"] }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "refresh works after the access token expired"
    );

    h.advance(24 * 3600).await;
    let (status, _) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": again["refresh_token"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "refresh tokens live 24 h");
    let (_, counters) = h.get("/__sandbox/counters", None).await;
    assert_eq!(counters["refresh"], 4);
    assert_eq!(counters["routes"]["POST /v1.2/auth/refresh"], 4);
}

#[tokio::test]
async fn forced_expiry_revokes_issued_access_tokens_only() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let (status, faults) = h
        .post(
            "/__sandbox/faults",
            None,
            json!({ "expireAccessTokens": true }),
        )
        .await;
    assert_eq!(
        (status, &faults),
        (StatusCode::OK, &json!({ "expireAccessTokens": true }))
    );
    let (status, _) = h.get("/v1.2/users/me", Some(&token(&session))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, renewed) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": session["refresh_token"] }),
        )
        .await;
    let (status, _) = h.get("/v1.2/users/me", Some(&token(&renewed))).await;
    assert_eq!(status, StatusCode::OK);
}

fn kdf_proof(key: &SigningKey, materials: &Value, timestamp: i64) -> Value {
    let mut body = json!({
        "wallet": "kdf",
        "externalUserId": materials["externalUserId"], "challenge": materials["challenge"],
        "challengeExpiresAt": materials["challengeExpiresAt"], "saltVersion": 1, "kdfParamsVersion": 1,
        "nonce": "n-1", "timestamp": timestamp, "serverSignature": materials["serverSignature"],
        "serverKeyId": materials["serverKeyId"],
        "publicKey": format!("0x{}", hex(key.verifying_key().to_encoded_point(true).as_bytes())),
    });
    // The canonical message: appId + the proof fields, keys sorted, no whitespace.
    let message = format!(
        r#"{{"appId":"localhost","challenge":{},"challengeExpiresAt":{},"externalUserId":{},"kdfParamsVersion":1,"nonce":"n-1","saltVersion":1,"timestamp":{timestamp}}}"#,
        materials["challenge"], materials["challengeExpiresAt"], materials["externalUserId"]
    );
    let signature: Signature = key.sign(message.as_bytes());
    body["signature"] = json!(format!("0x{}", hex(&signature.to_bytes())));
    body
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn now_s(h: &common::Harness) -> i64 {
    let (_, clock) = h.get("/__sandbox/clock", None).await;
    let now = time::OffsetDateTime::parse(
        clock["now"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    now.unix_timestamp()
}

#[tokio::test]
async fn kdf_signatures_are_verified_and_bound() {
    let h = start().await;
    let (status, materials) = h.get("/v1.2/auth/sign-up?wallet=kdf", None).await;
    assert_eq!(status, StatusCode::OK, "{materials}");
    let mut documented = example("mirror/signup-get-response.kdf.json");
    documented.as_object_mut().unwrap().remove("opaque"); // optional OPAQUE PAKE, not modelled
    assert_shape(&materials, &documented, "kdf-get");
    // A key the client would derive with Argon2id(PIN, salt, params) + HKDF; any key proves it.
    let key = SigningKey::from_slice(&[0x11; 32]).unwrap();
    let now = now_s(&h).await;

    let mut forged = kdf_proof(&key, &materials, now);
    forged["nonce"] = json!("n-2");
    let (status, body) = h.post("/v1.2/auth/sign-up", None, forged).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_SIGNATURE")),
        "{body}"
    );
    let (status, _) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            kdf_proof(&key, &materials, now - 3600),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "stale timestamp");

    let (status, signed_up) = h
        .post("/v1.2/auth/sign-up", None, kdf_proof(&key, &materials, now))
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_up}");
    assert_shape(
        &signed_up,
        &example("mirror/signup-post-response.kdf.json"),
        "kdf-post",
    );
    let (status, _) = h
        .post("/v1.2/auth/sign-up", None, kdf_proof(&key, &materials, now))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the challenge is single-use"
    );

    let user = signed_up["subject"].as_str().unwrap();
    let (status, materials) = h
        .get(
            &format!("/v1.2/auth/sign-in?wallet=kdf&externalUserId={user}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_shape(
        &materials,
        &example("mirror/signin-get-response.kdf.json"),
        "kdf-signin-get",
    );
    let other = SigningKey::from_slice(&[0x22; 32]).unwrap();
    let (status, _) = h
        .post(
            "/v1.2/auth/sign-in",
            None,
            kdf_proof(&other, &materials, now),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "another key than the bound one"
    );
    let (_, materials) = h
        .get(
            &format!("/v1.2/auth/sign-in?wallet=kdf&externalUserId={user}"),
            None,
        )
        .await;
    let mut enriched = kdf_proof(&key, &materials, now);
    for flag in ["includeBalance", "includeTransactions", "includeUserdata"] {
        enriched[flag] = json!(true);
    }
    let (status, signed_in) = h.post("/v1.2/auth/sign-in", None, enriched).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_shape(
        &signed_in,
        &example("mirror/signin-post-response.kdf.json"),
        "kdf-signin",
    );
}

fn personal_sign(key: &SigningKey, message: &str) -> String {
    let digest = Keccak256::new()
        .chain_update(format!("\x19Ethereum Signed Message:\n{}", message.len()))
        .chain_update(message);
    let (signature, recovery) = key.sign_digest_recoverable(digest).unwrap();
    let mut bytes = signature.to_bytes().to_vec();
    bytes.push(27 + recovery.to_byte());
    format!("0x{}", hex(&bytes))
}

fn eoa(key: &SigningKey) -> String {
    let point = key.verifying_key().to_encoded_point(false);
    format!(
        "0x{}",
        hex(&Keccak256::digest(&point.as_bytes()[1..])[12..])
    )
}

#[tokio::test]
async fn eip7702_siwe_signatures_are_recovered() {
    let h = start().await;
    let key = SigningKey::from_slice(&[0x33; 32]).unwrap();
    let address = eoa(&key);
    let (status, challenge) = h
        .get(
            &format!("/v1.2/auth/sign-up?wallet=7702&address={address}&chainId=421614"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{challenge}");
    assert_shape(
        &challenge,
        &example("signup-get-response.7702.json"),
        "7702-get",
    );
    let message = challenge["challenge"]["message"].as_str().unwrap();
    assert!(message.starts_with(&format!(
        "IBEx Wallet wants you to sign in with your Ethereum account: {address}"
    )));
    let nonce = &challenge["challenge"]["nonce"];

    let wrong = SigningKey::from_slice(&[0x44; 32]).unwrap();
    let body = |signature: String| json!({ "wallet": "7702", "address": address, "signature": signature, "nonce": nonce });
    let (status, rejected) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            body(personal_sign(&wrong, message)),
        )
        .await;
    assert_eq!(
        (status, rejected["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_SIGNATURE"))
    );
    let (status, signed_up) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            body(personal_sign(&key, message)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_up}");
    assert_shape(
        &signed_up,
        &example("signup-post-response.7702.json"),
        "7702-post",
    );
    assert_eq!(
        signed_up["safe"].as_str().unwrap().to_ascii_lowercase(),
        address
    );
    let (status, _) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            body(personal_sign(&key, message)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "nonce is single-use");

    let (_, challenge) = h
        .get(
            &format!("/v1.2/auth/sign-in?wallet=7702&address={address}"),
            None,
        )
        .await;
    let message = challenge["challenge"]["message"].as_str().unwrap();
    let (status, signed_in) = h.post("/v1.2/auth/sign-in", None, json!({ "wallet": "7702", "address": address, "signature": personal_sign(&key, message), "nonce": challenge["challenge"]["nonce"] })).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_eq!(signed_in["subject"], signed_up["subject"]);
}

#[tokio::test]
async fn email_otp_from_the_mailbox_signs_in() {
    let h = start().await;
    let (status, pending) = h
        .get(
            "/v1.2/auth/sign-up?wallet=email&email=jane@example.com",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pending}");
    assert_shape(
        &pending,
        &example("mirror/signup-get-response.email.json"),
        "email-get",
    );
    let user = pending["externalUserId"].clone();
    let (_, mail) = h.get("/__sandbox/mailbox/jane@example.com", None).await;
    assert_eq!(mail["code"], pending["emailOtp"]);
    let (status, _) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            json!({ "wallet": "email", "externalUserId": user, "emailOtp": "000000x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, signed_up) = h.post("/v1.2/auth/sign-up", None, json!({ "wallet": "email", "externalUserId": user, "emailOtp": mail["code"], "encryptedPrivateKey": "ct", "backupSalt": "s" })).await;
    assert_eq!(status, StatusCode::OK, "{signed_up}");
    assert_eq!(signed_up["authMethod"], "EMAIL");

    let (_, sent) = h
        .get(
            &format!(
                "/v1.2/auth/sign-in?wallet=email&externalUserId={}",
                user.as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_shape(
        &sent,
        &example("mirror/signin-get-response.email.json"),
        "email-signin-get",
    );
    h.advance(31).await;
    let (status, _) = h
        .post(
            "/v1.2/auth/sign-in",
            None,
            json!({ "wallet": "email", "externalUserId": user, "emailOtp": sent["emailOtp"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "codes live 30 s");
    let (_, sent) = h
        .get(
            &format!(
                "/v1.2/auth/sign-in?wallet=email&externalUserId={}",
                user.as_str().unwrap()
            ),
            None,
        )
        .await;
    let (status, signed_in) = h
        .post(
            "/v1.2/auth/sign-in",
            None,
            json!({ "wallet": "email", "externalUserId": user, "emailOtp": sent["emailOtp"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_shape(
        &signed_in,
        &example("mirror/signin-post-response.email.json"),
        "email-signin",
    );
}
