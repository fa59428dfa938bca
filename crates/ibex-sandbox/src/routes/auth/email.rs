//! E-mail wallets (docs/api/auth.md §4–§11): one-shot 30 s OTPs, the encrypted-key backup, recovery.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::{iso, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::kdf;
use crate::ledger;
use crate::routes::extract::{Body, Fields};
use crate::state::{AppState, Shared};
use crate::store::{Purpose, SignerKind, SignerSpec, Store, WalletMode};
use crate::tokens::{self, Tenant};

use super::pin::{signed_proof, take_proof_challenge};
use super::{auth_response, existing_user, ready_after, Params, PROOF_CHALLENGE_TTL_MS};

const OTP_TTL_MS: Millis = 30_000;

/// `GET /v1.2/auth/sign-up?wallet=email&email=…`: a pending user, a pending token pair and an OTP.
pub fn pending_sign_up(
    state: &AppState,
    store: &mut Store,
    params: &Params,
    now: Millis,
) -> ApiResult<Json<Value>> {
    let rp_id = state.settings.rp_id.clone();
    let email = params
        .get("email")
        .filter(|e| e.contains('@'))
        .ok_or_else(|| ApiError::bad_request("email is required"))?;
    let user = store.create_user(now, None);
    store.users.get_mut(&user).expect("just created").email = Some(email.to_owned());
    let otp = store.mail_code(email, &user, now + OTP_TTL_MS);
    let (challenge, expires) = key_challenge(store, &user, now);
    let mut body = tokens::issue(state, store, &user, "");
    ledger::merge(
        &mut body,
        json!({
            "userId": store.users[&user].user_id, "externalUserId": user,
            "authMethod": "EMAIL_TOKEN_PENDING", "flow": "email", "wallet": "email",
            "emailOtpExpiresAt": iso(otp.expires_at), "emailOtp": otp.code,
            "challenge": challenge, "challengeExpiresAt": expires,
            "serverSignature": kdf::server_signature(&state.jwt.0, &challenge, &expires, &user, &rp_id),
            "serverKeyId": "email-token-hmac-v1", "hasPasskey": false,
        }),
    );
    Ok(Json(body))
}

/// `GET /v1.2/auth/sign-in?wallet=email&externalUserId=…`: mails a sign-in code.
pub fn sign_in_code(store: &mut Store, params: &Params, now: Millis) -> ApiResult<Json<Value>> {
    let user = existing_user(store, params)?;
    let email = store.users[&user]
        .email
        .clone()
        .ok_or_else(|| ApiError::bad_request("user has no e-mail wallet"))?;
    let otp = store.mail_code(&email, &user, now + OTP_TTL_MS);
    Ok(Json(
        json!({ "externalUserId": user, "wallet": "email", "hasPasskey": false, "emailOtpExpiresAt": iso(otp.expires_at), "emailOtp": otp.code }),
    ))
}

/// `POST /v1.2/auth/sign-up` (email): the OTP, plus the key backup stored verbatim (docs/api/gaps.md G6).
pub fn sign_up(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
) -> ApiResult<Json<Value>> {
    // A proof of the new key, when the client sends one, is checked before the code is spent:
    // a refused sign-up leaves the code usable and nothing stored.
    let proved = match body.get("signature") {
        Some(_) => Some(signed_proof(state, store, body, now)?),
        None => None,
    };
    let user = check_otp(store, body, now)?;
    let mut backup = body.clone();
    if let Some(map) = backup.as_object_mut() {
        map.retain(|k, _| !NOT_BACKUP.contains(&k.as_str()));
    }
    if let Some((_, key)) = proved {
        take_proof_challenge(store, body);
        store.users.get_mut(&user).expect("checked").email_key = Some(key);
    }
    store.users.get_mut(&user).expect("checked").email_backup = Some(backup);
    let safe = ids::address_from(&[b"safe:email", user.as_bytes()]);
    let ready = ready_after(state);
    let signer = store.add_signer(
        &user,
        SignerSpec {
            kind: SignerKind::EmailToken,
            wallet_mode: WalletMode::Safe4337,
            auth_method: "EMAIL",
            key_name: "email".into(),
        },
        safe,
        now,
        ready,
    );
    Ok(Json(auth_response(state, store, &user, &signer, now)))
}

