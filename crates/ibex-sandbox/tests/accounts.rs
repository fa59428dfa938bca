//! Accounts: e-mail and SMS verification with attempts and expiry, the e-mail wallet's sign-in
//! code, Safe owners and threshold (read through the JSON-RPC proxy), signed messages.

mod common;

use common::{safe_on, start, token, Harness};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ARB: u64 = 421_614;

async fn rpc_call(h: &Harness, to: &str, data: &str) -> Value {
    let (status, body) = h
        .post(&format!("/{ARB}/rpc"), None, json!({ "jsonrpc": "2.0", "id": 7, "method": "eth_call", "params": [{ "to": to, "data": data }, "latest"] }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], 7);
    body
}

/// `getOwners()` decoded.
async fn owners(h: &Harness, safe: &str) -> Vec<String> {
    let hex = rpc_call(h, safe, "0xa0e67e2b").await["result"]
        .as_str()
        .unwrap()
        .trim_start_matches("0x")
        .to_owned();
    let count = usize::from_str_radix(&hex[64..128], 16).unwrap();
    (0..count)
        .map(|i| format!("0x{}", &hex[128 + i * 64 + 24..128 + (i + 1) * 64]))
        .collect()
}

async fn threshold(h: &Harness, safe: &str) -> u64 {
    let hex = rpc_call(h, safe, "0xe75235b8").await["result"]
        .as_str()
        .unwrap()
        .trim_start_matches("0x")
        .to_owned();
    u64::from_str_radix(&hex, 16).unwrap()
}

