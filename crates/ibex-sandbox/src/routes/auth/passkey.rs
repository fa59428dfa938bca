//! Passkey sign-up and sign-in (docs/api/auth.md §3–§7): options with the PRF salt, and credential
//! verification against the stored key.

use axum::Json;
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger;
use crate::state::AppState;
use crate::store::{Purpose, SignerKind, SignerSpec, Store, WalletMode};
use crate::webauthn::{self, ClientData, CounterUpdate, WebauthnError};

use super::{auth_response, live_challenge, ready_after, Params};

/// SHA-256("ibexfi:prf:v1:master|rpId:<rpId>") — the PRF salt of docs/api/auth.md §3.5.
fn prf_salt(rp_id: &str) -> String {
    crate::b64::url(&ids::sha256(&[format!(
        "ibexfi:prf:v1:master|rpId:{rp_id}"
    )
    .as_bytes()]))
}

/// `GET /v1.2/auth/sign-up?wallet=passkeys`: creation options under `credentialRequestOptions`.
pub fn creation_options(
    state: &AppState,
    store: &mut Store,
    params: &Params,
    now: Millis,
) -> ApiResult<Json<Value>> {
    let rp_id = state.settings.rp_id.clone();
    let handle = ids::random_bytes::<16>();
    let n = store.next();
    let name = params
        .get("user.name")
        .or(params.get("userName"))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("sandbox-user-{n}"));
    let display = params
        .get("user.displayname")
        .or(params.get("userDisplayName"))
        .map(str::to_owned)
        .unwrap_or_else(|| name.clone());
    let key_name = params
        .get("keyName")
        .map(str::to_owned)
        .unwrap_or_else(|| "passkey".into());
    let key_display_name = params
        .get("keyDisplayName")
        .map(str::to_owned)
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

/// `GET /v1.2/auth/sign-in?wallet=passkeys`: discoverable-credential request options.
pub fn request_options(state: &AppState, store: &mut Store, now: Millis) -> ApiResult<Json<Value>> {
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

pub fn sign_up(state: &AppState, store: &mut Store, body: &Value, now: Millis) -> ApiResult<Value> {
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
        SignerSpec {
            kind: SignerKind::Passkey,
            wallet_mode: WalletMode::Safe4337,
            auth_method: "PASSKEY",
            key_name,
        },
        safe,
        now,
        ready,
    );
    // The Safe's owner is the passkey's WebAuthn signer contract (docs/api/auth.md §3.5).
    if let (Some(owner), Some(safe)) = (
        crate::signer_factory::owner_of_key(&accepted.public_key),
        store.safes.get_mut(&store.signers[&signer].safe),
    ) {
        safe.owners = vec![owner];
    }
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

pub fn sign_in(
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
    // IBEx finds the account by credential id; a userHandle that differs from the creation
    // options' user.id (some authenticators rewrite it) does not make a known credential fail.
    let update = webauthn::verify_assertion(
        credential,
        client,
        &state.settings.origins,
        &stored.public_key,
        stored.counter,
        true,
    )?;
    let stored = store.credentials.get_mut(&id).expect("present");
    match update {
        CounterUpdate::Advanced(counter) => stored.counter = counter,
        CounterUpdate::NotCounting { after_nonzero } => {
            if after_nonzero {
                state.counters.sign_count_warning();
            }
        }
    }
    Ok(stored.signer.clone())
}
