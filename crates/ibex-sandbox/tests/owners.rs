//! What a wallet reads through `POST /{chainId}/rpc` for owners and derived wallets, tried as a
//! new user would: the passkey Safe's owner is the passkey's WebAuthn signer (Safe's factory
//! `getSigner(x, y, verifiers)` answers it for the registration's key, and another key or other
//! verifiers answer another address); owner operations change what `getOwners` and
//! `getThreshold` say, and the last owner cannot be removed; Solana chains speak Solana's
//! JSON-RPC (`getBalance` of a derived address, errors for the rest).

mod common;

use common::{token, ORIGIN};
use ibex_sandbox::webauthn::{verify_registration, ClientData, OriginPolicy};
use passkey_soft::Authenticator;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ARB: u64 = 421_614;
const FACTORY: &str = "0x1d31F259eE307358a26dFb23EB365939E8641195";
const VERIFIERS: &str = "445a0683e494ea0c5af3e83c5159fbe47cf9e765";

async fn rpc(h: &common::Harness, chain: u64, method: &str, params: Value) -> Value {
    let (status, body) = h
        .post(
            &format!("/{chain}/rpc"),
            None,
            json!({ "jsonrpc": "2.0", "id": 7, "method": method, "params": params }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn call(h: &common::Harness, to: &str, data: String) -> String {
    let body = rpc(
        h,
        ARB,
        "eth_call",
        json!([{ "to": to, "data": data }, "latest"]),
    )
    .await;
    body["result"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

fn word_address(hex: &str, index: usize) -> String {
    let hex = hex.trim_start_matches("0x");
    format!("0x{}", &hex[index * 64 + 24..(index + 1) * 64])
}

#[tokio::test]
async fn a_passkey_owns_its_safe_through_its_webauthn_signer_and_owner_changes_are_read_back() {
    let h = common::start().await;
    let authenticator = Authenticator::new();
    let (_, options) = h
        .get("/v1.2/auth/sign-up?wallet=passkeys&rpId=localhost", None)
        .await;
    let credential = authenticator.create(&options, ORIGIN).unwrap();
    let (status, auth) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            json!({ "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{auth}");
    h.advance(5).await;
    let safe = common::safe_on(&auth, ARB);
    let key = verify_registration(
        &credential,
        &ClientData::from_credential(&credential).unwrap(),
        &OriginPolicy {
            rp_id: "localhost".into(),
            allowed: vec![],
        },
        false,
    )
    .unwrap()
    .public_key;
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let (x, y) = (hex(&key[1..33]), hex(&key[33..65]));

    let owners = call(&h, &safe, "0xa0e67e2b".into()).await;
    let owner = word_address(&owners, 2);
    let signer = call(&h, FACTORY, format!("0xa541d91a{x}{y}{VERIFIERS:0>64}")).await;
    assert_eq!(
        word_address(&signer, 0),
        owner,
        "the Safe's owner is the passkey's signer"
    );
    let other = call(&h, FACTORY, format!("0xa541d91a{y}{x}{VERIFIERS:0>64}")).await;
    assert_ne!(word_address(&other, 0), owner);
    let precompile = call(&h, FACTORY, format!("0xa541d91a{x}{y}{:0>64}", "100")).await;
    assert_ne!(word_address(&precompile, 0), owner);
    let short = rpc(
        &h,
        ARB,
        "eth_call",
        json!([{ "to": FACTORY, "data": "0xa541d91a00" }, "latest"]),
    )
    .await;
    assert!(
        short["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revert"),
        "{short}"
    );

    // The last owner cannot go; a second one can be added, the threshold raised, then lowered.
    let t = token(&auth);
    let (status, body) = h
        .post(
            "/v1.2/safes/operations",
            Some(&t),
            json!({ "safeAddress": safe, "chainId": ARB, "operations": [{ "type": "REMOVE_OWNER", "owner": owner, "threshold": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let second = format!("0x{}", "ab".repeat(20));
    h.run_operation(
        &authenticator,
        &t,
        &safe,
        ARB,
        json!([{ "type": "ADD_OWNER", "owner": second, "threshold": 2 }]),
    )
    .await;
    h.advance(3).await;
    let owners = call(&h, &safe, "0xa0e67e2b".into()).await;
    assert_eq!(word_address(&owners, 3), second);
    let threshold = call(&h, &safe, "0xe75235b8".into()).await;
    assert!(threshold.ends_with('2'), "{threshold}");
    let (status, body) = h
        .post(
            "/v1.2/safes/operations",
            Some(&t),
            json!({ "safeAddress": safe, "chainId": ARB, "operations": [{ "type": "CHANGE_THRESHOLD", "threshold": 0 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn solana_chains_answer_solana_json_rpc() {
    let h = common::start().await;
    let (_, auth) = h.passkey_user().await;
    let (_, list) = h
        .get(
            "/v1.2/users/me/address?includeDerived=true",
            Some(&token(&auth)),
        )
        .await;
    let solana = list["wallets"][0]["derived"]["global"]["eoaAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "SOLANA")
        .unwrap()["address"]
        .as_str()
        .unwrap()
        .to_owned();
    let funded = rpc(&h, 900, "getBalance", json!([solana])).await;
    assert!(
        funded["result"]["value"].as_u64().unwrap() >= 100_000_000,
        "{funded}"
    );
    assert!(funded["result"]["context"]["slot"].is_u64());
    let stranger = rpc(
        &h,
        901,
        "getBalance",
        json!(["11111111111111111111111111111111"]),
    )
    .await;
    assert_eq!(stranger["result"]["value"], 0);
    let bad = rpc(&h, 900, "getBalance", json!(["0xnot-base58"])).await;
    assert_eq!(bad["error"]["code"], -32602);
    let blockhash = rpc(&h, 1_399_811_149, "getLatestBlockhash", json!([])).await;
    assert!(blockhash["result"]["value"]["blockhash"].is_string());
    let send = rpc(&h, 900, "sendTransaction", json!(["AQ=="])).await;
    assert_eq!(send["error"]["code"], -32002);
    let evm = rpc(&h, 900, "eth_call", json!([])).await;
    assert_eq!(evm["error"]["code"], -32601);
}
