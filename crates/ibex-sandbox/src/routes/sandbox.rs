//! The test-only API under `/__sandbox` (always on: this is a sandbox). A contract other tests
//! code against — keep the shapes stable.

use axum::extract::{Path, State};
use axum::response::Html;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::clock::iso;
use crate::error::{ApiError, ApiResult};
use crate::faults::{ActiveFaults, Faults};
use crate::ids;
use crate::ledger;
use crate::state::{frame, Event, Shared};
use crate::store::{SignerKind, SignerSpec, WalletMode};
use crate::tokens;
use crate::views;

pub async fn counters(State(state): State<Shared>) -> Json<Value> {
    Json(state.counters.snapshot())
}

pub async fn clock(State(state): State<Shared>) -> Json<Value> {
    Json(json!({ "now": iso(state.now()), "timeScale": state.clock.scale() }))
}

#[derive(Deserialize)]
pub struct Advance {
    seconds: i64,
}

pub async fn advance(
    State(state): State<Shared>,
    Json(body): Json<Advance>,
) -> ApiResult<Json<Value>> {
    if body.seconds < 0 {
        return Err(ApiError::bad_request(
            "seconds must be ≥ 0: the clock never goes back",
        ));
    }
    state.clock.advance(body.seconds);
    // Apply what became due and push its events now rather than on the next request.
    drop(state.store());
    Ok(Json(json!({ "now": iso(state.now()) })))
}

pub async fn faults(State(state): State<Shared>) -> Json<Value> {
    Json(json!(state.faults().config))
}

pub async fn set_faults(
    State(state): State<Shared>,
    Json(update): Json<Faults>,
) -> ApiResult<Json<Value>> {
    update.validate()?;
    if update.expire_access_tokens == Some(true) {
        let mut store = state.store();
        store.access_revoked_through = store.sequence;
        let through = store.sequence;
        state.control.send_modify(|c| c.revoked_through = through);
    }
    if update.drop_web_sockets == Some(true) {
        state.control.send_modify(|c| c.drop_generation += 1);
    }
    let mut active = state.faults();
    active.merge(update);
    Ok(Json(json!(active.config)))
}

pub async fn clear_faults(State(state): State<Shared>) -> Json<Value> {
    *state.faults() = ActiveFaults::default();
    Json(json!({}))
}

