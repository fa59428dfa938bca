//! `/v1.2/auth/*`: sign-up and sign-in in the four wallet modes (passkeys, kdf, email, 7702),
//! refresh, and e-mail wallet recovery (docs/api/auth.md). This module dispatches on the mode and holds
//! what the modes share; each mode lives in its own submodule.

mod email;
mod eoa;
mod passkey;
mod pin;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::jwt::Kind;
use crate::ledger;
use crate::routes::extract::{Body, Fields};
use crate::state::{AppState, Shared};
use crate::store::{Purpose, Registration, SignerKind, Store};
use crate::tokens::{self, Tenant};

pub use crate::routes::extract::Params;
use crate::views;
use crate::webauthn::WebauthnError;

use super::sign_in_extras;

pub use email::email_recover;
pub use eoa::{wallet_challenge, wallet_sign_in};
pub use passkey::verify_passkey;

/// Lifetime of KDF, e-mail and SIWE challenges.
const PROOF_CHALLENGE_TTL_MS: Millis = 5 * 60_000;

/// The wallet mode of a GET (query) or POST (body, falling back to the query and the body's
/// shape); legacy `flow=pin-kdf` means kdf.
fn wallet(params: &Params, body: Option<&Value>) -> String {
    let from_body = body.and_then(|b| b.get("wallet")).and_then(Value::as_str);
    let explicit = from_body.or(params.get("wallet"));
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

fn unknown_mode(mode: &str) -> ApiError {
    ApiError::bad_request(format!("unknown wallet mode {mode}"))
}

pub async fn sign_up_options(
    State(state): State<Shared>,
    _: Tenant,
    params: Params,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    match wallet(&params, None).as_str() {
        "passkeys" => passkey::creation_options(&state, &mut store, &params, now),
        "kdf" => pin::pending_sign_up(&state, &mut store, now),
        "email" => email::pending_sign_up(&state, &mut store, &params, now),
        "7702" => eoa::challenge(&state, &mut store, &params, now).map(Json),
        other => Err(unknown_mode(other)),
    }
}

pub async fn sign_in_options(
    State(state): State<Shared>,
    _: Tenant,
    params: Params,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    match wallet(&params, None).as_str() {
        "passkeys" => passkey::request_options(&state, &mut store, now),
        "kdf" => pin::sign_in_materials(&state, &mut store, &params, now),
        "email" => email::sign_in_code(&mut store, &params, now),
        "7702" => eoa::challenge(&state, &mut store, &params, now).map(Json),
        other => Err(unknown_mode(other)),
    }
}

pub async fn sign_up(
    State(state): State<Shared>,
    _: Tenant,
    params: Params,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    match wallet(&params, Some(&body)).as_str() {
        "passkeys" => passkey::sign_up(&state, &mut store, &body, now).map(Json),
        "kdf" => pin::sign_up(&state, &mut store, &body, now),
        "email" => email::sign_up(&state, &mut store, &body, now),
        "7702" => eoa::sign_in(&state, &mut store, &body, now, true).map(Json),
        other => Err(unknown_mode(other)),
    }
}

pub async fn sign_in(
    State(state): State<Shared>,
    _: Tenant,
    params: Params,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let (user, signer) = match wallet(&params, Some(&body)).as_str() {
        "passkeys" => passkey::sign_in(&state, &mut store, &body, now)?,
        "kdf" => {
            let user = pin::proof(&state, &mut store, &body, now)?;
            (user.clone(), signer_with(&store, &user, "PIN_KDF")?)
        }
        "email" => {
            let user = email::sign_in(&state, &mut store, &body, now)?;
            (user.clone(), signer_with(&store, &user, "EMAIL")?)
        }
        "7702" => return eoa::sign_in(&state, &mut store, &body, now, false).map(Json),
        other => return Err(unknown_mode(other)),
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
        .or(params.get("intent"));
    if intent == Some("safe_provision") {
        ledger::merge(
            &mut out,
            sign_in_extras::provision_grant(&state, &mut store, &user, &signer)?,
        );
    }
    Ok(Json(out))
}

/// `POST /v1.2/auth/refresh`: single use; a replayed or expired refresh token → 401.
pub async fn refresh(State(state): State<Shared>, Body(body): Body) -> ApiResult<Json<Value>> {
    let token = body.text("refresh_token")?;
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

fn ready_after(state: &AppState) -> Registration {
    let faults = &state.faults().config;
    let first = faults
        .not_ready_seconds
        .map_or(state.settings.address_ready_ms, |s| s as Millis * 1000);
    let ready = Registration::after(first);
    match faults.expansion_seconds {
        Some(s) => Registration {
            expansion: s as Millis * 1000,
            ..ready
        },
        None => ready,
    }
}

/// Tokens plus the account fields of passkey/KDF/e-mail auth responses (docs/api/auth.md §5, §7).
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

fn existing_user(store: &Store, params: &Params) -> ApiResult<String> {
    let id = params.require("externalUserId")?;
    store
        .users
        .contains_key(id)
        .then(|| id.to_owned())
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
