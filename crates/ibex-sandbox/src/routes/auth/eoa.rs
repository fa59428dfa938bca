//! EIP-7702 wallets (docs/api/auth.md §12): SIWE-style challenge, signature recovery, the EOA as account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger;
use crate::routes::extract::{Body, Chain, Fields};
use crate::siwe;
use crate::state::{AppState, Shared};
use crate::store::{Purpose, SignerKind, SignerSpec, Store, WalletMode};
use crate::tokens::{self, Tenant};
use crate::webauthn::WebauthnError;

use super::{live_challenge, Params, PROOF_CHALLENGE_TTL_MS};

/// `GET /v1.2/auth/sign-up|sign-in?wallet=7702&address=…&chainId=…`.
pub fn challenge(
    state: &AppState,
    store: &mut Store,
    params: &Params,
    now: Millis,
) -> ApiResult<Value> {
    let chain = params
        .get("chainId")
        .and_then(|c| c.parse().ok())
        .unwrap_or(ledger::DEFAULT_CHAIN);
    challenge_for(state, store, params.get("address"), chain, now)
}

/// A SIWE-style message for `address` on `chain`, its nonce the single-use challenge.
fn challenge_for(
    state: &AppState,
    store: &mut Store,
    address: Option<&str>,
    chain: u64,
    now: Millis,
) -> ApiResult<Value> {
    let address = address
        .filter(|a| ids::is_evm_address(a))
        .ok_or_else(|| ApiError::bad_request("address must be 0x + 40 hex digits"))?;
    let nonce = ids::hex(&ids::random_bytes::<16>());
    let expires = now + PROOF_CHALLENGE_TTL_MS;
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

/// `POST /v1.2/auth/wallet-challenge` `{address, chainId?}` (EOA page; no schema published):
/// the same challenge as the 7702 GET.
pub async fn wallet_challenge(
    State(state): State<Shared>,
    _: Tenant,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let chain = Chain(None).with_body(&body, "chainId")?;
    let now = state.now();
    let mut store = state.store();
    challenge_for(&state, &mut store, body.opt_text("address"), chain, now).map(Json)
}

/// `POST /v1.2/auth/wallet-signin` `{address, signature, nonce, chainId?}`: verifies, creates the
/// user if new, and answers the tokens with `walletMode: "EOA_7702"` and a `delegations` entry
/// per chain (whether the EOA's code is delegated yet is not modelled).
pub async fn wallet_sign_in(
    State(state): State<Shared>,
    _: Tenant,
    Body(body): Body,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let mut store = state.store();
    let mut out = sign_in(&state, &mut store, &body, now, true)?;
    let implementation = out["delegation"]["implementation"].clone();
    out["delegations"] = json!(ledger::CHAINS
        .iter()
        .map(|c| json!({ "chainId": c.id, "implementation": implementation }))
        .collect::<Vec<_>>());
    Ok(Json(out))
}

pub fn sign_in(
    state: &AppState,
    store: &mut Store,
    body: &Value,
    now: Millis,
    sign_up: bool,
) -> ApiResult<Value> {
    let (address, signature, nonce) = (
        body.text("address")?,
        body.text("signature")?,
        body.text("nonce")?,
    );
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
                SignerSpec {
                    kind: SignerKind::Eoa,
                    wallet_mode: WalletMode::Eoa7702,
                    auth_method: "EOA",
                    key_name: "eoa".into(),
                },
                checksummed,
                now,
                crate::store::Registration::after(0),
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
