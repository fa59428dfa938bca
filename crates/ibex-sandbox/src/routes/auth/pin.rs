//! The PIN/KDF signer's auth (docs/api/auth.md §13; proof format in [`crate::kdf`]).

use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::{iso, Millis};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::kdf;
use crate::ledger;
use crate::routes::extract::Fields;
use crate::state::AppState;
use crate::store::{KdfBinding, Purpose, SignerKind, SignerSpec, Store, WalletMode};
use crate::tokens;
use crate::webauthn::WebauthnError;

use super::{
    auth_response, existing_user, live_challenge, ready_after, Params, PROOF_CHALLENGE_TTL_MS,
};

/// `GET /v1.2/auth/sign-up?wallet=kdf`: a pending user with salt, parameters and a pending token pair.
pub fn pending_sign_up(state: &AppState, store: &mut Store, now: Millis) -> ApiResult<Json<Value>> {
    let user = store.create_user(now, None);
    let salt = ids::random_bytes::<16>().to_vec();
    store.users.get_mut(&user).expect("just created").kdf = Some(KdfBinding {
        salt: salt.clone(),
        public_key: None,
    });
    let mut body = materials(state, store, &user, &salt, now);
    let user_id = store.users[&user].user_id.clone();
    ledger::merge(&mut body, tokens::issue(state, store, &user, ""));
    ledger::merge(
        &mut body,
        json!({ "userId": user_id, "authMethod": "PIN_KDF_PENDING", "emailValidationRequired": false }),
    );
    Ok(Json(body))
}

/// `GET /v1.2/auth/sign-in?wallet=kdf&externalUserId=…`.
pub fn sign_in_materials(
    state: &AppState,
    store: &mut Store,
    params: &Params,
    now: Millis,
) -> ApiResult<Json<Value>> {
    let user = existing_user(store, params)?;
    let salt = store.users[&user]
        .kdf
        .as_ref()
        .map(|k| k.salt.clone())
        .ok_or_else(|| ApiError::bad_request("user has no KDF signer"))?;
    let mut body = materials(state, store, &user, &salt, now);
    ledger::merge(&mut body, json!({ "wallet": "kdf" }));
    Ok(Json(body))
}

/// `POST /v1.2/auth/sign-up` (kdf): verify, bind the key, create the signer and its Safe.
pub fn sign_up(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
) -> ApiResult<Json<Value>> {
    let user = proof(state, store, body, now)?;
    let public_key = store.users[&user]
        .kdf
        .as_ref()
        .and_then(|k| k.public_key.clone())
        .unwrap_or_default();
    let safe = ids::address_from(&[b"safe:kdf", public_key.as_bytes()]);
    let ready = ready_after(state);
    let signer = store.add_signer(
        &user,
        SignerSpec {
            kind: SignerKind::Eoa,
            wallet_mode: WalletMode::Safe4337,
            auth_method: "PIN_KDF",
            key_name: "pin".into(),
        },
        safe,
        now,
        ready,
    );
    let mut out = auth_response(state, store, &user, &signer, now);
    ledger::merge(
        &mut out,
        json!({ "flow": "pin-kdf", "signerBound": true, "signerVersion": 1, "publicKey": public_key, "hasPasskey": false }),
    );
    Ok(Json(out))
}

fn materials(state: &AppState, store: &mut Store, user: &str, salt: &[u8], now: Millis) -> Value {
    let bytes = ids::random_bytes::<32>();
    let expires_at = now + PROOF_CHALLENGE_TTL_MS;
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
pub fn proof(state: &AppState, store: &mut Store, body: &Value, now: Millis) -> ApiResult<String> {
    let (user, public_key) = signed_proof(state, store, body, now)?;
    let binding = store
        .users
        .get_mut(&user)
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
    take_proof_challenge(store, body);
    Ok(user)
}

/// Checks a key proof over a challenge this server issued and signed (KDF, or an e-mail
/// wallet's key): `serverSignature`, the challenge still live and issued to `externalUserId`,
/// the signature by `publicKey`. Consumes nothing; returns the user and the normalised key.
pub fn signed_proof(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
) -> ApiResult<(String, String)> {
    let field = |k: &str| body.text(k);
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
    Ok((user.to_owned(), public_key))
}

/// Spends the challenge of a proof [`signed_proof`] accepted.
pub fn take_proof_challenge(store: &mut Store, body: &Value) {
    if let Some(challenge) = body.opt_text("challenge") {
        store.take_challenge(challenge.as_bytes());
    }
}
