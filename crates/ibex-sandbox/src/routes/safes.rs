//! `/v1.2/safes/*`: operation prepare/execute/status, recovery status and the Bitcoin reads
//! (docs/api/operations.md).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::amount;
use crate::bitcoin;
use crate::clock::iso;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::operations::{self, check_executable};
use crate::routes::auth::{live_challenge, verify_passkey};
use crate::routes::extract::{Body, Chain, Fields, Params};
use crate::state::{frame, Event, Shared};
use crate::store::{OpStatus, Operation, Purpose};
use crate::tokens::Session;
use crate::views;
use crate::webauthn::{ClientData, WebauthnError};

/// `POST /v1.2/safes/operations` (also `/intent`, `/batch-intent`): validate, freeze, challenge.
pub async fn prepare(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let address = body.text("safeAddress")?;
    let items = body
        .get("operations")
        .and_then(Value::as_array)
        .filter(|o| !o.is_empty())
        .ok_or_else(|| ApiError::bad_request("operations must be a non-empty array"))?;
    let chain = chain.with_body(&body, "chainId")?;
    let mut store = state.store();
    let safe = session.safe(&store, address)?;
    if !safe.registered(now).contains(&chain) {
        return Err(ApiError::bad_request(format!(
            "safe is not registered on chain {chain}"
        )));
    }
    // The `substituteRecipient` fault: IBEx builds the operation, so a compromised IBEx can
    // build a different one than asked; only checking the result after execution shows it.
    let mut substituted = items.clone();
    if let Some(to) = state.faults().take_substitute_recipient() {
        if let Some(item) = substituted.iter_mut().find(|i| i.get("to").is_some()) {
            item["to"] = Value::String(to);
        }
    }
    let items = &substituted;
    let mut plans = Vec::new();
    let mut prepared = None;
    for item in items {
        let (plan, extra) = operations::plan(&store, safe, chain, item, now)?;
        plans.push(plan);
        prepared = prepared.or(extra);
    }
    check_executable(&store, safe, chain, &plans, now)?;
    let in_flight = store
        .operations
        .values()
        .filter(|o| {
            o.safe == safe.address.to_ascii_lowercase()
                && matches!(o.status, OpStatus::Created | OpStatus::Signed)
        })
        .count() as u64;
    let nonce = safe.nonce + in_flight;
    let hash = operations::user_op_hash(chain, &safe.address, nonce, items);
    let user_op_hash = ids::hex_0x(&hash);
    let safe_key = safe.address.to_ascii_lowercase();
    let signer = store.signers.get(&session.0.sid);
    let allow: Vec<Value> = signer
        .and_then(|s| s.credential_id.clone())
        .map(|id| json!({ "id": id, "type": "public-key", "transports": ["internal"] }))
        .into_iter()
        .collect();
    let expires_at = now + state.settings.intent_ttl_ms;
    let batch_id = ids::hex(&hash[..12]);
    let challenge = store.issue_challenge(
        &hash,
        Purpose::Operation {
            user_op_hash: user_op_hash.clone(),
        },
        expires_at,
    );
    store.operations.insert(
        user_op_hash.clone(),
        Operation {
            user_op_hash: user_op_hash.clone(),
            batch_id: batch_id.clone(),
            nonce,
            safe: safe_key,
            chain,
            signer: session.0.sid.clone(),
            items: items.clone(),
            plans,
            status: OpStatus::Created,
            created_at: now,
            updated_at: now,
            expires_at,
            signed_at: None,
            transaction_hash: None,
            error: None,
        },
    );
    for plan in store.operations[&user_op_hash].plans.clone() {
        if let operations::Plan::Route { route_id } = plan {
            if let Some(route) = store.routes.get_mut(&route_id) {
                route.user_op_hash = Some(user_op_hash.clone());
            }
        }
    }
    let mut out = json!({
        "credentialRequestOptions": {
            "challenge": challenge, "rpId": state.settings.rp_id, "userVerification": "required",
            "timeout": state.settings.challenge_ttl_ms, "allowCredentials": allow,
        },
        "data": { "userOpHash": user_op_hash },
        "batchId": batch_id,
        "expiresAt": iso(expires_at),
    });
    if let Some(prepared) = prepared {
        out["prepared"] = prepared;
    }
    Ok(Json(out))
}

/// `POST /v1.2/safes/operations/batch-intent` (docs/api/operations.md §2): like a prepare, except that
/// Hyperliquid operations are `NOT_IMPLEMENTED` in batches.
pub async fn batch_intent(
    state: State<Shared>,
    session: Session,
    chain: Chain,
    body: Body,
) -> ApiResult<Json<Value>> {
    let hyperliquid = body
        .0
        .get("operations")
        .and_then(Value::as_array)
        .is_some_and(|ops| {
            ops.iter().any(|o| {
                o.opt_text("type")
                    .is_some_and(|t| t.starts_with("HYPERLIQUID_"))
            })
        });
    if hyperliquid {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            "Hyperliquid operations cannot be batched; send them alone to /v1.2/safes/operations",
        ));
    }
    prepare(state, session, chain, body).await
}