pub async fn mailbox(
    State(state): State<Shared>,
    Path(email): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let otp = store
        .mailbox
        .get(&email)
        .ok_or_else(|| ApiError::not_found("no code sent to this address"))?;
    Ok(Json(
        json!({ "code": otp.code, "expiresAt": iso(otp.expires_at) }),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRecovery {
    safe_address: String,
}

/// The guardian starts a recovery: the owner sees `pendingRecovery` and `executeAfter`.
pub async fn start_recovery(
    State(state): State<Shared>,
    Json(body): Json<StartRecovery>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let safe = store
        .safes
        .get_mut(&body.safe_address.to_ascii_lowercase())
        .ok_or_else(|| ApiError::bad_request("unknown safe address"))?;
    if !safe.recovery.enabled {
        return Err(ApiError::bad_request(
            "recovery is not enabled for this Safe",
        ));
    }
    safe.recovery.execute_after = Some(now + state.settings.recovery_delay_s * 1000);
    let (user, safe) = (safe.user.clone(), safe.clone());
    let status = views::recovery(&store, &safe, state.settings.recovery_delay_s, now);
    let mut data = status.clone();
    if let Some(map) = data.as_object_mut() {
        map.retain(|k, _| {
            [
                "safeAddress",
                "recoveryEnabled",
                "recoveryAddress",
                "delay",
                "pendingRecovery",
                "canExecute",
                "executeAfter",
            ]
            .contains(&k.as_str())
        });
    }
    state.publish(Event {
        user,
        frame: frame("recovery_data", data, now),
    });
    Ok(Json(status))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    external_user_id: Option<String>,
}

/// A signed-in test user with a Safe on every chain, skipping the ceremony. The signer is a
/// passkey signer without a credential, so operations can be prepared but not signed.
pub async fn session(State(state): State<Shared>, body: Option<Json<NewSession>>) -> Json<Value> {
    let now = state.now();
    let wanted = body.and_then(|Json(b)| b.external_user_id);
    let mut store = state.store();
    let existing = wanted
        .as_ref()
        .and_then(|id| store.users.get(id))
        .and_then(|u| u.signers.first().cloned());
    let (user, signer) = match (wanted, existing) {
        (Some(user), Some(signer)) => (user, signer),
        (wanted, _) => {
            let user = match wanted {
                Some(id) if store.users.contains_key(&id) => id,
                other => store.create_user(now, other),
            };
            let safe = ids::address_from(&[b"safe:session", user.as_bytes()]);
            let ready = crate::store::Registration::after(
                state
                    .faults()
                    .config
                    .not_ready_seconds
                    .map_or(0, |s| s as i64 * 1000),
            );
            let signer = store.add_signer(
                &user,
                SignerSpec {
                    kind: SignerKind::Passkey,
                    wallet_mode: WalletMode::Safe4337,
                    auth_method: "PASSKEY",
                    key_name: "sandbox-session".into(),
                },
                safe,
                now,
                ready,
            );
            (user, signer)
        }
    };
    let mut out = tokens::issue(&state, &mut store, &user, &signer);
    let safe = store.signers[&signer].safe.clone();
    let safe_map = store
        .safes
        .get(&safe)
        .map(|s| views::safe_address_map(s, now))
        .unwrap_or(json!({}));
    ledger::merge(
        &mut out,
        json!({
            "authMethod": "PASSKEY", "hasPasskey": true, "chainId": ledger::DEFAULT_CHAIN,
            "safeAddress": safe_map, "signerId": signer, "externalUserId": user,
        }),
    );
    Json(out)
}

/// An empty page on the sandbox's own origin, for browser tests that need a secure context.
pub async fn blank() -> Html<&'static str> {
    Html("<!doctype html><html><head><meta charset=\"utf-8\"><title>ibex-sandbox</title></head><body></body></html>")
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seed {
    safe_address: String,
    chain_id: u64,
    token_address: String,
    /// Whole tokens, decimal text (e.g. `"1.000000000000000001"`).
    amount: String,
    #[serde(default)]
    direction: Option<ledger::Direction>,
    /// How many identical transfers (for pagination tests); default 1, at most 500.
    #[serde(default)]
    count: Option<u32>,
    #[serde(default)]
    counterparty: Option<String>,
}

/// Seeds the ledger: `count` transfers of `amount` into (or out of) a Safe, one second apart
/// and newest last, applied to its balance like a real deposit. Answers the rows as
/// `GET /v1.2/users/me/transactions` prints them.
pub async fn seed_transfers(
    State(state): State<Shared>,
    Json(body): Json<Seed>,
) -> ApiResult<Json<Value>> {
    let token = ledger::token(body.chain_id, &body.token_address)
        .ok_or_else(|| ApiError::bad_request("unknown token on this chain"))?;
    let value = crate::amount::parse(&body.amount, token.decimals)
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            ApiError::bad_request("amount must be a positive decimal within the token's decimals")
        })?;
    let count = body.count.unwrap_or(1);
    if !(1..=500).contains(&count) {
        return Err(ApiError::bad_request("count must be within 1–500"));
    }
    let direction = body.direction.unwrap_or(ledger::Direction::In);
    let counterparty = body
        .counterparty
        .unwrap_or_else(|| ids::address_from(&[b"sandbox-seed", &body.chain_id.to_be_bytes()]));
    let now = state.now();
    let mut store = state.store();
    let seed = store.seed;
    let safe = store
        .safes
        .get_mut(&body.safe_address.to_ascii_lowercase())
        .ok_or_else(|| ApiError::bad_request("unknown safe address"))?;
    let balance = safe
        .balances
        .entry(body.chain_id)
        .or_default()
        .entry(token.address.to_ascii_lowercase())
        .or_default();
    let total = value * u128::from(count);
    *balance = match direction {
        ledger::Direction::In => *balance + total,
        ledger::Direction::Out => balance
            .checked_sub(total)
            .ok_or_else(|| ApiError::bad_request("insufficient balance for these transfers"))?,
    };
    let (from, to) = match direction {
        ledger::Direction::In => (counterparty, safe.address.clone()),
        ledger::Direction::Out => (safe.address.clone(), counterparty),
    };
    let first = safe.transfers.len();
    let rows: Vec<Value> = (0..count)
        .map(|i| {
            let at = now - i64::from(count - i) * 1000;
            let transfer = ledger::Transfer {
                chain: body.chain_id,
                hash: ids::hex_0x(&ids::seeded(
                    seed,
                    &format!("seed|{}|{first}|{i}|{now}", safe.address),
                )),
                block: 10_000_000 + (at / 1000) as u64 % 1_000_000,
                at,
                from: from.clone(),
                to: to.clone(),
                token: token.address.to_ascii_lowercase(),
                value,
                direction,
                watched: safe.address.clone(),
            };
            let row = ledger::transfer_row(&transfer, true);
            safe.transfers.push(transfer);
            row
        })
        .collect();
    safe.transfers.sort_by_key(|t| std::cmp::Reverse(t.at));
    Ok(Json(json!({ "transfers": rows })))
}

/// Every transfer of a Safe, newest first, as the transactions route prints them.
pub async fn ledger_of(
    State(state): State<Shared>,
    Path(safe): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let safe = store
        .safes
        .get(&safe.to_ascii_lowercase())
        .ok_or_else(|| ApiError::not_found("unknown safe address"))?;
    let rows: Vec<Value> = safe
        .transfers
        .iter()
        .map(|t| ledger::transfer_row(t, true))
        .collect();
    // Each chain's registration completes a moment after the sign-up (IBEx deploys the Safe
    // chain by chain): tests wait for all of them instead of sleeping.
    let now = state.now();
    let chains: Vec<Value> = safe
        .chains
        .iter()
        .map(|(chain, at)| json!({ "chainId": chain, "registered": *at <= now }))
        .collect();
    Ok(Json(json!({ "transfers": rows, "chains": chains })))
}

/// `POST /__sandbox/wallet/sign` `{privateKey, message}` → `{address, signature}`: the user's
/// other wallet (MetaMask, a hardware wallet) in browser tests, which have no secp256k1 of
/// their own. EIP-191 `personal_sign`, `r ‖ s ‖ v` with v = 27/28, as wallets answer.
pub async fn wallet_sign(
    crate::routes::extract::Body(body): crate::routes::extract::Body,
) -> ApiResult<Json<Value>> {
    use crate::routes::extract::Fields;
    let key = ids::parse_hex(body.text("privateKey")?)
        .and_then(|k| k256::ecdsa::SigningKey::from_slice(&k).ok())
        .ok_or_else(|| ApiError::bad_request("privateKey must be 32 bytes of hex"))?;
    let message = body.text("message")?;
    let (sig, rec) = key
        .sign_prehash_recoverable(&crate::siwe::personal_hash(message))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut bytes = sig.to_bytes().to_vec();
    bytes.push(27 + rec.to_byte());
    let address = crate::siwe::eth_address(key.verifying_key());
    Ok(Json(
        json!({ "address": address, "signature": ids::hex_0x(&bytes) }),
    ))
}
