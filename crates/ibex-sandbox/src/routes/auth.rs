//! `/v1.2/auth/*`: sign-up and sign-in in the four wallet modes (passkeys, kdf, email, 7702),
//! refresh, and e-mail wallet recovery (auth.md).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::{iso, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::jwt::Kind;
use crate::kdf;
use crate::ledger;
use crate::siwe;
use crate::state::{AppState, Shared};
use crate::store::{KdfBinding, Otp, Purpose, SignerKind, Store, WalletMode};
use crate::tokens::{self, Tenant};
use crate::views;
use crate::webauthn::{self, ClientData, WebauthnError};

use super::sign_in_extras;

type Params = Query<HashMap<String, String>>;

const KDF_CHALLENGE_TTL_MS: Millis = 5 * 60_000;
const OTP_TTL_MS: Millis = 30_000;

/// The wallet mode of a GET (query) or POST (body, falling back to the query and the body's
/// shape); legacy `flow=pin-kdf` means kdf.
fn wallet(params: &HashMap<String, String>, body: Option<&Value>) -> String {
    let from_body = body.and_then(|b| b.get("wallet")).and_then(Value::as_str);
    let explicit = from_body.or(params.get("wallet").map(String::as_str));
    match explicit {
        Some(w) => w.to_owned(),
        None if params.get("flow").is_some_and(|f| f == "pin-kdf") => "kdf".into(),
        None => match body {
            Some(b) if b.get("credential").is_some() => "passkeys".into(),
            Some(b) if b.get("publicKey").is_some() => "kdf".into(),
            Some(b) if b.get("emailOtp").is_some() || b.get("emailCode").is_some() => {
                "email".into()
            }
            _ => "passkeys".into(),
        },
    }
}

/// SHA-256("ibexfi:prf:v1:master|rpId:<rpId>") — the PRF salt of auth.md §3.5.
fn prf_salt(rp_id: &str) -> String {
    crate::b64::url(&ids::sha256(&[format!(
        "ibexfi:prf:v1:master|rpId:{rp_id}"
    )
    .as_bytes()]))
}

