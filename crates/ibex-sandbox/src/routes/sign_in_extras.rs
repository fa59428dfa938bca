//! Optional sign-in follow-ups: asynchronous enrichment (`asyncData`, docs/api/auth.md §8, docs/api/gaps.md G8)
//! and extra Safes through a safe-provision grant (docs/api/auth.md §9).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::jwt::{self, Kind};
use crate::ledger;
use crate::routes::extract::Body;
use crate::state::{AppState, Shared};
use crate::store::{DataRequest, SignerKind, Store, WalletMode};
use crate::tokens;
use crate::views;

/// The data is "computed" for a second, and the id lives ≈180 s (mirror SDK doc).
const DATA_READY_MS: Millis = 1_000;
const DATA_TTL_MS: Millis = 180_000;

pub fn defer_enrichment(
    store: &mut Store,
    user: &str,
    signer: &str,
    flags: &Value,
    now: Millis,
) -> String {
    let id = ids::hex(&store.new_id("data")[..16]);
    let request = DataRequest {
        user: user.to_owned(),
        signer: signer.to_owned(),
        flags: flags.clone(),
        created_at: now,
    };
    store.data_requests.insert(id.clone(), request);
    id
}

/// `GET /v1.2/auth/sign-in/data/{dataRequestId}` → `{dataRequestId, dataStatus, balance?,
/// transactions?, userdata?}`; 404 once expired.
pub async fn data(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let now = state.now();
    let store = state.store();
    let request = store
        .data_requests
        .get(&id)
        .filter(|r| r.created_at + DATA_TTL_MS > now)
        .ok_or_else(|| ApiError::not_found("unknown or expired dataRequestId"))?;
    let mut out = json!({ "dataRequestId": id, "dataStatus": "PENDING" });
    if request.created_at + DATA_READY_MS <= now {
        out["dataStatus"] = json!("READY");
        let extra = views::enrichment(
            &store,
            &state.settings.rp_id,
            &request.user,
            &request.signer,
            &request.flags,
            now,
        );
        ledger::merge(&mut out, Value::Object(extra));
    }
    Ok(Json(out))
}

/// `safe_provision_token` + `safe_provision_expires_in` for a passkey signer in SAFE_4337 mode.
pub fn provision_grant(
    state: &AppState,
    store: &mut Store,
    user: &str,
    signer: &str,
) -> ApiResult<Value> {
    let s = &store.signers[signer];
    if s.kind != SignerKind::Passkey || s.wallet_mode != WalletMode::Safe4337 {
        return Err(ApiError::bad_request(
            "safe provisioning needs a PASSKEY signer in SAFE_4337 mode",
        ));
    }
    let token = tokens::sign(
        state,
        store,
        user,
        signer,
        Kind::SafeProvision,
        jwt::SAFE_PROVISION_TTL_S,
    );
    Ok(
        json!({ "safe_provision_token": token, "safe_provision_expires_in": jwt::SAFE_PROVISION_TTL_S }),
    )
}

/// `POST /v1.2/auth/sign-in/safe-provision` with the grant as bearer:
/// `{blockchainId, saltNonce}` → a new counterfactual Safe for that salt on that chain.
pub async fn provision(
    State(state): State<Shared>,
    headers: HeaderMap,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("missing safe_provision_token"))?;
    let claims = state
        .jwt
        .verify(token, Kind::SafeProvision, &state.settings.rp_id, now)
        .map_err(|e| ApiError::unauthorized(e.to_string()))?;
    let chain = body
        .get("blockchainId")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::bad_request("blockchainId is required"))?;
    let salt = body
        .get("saltNonce")
        .and_then(Value::as_str)
        .filter(|s| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_digit())
                && !s.trim_start_matches('0').is_empty()
        })
        .ok_or_else(|| ApiError::bad_request("saltNonce must be a decimal string ≥ 1"))?;
    if ledger::chain(chain).is_none() {
        return Err(ApiError::bad_request(format!(
            "chain {chain} is not active"
        )));
    }
    let mut store = state.store();
    if !store.consumed_tokens.insert(claims.jti) {
        return Err(ApiError::unauthorized("safe_provision_token already used"));
    }
    let primary = store
        .signers
        .get(&claims.sid)
        .map(|s| s.safe.clone())
        .ok_or_else(|| ApiError::unauthorized("unknown signer"))?;
    let address = ids::address_from(&[b"safe:salt", primary.as_bytes(), salt.as_bytes()]);
    if let Some(existing) = store.safes.get_mut(&address.to_ascii_lowercase()) {
        if existing.chains.contains_key(&chain) {
            return Err(ApiError::conflict("saltNonce already used on this chain"));
        }
        existing.chains.insert(chain, now);
    } else {
        store.add_safe(
            address.clone(),
            &claims.sub,
            &claims.sid,
            now,
            BTreeMap::from([(chain, now)]),
        );
    }
    Ok(Json(json!({
        "address": address, "blockchainId": chain, "saltNonce": salt, "deploySaltNonce": salt,
        "safe_provision_expires_in": jwt::SAFE_PROVISION_TTL_S,
    })))
}