#[tokio::test]
async fn email_verification_counts_attempts_and_expires() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let (token, user) = (token(&auth), auth["subject"].as_str().unwrap().to_owned());
    let validate = json!({ "email": "jane@example.com", "externalUserId": user });
    let (status, body) = h
        .post(
            "/v1.2/users/me/validate-email",
            Some(&token),
            validate.clone(),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let (_, mail) = h.get("/__sandbox/mailbox/jane@example.com", None).await;
    let confirm =
        |code: &str| json!({ "email": "jane@example.com", "code": code, "externalUserId": user });
    let (status, wrong) = h
        .post(
            "/v1.2/users/me/confirm-email",
            Some(&token),
            confirm("000000x"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (wrong["code"].as_str(), wrong["attemptsLeft"].as_u64()),
        (Some("INVALID_CODE"), Some(4)),
        "{wrong}"
    );
    let (status, _) = h
        .post(
            "/v1.2/users/me/confirm-email",
            Some(&token),
            confirm(mail["code"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, data) = h
        .get(
            &format!("/v1.2/ibexsafe/userdata/external/{user}"),
            Some(&token),
        )
        .await;
    assert_eq!(data["marketing.email"], "jane@example.com", "{data}");
    // Single use.
    let (status, _) = h
        .post(
            "/v1.2/users/me/confirm-email",
            Some(&token),
            confirm(mail["code"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Expired after 15 minutes; five wrong codes burn a code.
    h.post(
        "/v1.2/users/me/validate-email",
        Some(&token),
        validate.clone(),
    )
    .await;
    let (_, mail) = h.get("/__sandbox/mailbox/jane@example.com", None).await;
    h.advance(15 * 60 + 1).await;
    let (_, expired) = h
        .post(
            "/v1.2/users/me/confirm-email",
            Some(&token),
            confirm(mail["code"].as_str().unwrap()),
        )
        .await;
    assert_eq!(expired["code"], "CODE_EXPIRED", "{expired}");
    let (_, fresh) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": auth["refresh_token"] }),
        )
        .await;
    let token = fresh["access_token"].as_str().unwrap().to_owned();
    h.post("/v1.2/users/me/validate-email", Some(&token), validate)
        .await;
    let (_, mail) = h.get("/__sandbox/mailbox/jane@example.com", None).await;
    for left in (0..5).rev() {
        let (_, wrong) = h
            .post(
                "/v1.2/users/me/confirm-email",
                Some(&token),
                confirm("999999x"),
            )
            .await;
        assert_eq!(wrong["attemptsLeft"], left);
    }
    let (status, _) = h
        .post(
            "/v1.2/users/me/confirm-email",
            Some(&token),
            confirm(mail["code"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "burnt after five wrong codes"
    );
    // Someone else's externalUserId, or no e-mail at all.
    let (status, _) = h
        .post(
            "/v1.2/users/me/validate-email",
            Some(&token),
            json!({ "email": "jane@example.com", "externalUserId": "other" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = h
        .post(
            "/v1.2/users/me/validate-email",
            Some(&token),
            json!({ "email": "jane", "externalUserId": user }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sms_validation_follows_the_phone_policy() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let (token, user) = (token(&auth), auth["subject"].as_str().unwrap().to_owned());
    let (status, sent) = h
        .post("/v1.2/users/me/validate-sms", Some(&token), json!({ "telephone": "+33 6 12 34 56 78", "externalUserId": user, "phonePolicy": "frMobile" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["telephone"], "+33612345678");
    let (status, wrong) = h
        .post(
            "/v1.2/users/me/confirm-sms",
            Some(&token),
            json!({ "telephone": "+33612345678", "code": "0", "externalUserId": user }),
        )
        .await;
    assert_eq!(
        (status, wrong["attemptsLeft"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(4))
    );
    let (status, ok) = h
        .post(
            "/v1.2/users/me/confirm-sms",
            Some(&token),
            json!({ "telephone": "+33612345678", "code": sent["code"], "externalUserId": user }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    assert_eq!(
        ok,
        json!({ "smsVerified": true, "telephone": "+33612345678" })
    );
    for (number, policy) in [
        ("+33112345678", "frMobile"),
        ("0612345678", "any"),
        ("+4915112345678", "mars"),
    ] {
        let (status, _) = h
            .post(
                "/v1.2/users/me/validate-sms",
                Some(&token),
                json!({ "telephone": number, "externalUserId": user, "phonePolicy": policy }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{number} {policy}");
    }
}

#[tokio::test]
async fn email_wallet_codes_report_attempts_left() {
    let h = start().await;
    let (_, pending) = h
        .get(
            "/v1.2/auth/sign-up?wallet=email&email=ann@example.com",
            None,
        )
        .await;
    let user = pending["externalUserId"].clone();
    let (status, wrong) = h
        .post(
            "/v1.2/auth/sign-up",
            None,
            json!({ "wallet": "email", "externalUserId": user, "emailOtp": "nope" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (wrong["code"].as_str(), wrong["attemptsLeft"].as_u64()),
        (Some("INVALID_CODE"), Some(4))
    );
    let (status, _) = h.post("/v1.2/auth/sign-up", None, json!({ "wallet": "email", "externalUserId": user, "emailOtp": pending["emailOtp"], "encryptedPrivateKey": "ct", "backupSalt": "s", "backupKdf": { "algo": "argon2id" } })).await;
    assert_eq!(status, StatusCode::OK);
    // Recovery names the user by e-mail alone (gaps.md G9): trigger, then the code.
    let (status, _) = h
        .post(
            "/v1.2/auth/email/recover",
            None,
            json!({ "email": "ann@example.com" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, mail) = h.get("/__sandbox/mailbox/ann@example.com", None).await;
    let (status, backup) = h
        .post(
            "/v1.2/auth/email/recover",
            None,
            json!({ "email": "ann@example.com", "code": mail["code"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backup}");
    assert_eq!(
        (
            backup["encryptedPrivateKey"].as_str(),
            backup["backupKdf"]["algo"].as_str()
        ),
        (Some("ct"), Some("argon2id"))
    );
}

#[tokio::test]
async fn owners_and_threshold_change_with_their_documented_refusals() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    let first = owners(&h, &safe).await;
    assert_eq!((first.len(), threshold(&h, &safe).await), (1, 1));
    let second = "0x1111111111111111111111111111111111111111";
    let prepare = |ops: Value| {
        let (token, safe) = (token.clone(), safe.clone());
        let h = &h;
        async move {
            h.post(
                "/v1.2/safes/operations",
                Some(&token),
                json!({ "safeAddress": safe, "chainId": ARB, "operations": ops }),
            )
            .await
        }
    };
    // A threshold above the owner count is refused, as is removing the only owner.
    let (status, body) =
        prepare(json!([{ "type": "ADD_OWNER", "owner": second, "threshold": 3 }])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the 2 owners"),
        "{body}"
    );
    let (status, body) =
        prepare(json!([{ "type": "REMOVE_OWNER", "owner": first[0], "threshold": 1 }])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("last owner"),
        "{body}"
    );
    let (status, _) = prepare(json!([{ "type": "CHANGE_THRESHOLD", "threshold": 0 }])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    h.run_operation(
        &a,
        &token,
        &safe,
        ARB,
        json!([{ "type": "ADD_OWNER", "owner": second, "threshold": 2 }]),
    )
    .await;
    h.advance(3).await;
    assert_eq!(
        owners(&h, &safe).await,
        vec![first[0].to_ascii_lowercase(), second.to_owned()]
    );
    assert_eq!(threshold(&h, &safe).await, 2);
    let is_owner = rpc_call(&h, &safe, &format!("0x2f54bf6e{:0>64}", &second[2..])).await;
    assert!(is_owner["result"].as_str().unwrap().ends_with('1'));
    // Adding the same owner twice is refused; removing one brings the threshold down with it.
    let (status, _) =
        prepare(json!([{ "type": "ADD_OWNER", "owner": second, "threshold": 2 }])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    h.run_operation(
        &a,
        &token,
        &safe,
        ARB,
        json!([{ "type": "REMOVE_OWNER", "owner": second, "threshold": 1 }]),
    )
    .await;
    h.advance(3).await;
    assert_eq!(
        (owners(&h, &safe).await.len(), threshold(&h, &safe).await),
        (1, 1)
    );
}

#[tokio::test]
async fn a_signed_message_verifies_through_eip_1271() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let (token, safe) = (token(&auth), safe_on(&auth, ARB));
    let message = "Hello, world!";
    // EIP-191: keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message).
    let hash: String = {
        use sha3::Digest;
        let digest = sha3::Keccak256::digest(format!(
            "\x19Ethereum Signed Message:\n{}{message}",
            message.len()
        ));
        digest.iter().map(|b| format!("{b:02x}")).collect()
    };
    let check = format!("0x1626ba7e{hash}{:064x}{:064x}", 64, 0);
    assert!(rpc_call(&h, &safe, &check).await["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Hash not approved"));
    h.run_operation(
        &a,
        &token,
        &safe,
        ARB,
        json!([{ "type": "SIGN_MESSAGE", "message": message }]),
    )
    .await;
    h.advance(3).await;
    let verified = rpc_call(&h, &safe, &check).await;
    assert!(
        verified["result"]
            .as_str()
            .unwrap()
            .starts_with("0x1626ba7e"),
        "{verified}"
    );
    let (status, _) = h.post("/v1.2/safes/operations", Some(&token), json!({ "safeAddress": safe, "chainId": ARB, "operations": [{ "type": "SIGN_MESSAGE", "message": "" }] })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Unknown methods answer a JSON-RPC error, not an HTTP one.
    let (status, body) = h
        .post(
            &format!("/{ARB}/rpc"),
            None,
            json!({ "jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": [] }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (StatusCode::OK, Some(-32601))
    );
}

#[tokio::test]
async fn bitcoin_addresses_hold_utxos_and_send_plans_add_up() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let token = token(&auth);
    // Sign-in lists EVM, Solana and mainnet P2WPKH; the derived list has every family.
    let families: Vec<&str> = auth["eoaAddresses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["type"].as_str())
        .collect();
    assert_eq!(families, ["EVM", "SOLANA", "BITCOIN_P2WPKH"]);
    let (_, wallets) = h
        .get("/v1.2/users/me/address?includeDerived=true", Some(&token))
        .await;
    let derived = wallets["wallets"][0]["derived"]["global"]["eoaAddresses"]
        .as_array()
        .unwrap()
        .clone();
    let address_of = |family: &str| {
        derived.iter().find(|a| a["type"] == family).unwrap()["address"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (family, prefix) in [
        ("BITCOIN_P2WPKH", "bc1q"),
        ("BITCOIN_P2TR", "bc1p"),
        ("BITCOIN_P2WPKH_TESTNET", "tb1q"),
        ("BITCOIN_P2TR_TESTNET", "tb1p"),
    ] {
        assert!(
            address_of(family).starts_with(prefix),
            "{family}: {}",
            address_of(family)
        );
    }
    let from = address_of("BITCOIN_P2WPKH_TESTNET");
    let (_, utxos) = h
        .get(
            &format!("/v1.2/safes/bitcoin/utxos?address={from}&network=testnet"),
            Some(&token),
        )
        .await;
    let values: Vec<u64> = utxos["utxos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["value"].as_u64().unwrap())
        .collect();
    assert!(!values.is_empty());
    let total: u64 = values.iter().sum();
    let (_, none) = h
        .get(
            "/v1.2/safes/bitcoin/utxos?address=tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            Some(&token),
        )
        .await;
    assert_eq!(none["utxos"], json!([]));

    // Send everything at the fast rate: one output, fee = 20 sat/vB × (11 + 68·inputs + 31).
    let (status, all) = h
        .post("/v1.2/safes/bitcoin/send/prepare", Some(&token), json!({ "from": from, "to": from, "sendAll": true, "feeProfile": "fast", "network": "testnet" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let fee = 20 * (11 + 68 * values.len() as u64 + 31);
    assert_eq!(
        (all["feeSat"].as_u64(), all["amountSat"].as_u64()),
        (Some(fee), Some(total - fee))
    );
    // Too much, the wrong network, a bad fee profile: 400.
    for bad in [
        json!({ "from": from, "to": from, "amountSat": total, "network": "testnet" }),
        json!({ "from": from, "to": from, "amountSat": 1000, "network": "mainnet" }),
        json!({ "from": from, "to": from, "amountSat": 1000, "feeProfile": "turbo" }),
    ] {
        assert_eq!(
            h.post(
                "/v1.2/safes/bitcoin/send/prepare",
                Some(&token),
                bad.clone()
            )
            .await
            .0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    // A sponsored send: the sender pays no fee; the sponsor's share is the shortfall.
    let (_, sponsored) = h
        .post(
            "/v1.2/safes/bitcoin/send/prepare",
            Some(&token),
            json!({ "from": from, "to": from, "amountSat": 1000, "externalFeeSponsor": true }),
        )
        .await;
    assert_eq!(sponsored["feeSat"], 0);
    assert!(sponsored["sponsorShortfallSat"].as_u64().unwrap() > 0);
    let outputs: u64 = sponsored["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_u64().unwrap())
        .sum();
    assert_eq!(sponsored["amountSat"], 1000);
    assert!(outputs <= total, "the sender's inputs pay the outputs only");
}