pub async fn sign_up_options(
    State(state): State<Shared>,
    _: Tenant,
    Query(params): Params,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let rp_id = state.settings.rp_id.clone();
    let mut store = state.store();
    match wallet(&params, None).as_str() {
        "passkeys" => {
            let handle = ids::random_bytes::<16>();
            let n = store.next();
            let name = params
                .get("user.name")
                .or(params.get("userName"))
                .cloned()
                .unwrap_or_else(|| format!("sandbox-user-{n}"));
            let display = params
                .get("user.displayname")
                .or(params.get("userDisplayName"))
                .cloned()
                .unwrap_or_else(|| name.clone());
            let key_name = params
                .get("keyName")
                .cloned()
                .unwrap_or_else(|| "passkey".into());
            let key_display_name = params
                .get("keyDisplayName")
                .cloned()
                .unwrap_or_else(|| key_name.clone());
            let challenge = store.issue_challenge(
                &ids::random_bytes::<32>(),
                Purpose::Register {
                    user_handle: handle.to_vec(),
                    key_name,
                    key_display_name,
                },
                now + state.settings.challenge_ttl_ms,
            );
            let salt = prf_salt(&rp_id);
            Ok(Json(json!({
                "credentialRequestOptions": {
                    "rp": { "id": rp_id, "name": rp_id },
                    "user": { "id": crate::b64::url(&handle), "name": name, "displayName": display },
                    "challenge": challenge,
                    "pubKeyCredParams": [{ "alg": -7, "type": "public-key" }],
                    "authenticatorSelection": { "residentKey": "preferred", "userVerification": "preferred" },
                    "attestation": "none",
                    "excludeCredentials": [],
                    "timeout": state.settings.challenge_ttl_ms,
                    "extensions": { "prf": { "eval": { "first": salt } } },
                },
                "emailValidationRequired": false,
            })))
        }
        "kdf" => {
            let user = store.create_user(now, None);
            let salt = ids::random_bytes::<16>().to_vec();
            store.users.get_mut(&user).expect("just created").kdf = Some(KdfBinding {
                salt: salt.clone(),
                public_key: None,
            });
            let mut body = kdf_materials(&state, &mut store, &user, &salt, now);
            let user_id = store.users[&user].user_id.clone();
            ledger::merge(&mut body, tokens::issue(&state, &mut store, &user, ""));
            ledger::merge(
                &mut body,
                json!({ "userId": user_id, "authMethod": "PIN_KDF_PENDING", "emailValidationRequired": false }),
            );
            Ok(Json(body))
        }
        "email" => {
            let email = params
                .get("email")
                .filter(|e| e.contains('@'))
                .ok_or_else(|| ApiError::bad_request("email is required"))?;
            let user = store.create_user(now, None);
            store.users.get_mut(&user).expect("just created").email = Some(email.clone());
            let otp = send_otp(&mut store, email, &user, now);
            let challenge = crate::b64::standard(&ids::random_bytes::<32>());
            let expires = iso(now + KDF_CHALLENGE_TTL_MS);
            let mut body = tokens::issue(&state, &mut store, &user, "");
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
        "7702" => Ok(Json(siwe_challenge(&state, &mut store, &params, now)?)),
        other => Err(ApiError::bad_request(format!(
            "unknown wallet mode {other}"
        ))),
    }
}

pub async fn sign_in_options(
    State(state): State<Shared>,
    _: Tenant,
    Query(params): Params,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    match wallet(&params, None).as_str() {
        "passkeys" => {
            let challenge = store.issue_challenge(
                &ids::random_bytes::<32>(),
                Purpose::SignIn,
                now + state.settings.challenge_ttl_ms,
            );
            Ok(Json(json!({
                "credentialRequestOptions": {
                    "challenge": challenge,
                    "rpId": state.settings.rp_id,
                    "userVerification": "required",
                    "timeout": state.settings.challenge_ttl_ms,
                    "allowCredentials": [],
                    "extensions": { "prf": { "eval": { "first": prf_salt(&state.settings.rp_id) } } },
                }
            })))
        }
        "kdf" => {
            let user = existing_user(&store, &params)?;
            let salt = store.users[&user]
                .kdf
                .as_ref()
                .map(|k| k.salt.clone())
                .ok_or_else(|| ApiError::bad_request("user has no KDF signer"))?;
            let mut body = kdf_materials(&state, &mut store, &user, &salt, now);
            ledger::merge(&mut body, json!({ "wallet": "kdf" }));
            Ok(Json(body))
        }
        "email" => {
            let user = existing_user(&store, &params)?;
            let email = store.users[&user]
                .email
                .clone()
                .ok_or_else(|| ApiError::bad_request("user has no e-mail wallet"))?;
            let otp = send_otp(&mut store, &email, &user, now);
            Ok(Json(
                json!({ "externalUserId": user, "wallet": "email", "hasPasskey": false, "emailOtpExpiresAt": iso(otp.expires_at), "emailOtp": otp.code }),
            ))
        }
        "7702" => Ok(Json(siwe_challenge(&state, &mut store, &params, now)?)),
        other => Err(ApiError::bad_request(format!(
            "unknown wallet mode {other}"
        ))),
    }
}

pub async fn sign_up(
    State(state): State<Shared>,
    _: Tenant,
    Query(params): Params,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    match wallet(&params, Some(&body)).as_str() {
        "passkeys" => passkey_sign_up(&state, &mut store, &body, now).map(Json),
        "kdf" => {
            let user = kdf_proof(&state, &mut store, &body, now)?;
            let public_key = store.users[&user]
                .kdf
                .as_ref()
                .and_then(|k| k.public_key.clone())
                .unwrap_or_default();
            let safe = ids::address_from(&[b"safe:kdf", public_key.as_bytes()]);
            let ready = ready_after(&state);
            let signer = store.add_signer(
                &user,
                SignerKind::Eoa,
                WalletMode::Safe4337,
                "PIN_KDF",
                safe,
                Some("pin".into()),
                now,
                ready,
            );
            let mut out = auth_response(&state, &mut store, &user, &signer, now);
            ledger::merge(
                &mut out,
                json!({ "flow": "pin-kdf", "signerBound": true, "signerVersion": 1, "publicKey": public_key, "hasPasskey": false }),
            );
            Ok(Json(out))
        }
        "email" => {
            let user = check_otp(&mut store, &body, now)?;
            let mut backup = body.clone();
            if let Some(map) = backup.as_object_mut() {
                map.retain(|k, _| {
                    !["emailOtp", "emailCode", "externalUserId", "wallet"].contains(&k.as_str())
                });
            }
            store.users.get_mut(&user).expect("checked").email_backup = Some(backup);
            let safe = ids::address_from(&[b"safe:email", user.as_bytes()]);
            let ready = ready_after(&state);
            let signer = store.add_signer(
                &user,
                SignerKind::EmailToken,
                WalletMode::Safe4337,
                "EMAIL",
                safe,
                Some("email".into()),
                now,
                ready,
            );
            Ok(Json(auth_response(&state, &mut store, &user, &signer, now)))
        }
        "7702" => siwe_sign_in(&state, &mut store, &body, now, true).map(Json),
        other => Err(ApiError::bad_request(format!(
            "unknown wallet mode {other}"
        ))),
    }
}

pub async fn sign_in(
    State(state): State<Shared>,
    _: Tenant,
    Query(params): Params,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let (user, signer) = match wallet(&params, Some(&body)).as_str() {
        "passkeys" => passkey_sign_in(&state, &mut store, &body, now)?,
        "kdf" => {
            let user = kdf_proof(&state, &mut store, &body, now)?;
            (user.clone(), signer_with(&store, &user, "PIN_KDF")?)
        }
        "email" => {
            let user = check_otp(&mut store, &body, now)?;
            (user.clone(), signer_with(&store, &user, "EMAIL")?)
        }
        "7702" => return siwe_sign_in(&state, &mut store, &body, now, false).map(Json),
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown wallet mode {other}"
            )))
        }
    };
    let mut out = auth_response(&state, &mut store, &user, &signer, now);
    let kdf_key = store.users[&user]
        .kdf
        .as_ref()
        .and_then(|k| k.public_key.clone());
    if let Some(public_key) = kdf_key.filter(|_| out["authMethod"] == "PIN_KDF") {
        ledger::merge(
            &mut out,
            json!({ "flow": "pin-kdf", "publicKey": public_key, "signerVersion": 1 }),
        );
    }
    if body.get("asyncData") == Some(&Value::Bool(true)) {
        let id = sign_in_extras::defer_enrichment(&mut store, &user, &signer, &body, now);
        ledger::merge(
            &mut out,
            json!({ "dataRequestId": id, "dataStatus": "PENDING" }),
        );
    } else {
        let extra = views::enrichment(&store, &state.settings.rp_id, &user, &signer, &body, now);
        ledger::merge(&mut out, Value::Object(extra));
    }
    let intent = body
        .get("intent")
        .and_then(Value::as_str)
        .or(params.get("intent").map(String::as_str));
    if intent == Some("safe_provision") {
        ledger::merge(
            &mut out,
            sign_in_extras::provision_grant(&state, &mut store, &user, &signer)?,
        );
    }
    Ok(Json(out))
}

