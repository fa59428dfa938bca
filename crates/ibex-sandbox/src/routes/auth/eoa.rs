//! EIP-7702 wallets (docs/api/auth.md §12): SIWE-style challenge, signature recovery, the EOA as account.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::clock::Millis;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::ledger;
use crate::siwe;
use crate::state::AppState;
use crate::store::{Purpose, SignerKind, SignerSpec, Store, WalletMode};
use crate::tokens;
use crate::webauthn::WebauthnError;

use super::{live_challenge, Params, PROOF_CHALLENGE_TTL_MS};

pub fn challenge(
    state: &AppState,
    store: &mut Store,
    params: &Params,
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

pub fn sign_in(
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
                SignerSpec {
                    kind: SignerKind::Eoa,
                    wallet_mode: WalletMode::Eoa7702,
                    auth_method: "EOA",
                    key_name: "eoa".into(),
                },
                checksummed,
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