/// `POST /v1.2/auth/email/recover` (docs/api/auth.md §11, docs/api/gaps.md G9): `{email}` alone sends an OTP;
/// `externalUserId` + `emailOtp`/`code` returns the stored backup and a fresh challenge.
pub async fn email_recover(
    State(state): State<Shared>,
    _: Tenant,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    if body.get("emailOtp").is_none() && body.get("code").is_none() {
        let email = body.text("email")?;
        let user = store
            .users
            .values()
            .find(|u| u.email.as_deref() == Some(email))
            .map(|u| u.external_user_id.clone());
        if let Some(user) = user {
            store.mail_code(email, &user, now + OTP_TTL_MS);
        }
        return Ok(Json(
            json!({ "success": true, "message": "If the address is registered, a code was sent" }),
        ));
    }
    let mut body = body;
    if let Some(code) = body.get("code").cloned() {
        body["emailOtp"] = code;
    }
    let user = check_otp(&mut store, &body, now)?;
    let backup = store.users[&user].email_backup.clone().unwrap_or(json!({}));
    let (challenge, expires) = key_challenge(&mut store, &user, now);
    Ok(Json(json!({
        "externalUserId": user, "wallet": "email",
        "encryptedPrivateKey": backup.get("encryptedPrivateKey"), "backupSalt": backup.get("backupSalt"),
        "backupKdf": backup.get("backupKdf").cloned().unwrap_or(json!({})),
        "challenge": challenge, "challengeExpiresAt": expires,
        "serverSignature": kdf::server_signature(&state.jwt.0, &challenge, &expires, &user, &state.settings.rp_id),
        "serverKeyId": "email-token-hmac-v1",
    })))
}

/// Members of the sign-up body that are not the backup: the code, the user, the key proof.
const NOT_BACKUP: &[&str] = &[
    "emailOtp",
    "emailCode",
    "externalUserId",
    "wallet",
    "publicKey",
    "signature",
    "challenge",
    "challengeExpiresAt",
    "challengeId",
    "serverSignature",
    "serverKeyId",
    "nonce",
    "timestamp",
    "saltVersion",
    "kdfParamsVersion",
];

/// A single-use, server-signed challenge the e-mail wallet's key signs (its proof has the KDF
/// signer's format, see [`crate::kdf`]).
fn key_challenge(store: &mut Store, user: &str, now: Millis) -> (String, String) {
    let challenge = crate::b64::standard(&ids::random_bytes::<32>());
    let expires_at = now + PROOF_CHALLENGE_TTL_MS;
    store.issue_challenge(
        challenge.as_bytes(),
        Purpose::Kdf {
            external_user_id: user.to_owned(),
        },
        expires_at,
    );
    (challenge, iso(expires_at))
}

/// `POST /v1.2/auth/sign-in` (email): the key's signature over the challenge of
/// `email/recover` (docs/api/auth.md §11), or the mailed code alone.
pub fn sign_in(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
) -> ApiResult<String> {
    if body.get("signature").is_none() {
        return check_otp(store, body, now);
    }
    let (user, key) = signed_proof(state, store, body, now)?;
    match &store.users[&user].email_key {
        Some(bound) if *bound == key => {}
        Some(_) => {
            return Err(ApiError::unauthorized(
                "publicKey differs from the key bound to this user",
            ))
        }
        None => {
            return Err(ApiError::unauthorized(
                "no key is bound to this e-mail wallet; sign in with the code",
            ))
        }
    }
    take_proof_challenge(store, body);
    Ok(user)
}

/// Consumes a valid, unexpired OTP sent to the user named in `body`.
pub fn check_otp(store: &mut Store, body: &Value, now: Millis) -> ApiResult<String> {
    // The newer SDK names the user by `email` alone (docs/api/gaps.md G9).
    let by_email = body.opt_text("email").and_then(|email| {
        store
            .users
            .values()
            .find(|u| u.email.as_deref() == Some(email))
            .map(|u| u.external_user_id.clone())
    });
    let user = match body.opt_text("externalUserId") {
        Some(id) => id.to_owned(),
        None => by_email.ok_or_else(|| ApiError::bad_request("externalUserId is required"))?,
    };
    let user = user.as_str();
    let code = body
        .opt_text("emailOtp")
        .or(body.opt_text("emailCode"))
        .or(body.opt_text("code"))
        .ok_or_else(|| ApiError::bad_request("emailOtp is required"))?;
    let email = store
        .users
        .get(user)
        .and_then(|u| u.email.clone())
        .ok_or_else(|| ApiError::bad_request("user has no e-mail wallet"))?;
    store
        .take_code(&email, user, code, now)
        .map(|()| user.to_owned())
        .map_err(|e| e.into_api(axum::http::StatusCode::UNAUTHORIZED))
}