/// `POST /v1.2/auth/refresh`: single use; a replayed or expired refresh token → 401.
pub async fn refresh(
    State(state): State<Shared>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let token = body
        .get("refresh_token")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("refresh_token is required"))?;
    let claims = state
        .jwt
        .verify(token, Kind::Refresh, &state.settings.rp_id, state.now())
        .map_err(|e| ApiError::unauthorized(e.to_string()))?;
    let mut store = state.store();
    if !store.consumed_tokens.insert(claims.jti) {
        return Err(ApiError::unauthorized("refresh token already used"));
    }
    if !store.users.contains_key(&claims.sub) {
        return Err(ApiError::unauthorized("user no longer exists"));
    }
    Ok(Json(tokens::issue(
        &state,
        &mut store,
        &claims.sub,
        &claims.sid,
    )))
}

/// `POST /v1.2/auth/email/recover` (auth.md §11, gaps.md G9): `{email}` alone sends an OTP;
/// `externalUserId` + `emailOtp`/`code` returns the stored backup and a fresh challenge.
pub async fn email_recover(
    State(state): State<Shared>,
    _: Tenant,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    if body.get("emailOtp").is_none() && body.get("code").is_none() {
        let email = body
            .get("email")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("email is required"))?;
        let user = store
            .users
            .values()
            .find(|u| u.email.as_deref() == Some(email))
            .map(|u| u.external_user_id.clone());
        if let Some(user) = user {
            send_otp(&mut store, email, &user, now);
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
    let challenge = crate::b64::standard(&ids::random_bytes::<32>());
    let expires = iso(now + KDF_CHALLENGE_TTL_MS);
    Ok(Json(json!({
        "externalUserId": user, "wallet": "email",
        "encryptedPrivateKey": backup.get("encryptedPrivateKey"), "backupSalt": backup.get("backupSalt"),
        "backupKdf": backup.get("backupKdf").cloned().unwrap_or(json!({})),
        "challenge": challenge, "challengeExpiresAt": expires,
        "serverSignature": kdf::server_signature(&state.jwt.0, &challenge, &expires, &user, &state.settings.rp_id),
        "serverKeyId": "email-token-hmac-v1",
    })))
}

fn passkey_sign_up(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
) -> ApiResult<Value> {
    let credential = body
        .get("credential")
        .ok_or_else(|| ApiError::bad_request("credential is required"))?;
    let client = ClientData::from_credential(credential)?;
    let Purpose::Register {
        user_handle,
        key_name,
        key_display_name,
    } = live_challenge(store, &client.challenge, now)?
    else {
        return Err(WebauthnError::ChallengeUnknown.into());
    };
    let accepted =
        webauthn::verify_registration(credential, &client, &state.settings.origins, false)?;
    let credential_id = crate::b64::url(&accepted.id);
    if store.credentials.contains_key(&credential_id) {
        return Err(ApiError::conflict("credential already registered"));
    }
    store.take_challenge(&client.challenge);
    let user = match body.get("externalUserId").and_then(Value::as_str) {
        Some(existing) if store.users.contains_key(existing) => existing.to_owned(),
        _ => store.create_user(now, None),
    };
    let safe = ids::address_from(&[b"safe:webauthn", &accepted.public_key[1..], &accepted.id]);
    let key_name = body
        .get("keyName")
        .and_then(Value::as_str)
        .map_or(key_name, str::to_owned);
    let ready = ready_after(state);
    let signer = store.add_signer(
        &user,
        SignerKind::Passkey,
        WalletMode::Safe4337,
        "PASSKEY",
        safe,
        Some(key_name),
        now,
        ready,
    );
    let s = store.signers.get_mut(&signer).expect("just added");
    s.key_display_name = body
        .get("keyDisplayName")
        .and_then(Value::as_str)
        .map_or(key_display_name, str::to_owned);
    s.credential_id = Some(credential_id.clone());
    s.prf_capable = accepted.prf_enabled;
    store.credentials.insert(
        credential_id,
        crate::store::Credential {
            signer: signer.clone(),
            public_key: accepted.public_key,
            counter: accepted.counter,
            user_handle,
        },
    );
    let mut out = auth_response(state, store, &user, &signer, now);
    // The Safe is counterfactual: its address is known at once even while the 204 window runs.
    out["safeAddress"] =
        json!({ ledger::DEFAULT_CHAIN.to_string(): store.signers[&signer].safe_address(store) });
    Ok(out)
}

fn passkey_sign_in(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
) -> ApiResult<(String, String)> {
    let credential = body
        .get("credential")
        .ok_or_else(|| ApiError::bad_request("credential is required"))?;
    let client = ClientData::from_credential(credential)?;
    if !matches!(
        live_challenge(store, &client.challenge, now)?,
        Purpose::SignIn
    ) {
        return Err(WebauthnError::ChallengeUnknown.into());
    }
    let signer = verify_passkey(state, store, credential, &client, None)?;
    store.take_challenge(&client.challenge);
    Ok((store.signers[&signer].user.clone(), signer))
}

/// Checks an assertion against the stored credential it names (optionally required to belong
/// to `signer`), bumps the counter and returns the signer id.
pub fn verify_passkey(
    state: &AppState,
    store: &mut Store,
    credential: &Value,
    client: &ClientData,
    signer: Option<&str>,
) -> ApiResult<String> {
    let id = crate::b64::url(&webauthn::credential_id(credential)?);
    let stored = store
        .credentials
        .get(&id)
        .ok_or(WebauthnError::UnknownCredential)?;
    if signer.is_some_and(|s| s != stored.signer) {
        return Err(WebauthnError::UnknownCredential.into());
    }
    // WebAuthn §7.2: a returned userHandle must be the account the credential was made for.
    let handle = credential
        .pointer("/response/userHandle")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty());
    if handle.is_some_and(|h| crate::b64::decode(h).as_deref() != Some(&stored.user_handle[..])) {
        return Err(ApiError::bad_request(
            "userHandle does not match the credential's account",
        ));
    }
    let counter = webauthn::verify_assertion(
        credential,
        client,
        &state.settings.origins,
        &stored.public_key,
        stored.counter,
        true,
    )?;
    let stored = store.credentials.get_mut(&id).expect("present");
    stored.counter = counter;
    Ok(stored.signer.clone())
}