/// `PUT /v1.2/safes/operations` (also `/batch-execute`): the assertion's challenge names the
/// intent; its signature must come from the signer that prepared it.
pub async fn execute(
    State(state): State<Shared>,
    session: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let credential = body
        .get("credential")
        .ok_or_else(|| ApiError::bad_request("credential is required"))?;
    let client = ClientData::from_credential(credential)?;
    let mut store = state.store();
    let user_op_hash = match live_challenge(&mut store, &client.challenge, now) {
        Ok(Purpose::Operation { user_op_hash }) => user_op_hash,
        Err(WebauthnError::ChallengeExpired) => {
            return Err(ApiError::new(
                StatusCode::GONE,
                "GONE",
                "intent expired; prepare the operation again",
            ))
        }
        Ok(_) | Err(_) => return Err(WebauthnError::ChallengeUnknown.into()),
    };
    let op = store
        .operations
        .get(&user_op_hash)
        .cloned()
        .ok_or(WebauthnError::ChallengeUnknown)?;
    let safe = session.safe(&store, &op.safe)?.address.clone();
    let batch_id = op.batch_id.clone();
    verify_passkey(&state, &mut store, credential, &client, Some(&op.signer))?;
    store.take_challenge(&client.challenge);
    let wallet_mode = store
        .signers
        .get(&op.signer)
        .map(|s| json!(s.wallet_mode))
        .unwrap_or(json!("SAFE_4337"));
    let op = store.operations.get_mut(&user_op_hash).expect("present");
    op.status = OpStatus::Signed;
    op.signed_at = Some(now);
    op.updated_at = now;
    let status = operations::status_json(op, None);
    state.publish(Event {
        user: session.0.sub.clone(),
        frame: frame("operation_status", status, now),
    });
    Ok(Json(
        json!({ "userOpHash": user_op_hash, "status": "SIGNED", "safeAddress": safe, "success": true, "walletMode": wallet_mode, "batchId": batch_id }),
    ))
}

pub async fn status(
    State(state): State<Shared>,
    session: Session,
    Path(hash): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let op = store
        .operations
        .get(&hash.to_ascii_lowercase())
        .ok_or_else(|| ApiError::not_found("unknown userOpHash"))?;
    let safe = session
        .safe(&store, &op.safe)
        .map_err(|_| ApiError::not_found("unknown userOpHash"))?;
    Ok(Json(operations::status_json(op, Some(safe))))
}

/// `GET /v1.2/recovery/status/{safe}` and the `/v1.1` alias.
pub async fn recovery_status(
    State(state): State<Shared>,
    session: Session,
    Path(address): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let safe = session.safe(&store, &address)?;
    Ok(Json(views::recovery(
        &store,
        safe,
        state.settings.recovery_delay_s,
        state.now(),
    )))
}

pub async fn bitcoin_info(_: Session, params: Params) -> ApiResult<Json<Value>> {
    let network = bitcoin::network(params.get("network"))?;
    let chain = if network == "mainnet" { "main" } else { "test" };
    Ok(Json(
        json!({ "network": network, "rpc": { "chain": chain, "blocks": 2_800_000, "headers": 2_800_000, "verificationprogress": 1, "initialblockdownload": false, "pruned": false } }),
    ))
}

pub async fn bitcoin_fees(_: Session, params: Params) -> ApiResult<Json<Value>> {
    bitcoin::network(params.get("network"))?;
    let rates: serde_json::Map<String, Value> = bitcoin::FEE_RATES
        .iter()
        .map(|(p, r)| ((*p).to_owned(), json!(r)))
        .collect();
    Ok(Json(json!({ "feeRateSatVb": rates })))
}

/// `GET /v1.2/safes/bitcoin/utxos?address=&network=`: the sandbox funds the Bitcoin addresses
/// it derived; any other address has none.
pub async fn bitcoin_utxos(
    State(state): State<Shared>,
    _: Session,
    params: Params,
) -> ApiResult<Json<Value>> {
    let network = bitcoin::network(params.get("network"))?;
    let address = params.require("address")?;
    let utxos = bitcoin::utxos(&state.store(), address);
    Ok(Json(
        json!({ "address": address, "network": network, "utxos": utxos }),
    ))
}

pub async fn bitcoin_prepare(
    State(state): State<Shared>,
    _: Session,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    bitcoin::prepare(&state.store(), &body).map(Json)
}

pub async fn bitcoin_broadcast(_: Session, Body(body): Body) -> ApiResult<Json<Value>> {
    let raw = body
        .get("rawtx")
        .and_then(Value::as_str)
        .and_then(ids::parse_hex)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ApiError::bad_request("rawtx must be hex"))?;
    // txid = double SHA-256 of the raw transaction, byte-reversed.
    let mut txid = ids::sha256(&[&ids::sha256(&[&raw])]);
    txid.reverse();
    Ok(Json(json!({ "txid": ids::hex(&txid) })))
}

pub async fn not_implemented() -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "NOT_IMPLEMENTED",
        "Not implemented (placeholder)",
    )
}