/// The purpose of an outstanding, unexpired challenge; an expired one is forgotten.
pub fn live_challenge(
    store: &mut Store,
    challenge: &[u8],
    now: Millis,
) -> Result<Purpose, WebauthnError> {
    let found = store
        .challenges
        .get(&crate::b64::url(challenge))
        .cloned()
        .ok_or(WebauthnError::ChallengeUnknown)?;
    if found.expires_at <= now {
        store.take_challenge(challenge);
        return Err(WebauthnError::ChallengeExpired);
    }
    Ok(found.purpose)
}

fn ready_after(state: &AppState) -> Millis {
    state
        .faults()
        .config
        .not_ready_seconds
        .map_or(state.settings.address_ready_ms, |s| s as Millis * 1000)
}

/// Tokens plus the account fields of passkey/KDF/e-mail auth responses (auth.md §5, §7).
fn auth_response(
    state: &AppState,
    store: &mut Store,
    user: &str,
    signer: &str,
    now: Millis,
) -> Value {
    let mut out = tokens::issue(state, store, user, signer);
    let s = store.signers[signer].clone();
    let safe = store
        .safes
        .get(&s.safe)
        .map(|safe| views::safe_address_map(safe, now))
        .unwrap_or(json!({}));
    let eoa = views::eoa_addresses(store, signer);
    ledger::merge(
        &mut out,
        json!({
            "authMethod": s.auth_method,
            "hasPasskey": s.kind == SignerKind::Passkey,
            "chainId": ledger::DEFAULT_CHAIN,
            "safeAddress": safe,
            "keyName": s.key_name,
            "keyDisplayName": s.key_display_name,
            "eoaAddress": eoa[0]["address"],
            "eoaAddresses": eoa,
            "prfCapable": s.prf_capable,
        }),
    );
    out
}

fn existing_user(store: &Store, params: &HashMap<String, String>) -> ApiResult<String> {
    let id = params
        .get("externalUserId")
        .ok_or_else(|| ApiError::bad_request("externalUserId is required"))?;
    store
        .users
        .contains_key(id)
        .then(|| id.clone())
        .ok_or_else(|| ApiError::not_found("unknown externalUserId"))
}

fn signer_with(store: &Store, user: &str, auth_method: &str) -> ApiResult<String> {
    store.users[user]
        .signers
        .iter()
        .find(|id| {
            store
                .signers
                .get(*id)
                .is_some_and(|s| s.auth_method == auth_method)
        })
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request(format!("user has no {auth_method} signer; sign up first"))
        })
}

fn kdf_materials(
    state: &AppState,
    store: &mut Store,
    user: &str,
    salt: &[u8],
    now: Millis,
) -> Value {
    let bytes = ids::random_bytes::<32>();
    let expires_at = now + KDF_CHALLENGE_TTL_MS;
    let challenge = crate::b64::standard(&bytes);
    store.issue_challenge(
        challenge.as_bytes(),
        Purpose::Kdf {
            external_user_id: user.to_owned(),
        },
        expires_at,
    );
    let expires = iso(expires_at);
    json!({
        "externalUserId": user, "flow": "pin-kdf", "salt": crate::b64::standard(salt), "saltVersion": 1,
        "kdf": kdf::params(), "kdfParamsVersion": 1, "challenge": challenge, "challengeExpiresAt": expires,
        "serverSignature": kdf::server_signature(&state.jwt.0, &challenge, &expires, user, &state.settings.rp_id),
        "serverKeyId": kdf::SERVER_KEY_ID, "hasPasskey": false,
    })
}