/// `PUT /v1.2/safes/{safe}/automation-module/config` (docs/api/operations.md §6): validates the field
/// rules, merges into the module's policy, and names the stored columns it changed.
pub async fn automation_config(
    State(state): State<Shared>,
    session: Session,
    chain: Chain,
    Path(address): Path<String>,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let fields = body
        .as_object()
        .filter(|b| !b.is_empty())
        .ok_or_else(|| ApiError::bad_request("No fields to update"))?;
    let chain = chain.or_default();
    let mut store = state.store();
    let now = state.now();
    let safe = store
        .safes
        .get_mut(&address.to_ascii_lowercase())
        .filter(|s| s.user == session.0.sub && s.registered(now).contains(&chain))
        .ok_or_else(|| ApiError::not_found("Safe not found for this chain"))?;
    let mut config = safe
        .automation
        .clone()
        .unwrap_or(json!({ "enabled": false }));
    let mode = fields
        .get("mode")
        .or(config.get("transferMode"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let percent = |v: &Value| v.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p));
    let decimal_or_null =
        |v: &Value| v.is_null() || v.as_str().is_some_and(|s| amount::parse(s, 18).is_some());
    let mut updated = Vec::new();
    const FIELDS: [&str; 12] = [
        "mode",
        "targetAddress",
        "percentage",
        "fixedAmount",
        "maxWalletPercentage",
        "minIntervalMinutes",
        "periodCapAmount",
        "periodCap",
        "periodCapMinutes",
        "frequency",
        "tokenAddress",
        "enabled",
    ];
    if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!("unknown field {unknown}")));
    }
    // In the documented column order, so `updated` reads like IBEx's.
    for (key, value) in FIELDS.iter().filter_map(|k| fields.get_key_value(*k)) {
        let (ok, column) = match key.as_str() {
            "targetAddress" | "tokenAddress" => (
                value.as_str().is_some_and(ids::is_evm_address),
                key.as_str(),
            ),
            "mode" => (
                matches!(value.as_str(), Some("PERCENT_OF_RECEIVED" | "FIXED_AMOUNT")),
                "transferMode",
            ),
            "percentage" => (
                percent(value) && mode.as_deref() == Some("PERCENT_OF_RECEIVED"),
                key.as_str(),
            ),
            "fixedAmount" => (
                decimal_or_null(value) && mode.as_deref() == Some("FIXED_AMOUNT"),
                key.as_str(),
            ),
            "maxWalletPercentage" => (
                percent(value) && mode.as_deref() == Some("FIXED_AMOUNT"),
                key.as_str(),
            ),
            "minIntervalMinutes" => (value.as_u64().is_some(), key.as_str()),
            "periodCapAmount" => (decimal_or_null(value), key.as_str()),
            "periodCap" => (
                value.is_null()
                    || matches!(
                        value.as_str(),
                        Some("HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY")
                    ),
                key.as_str(),
            ),
            "periodCapMinutes" => (
                value.is_null() || value.as_u64().is_some_and(|m| m >= 1),
                key.as_str(),
            ),
            "frequency" => (
                matches!(
                    value.as_str(),
                    Some("DAILY" | "WEEKLY" | "90_DAYS" | "NONE")
                ),
                key.as_str(),
            ),
            "enabled" => (value.is_boolean(), key.as_str()),
            _ => (false, key.as_str()),
        };
        if !ok {
            return Err(ApiError::bad_request(format!(
                "invalid {key} (or not allowed with mode {})",
                mode.as_deref().unwrap_or("unset")
            )));
        }
        config[column] = value.clone();
        let mut chars = column.chars();
        let first = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .unwrap_or_default();
        updated.push(format!("module{first}{}", chars.as_str()));
    }
    let cap_set = |k: &str| config.get(k).is_some_and(|v| !v.is_null());
    if cap_set("periodCap") && cap_set("periodCapMinutes") {
        return Err(ApiError::bad_request(
            "periodCap and periodCapMinutes are exclusive",
        ));
    }
    if (cap_set("periodCap") || cap_set("periodCapMinutes")) && !cap_set("periodCapAmount") {
        return Err(ApiError::bad_request(
            "periodCap/periodCapMinutes require periodCapAmount",
        ));
    }
    safe.automation = Some(config);
    Ok(Json(json!({ "success": true, "updated": updated })))
}

/// `GET /v1.2/safes/operations/batch/{batchId}/status` (docs/api/operations.md §2).
pub async fn batch_status(
    State(state): State<Shared>,
    session: Session,
    Path(batch_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let op = store
        .operations
        .values()
        .find(|o| {
            o.batch_id == batch_id
                && store
                    .safes
                    .get(&o.safe)
                    .is_some_and(|s| s.user == session.0.sub)
        })
        .ok_or_else(|| ApiError::not_found("unknown batchId"))?;
    let status = operations::status_json(op, store.safes.get(&op.safe));
    Ok(Json(json!({
        "batchId": batch_id, "safeAddress": status["safeAddress"], "chainId": op.chain, "status": op.status,
        "userOpHash": op.user_op_hash, "operations": status["operations"], "expiresAt": iso(op.expires_at),
    })))
}