/// Verifies a KDF proof (see [`kdf`]) and binds or checks the user's key; returns the user.
fn kdf_proof(state: &AppState, store: &mut Store, body: &Value, now: Millis) -> ApiResult<String> {
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request(format!("{k} is required")))
    };
    let (user, challenge, expires) = (
        field("externalUserId")?,
        field("challenge")?,
        field("challengeExpiresAt")?,
    );
    let expected = kdf::server_signature(
        &state.jwt.0,
        challenge,
        expires,
        user,
        &state.settings.rp_id,
    );
    if body.get("serverSignature").and_then(Value::as_str) != Some(expected.as_str()) {
        return Err(ApiError::bad_request(
            "serverSignature does not match the issued challenge",
        ));
    }
    match live_challenge(store, challenge.as_bytes(), now)? {
        Purpose::Kdf { external_user_id } if external_user_id == user => {}
        _ => return Err(WebauthnError::ChallengeUnknown.into()),
    }
    let public_key = kdf::verify(body, &state.settings.rp_id, now)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "INVALID_SIGNATURE", e.to_string()))?;
    store.take_challenge(challenge.as_bytes());
    let binding = store
        .users
        .get_mut(user)
        .and_then(|u| u.kdf.as_mut())
        .ok_or_else(|| ApiError::bad_request("user has no KDF signer"))?;
    match &binding.public_key {
        None => binding.public_key = Some(public_key),
        Some(bound) if *bound == public_key => {}
        Some(_) => {
            return Err(ApiError::unauthorized(
                "publicKey differs from the key bound to this user",
            ))
        }
    }
    Ok(user.to_owned())
}

fn send_otp(store: &mut Store, email: &str, user: &str, now: Millis) -> Otp {
    let code = format!(
        "{:06}",
        u32::from_be_bytes(ids::random_bytes::<4>()) % 1_000_000
    );
    let otp = Otp {
        code,
        external_user_id: user.to_owned(),
        expires_at: now + OTP_TTL_MS,
    };
    store.mailbox.insert(email.to_owned(), otp.clone());
    otp
}

/// Consumes a valid, unexpired OTP sent to the user named in `body`.
fn check_otp(store: &mut Store, body: &Value, now: Millis) -> ApiResult<String> {
    let user = body
        .get("externalUserId")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("externalUserId is required"))?;
    let code = body
        .get("emailOtp")
        .or(body.get("emailCode"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("emailOtp is required"))?;
    let email = store
        .users
        .get(user)
        .and_then(|u| u.email.clone())
        .ok_or_else(|| ApiError::bad_request("user has no e-mail wallet"))?;
    match store.mailbox.get(&email) {
        Some(otp) if otp.external_user_id == user && otp.code == code && otp.expires_at > now => {
            store.mailbox.remove(&email);
            Ok(user.to_owned())
        }
        Some(otp) if otp.code == code => Err(ApiError::unauthorized("code expired")),
        _ => Err(ApiError::unauthorized("invalid code")),
    }
}

fn siwe_challenge(
    state: &AppState,
    store: &mut Store,
    params: &HashMap<String, String>,
    now: Millis,
) -> ApiResult<Value> {
    let address = params
        .get("address")
        .filter(|a| ids::is_evm_address(a))
        .ok_or_else(|| ApiError::bad_request("address must be 0x + 40 hex digits"))?;
    let chain: u64 = params
        .get("chainId")
        .and_then(|c| c.parse().ok())
        .unwrap_or(ledger::DEFAULT_CHAIN);
    let nonce = ids::hex(&ids::random_bytes::<16>());
    let expires = now + KDF_CHALLENGE_TTL_MS;
    let message = siwe::message(&state.settings.rp_id, address, chain, &nonce, now, expires);
    store.issue_challenge(
        nonce.as_bytes(),
        Purpose::Siwe {
            address: address.to_ascii_lowercase(),
            message: message.clone(),
        },
        expires,
    );
    Ok(json!({ "challenge": { "message": message, "nonce": nonce } }))
}

fn siwe_sign_in(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
    sign_up: bool,
) -> ApiResult<Value> {
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request(format!("{k} is required")))
    };
    let (address, signature, nonce) = (field("address")?, field("signature")?, field("nonce")?);
    let Purpose::Siwe {
        address: expected,
        message,
    } = live_challenge(store, nonce.as_bytes(), now)?
    else {
        return Err(WebauthnError::ChallengeUnknown.into());
    };
    if expected != address.to_ascii_lowercase()
        || siwe::recover(&message, signature).map(|a| a.to_ascii_lowercase())
            != Some(expected.clone())
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_SIGNATURE",
            "signature does not recover to address",
        ));
    }
    store.take_challenge(nonce.as_bytes());
    let existing = store
        .signers
        .values()
        .find(|s| s.wallet_mode == WalletMode::Eoa7702 && s.safe == expected)
        .map(|s| (s.user.clone(), s.id.clone()));
    let (user, signer) = match (existing, sign_up) {
        (Some(found), _) => found,
        (None, true) => {
            let user = store.create_user(now, None);
            let checksummed = ids::checksum_address(&ids::parse_hex(&expected).unwrap_or_default());
            let signer = store.add_signer(
                &user,
                SignerKind::Eoa,
                WalletMode::Eoa7702,
                "EOA",
                checksummed,
                Some("eoa".into()),
                now,
                0,
            );
            (user, signer)
        }
        (None, false) => {
            return Err(ApiError::not_found(
                "no 7702 wallet for this address; sign up first",
            ))
        }
    };
    let safe = store.signers[&signer].safe_address(store);
    let mut out = tokens::issue(state, store, &user, &signer);
    ledger::merge(
        &mut out,
        json!({
            "authMethod": "EOA", "walletMode": "EOA_7702", "hasPasskey": false, "safe": safe,
            "delegation": { "implementation": ids::checksum_address(&ids::parse_hex(siwe::DELEGATION_PROXY).unwrap_or_default()), "chainId": ledger::DEFAULT_CHAIN },
        }),
    );
    Ok(out)
}
