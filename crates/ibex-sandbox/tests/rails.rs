//! Money rails: SEPA IBANs with a bank history, payments approved with the passkey, mandates,
//! IBAN checksums, Verification of Payee and IBAN rows in the address book, fiat balances.

mod common;

use common::{start, token, Harness, ORIGIN};
use passkey_soft::Authenticator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A valid IBAN outside the sandbox bank (the documented example).
const OUTSIDE: &str = "FR7616748000011234037943644";

async fn add_iban(h: &Harness, token: &str, holder: &str) -> (StatusCode, Value) {
    h.post(
        "/v1.2/sepa/iban/add",
        Some(token),
        json!({ "holderName": holder, "label": "Main" }),
    )
    .await
}

/// Intent, passkey, confirmation: the confirmation's answer.
async fn pay(h: &Harness, a: &Authenticator, token: &str, payment: Value) -> (StatusCode, Value) {
    let (status, intent) = h.post("/v1.2/sepa/payments", Some(token), payment).await;
    assert_eq!(status, StatusCode::OK, "{intent}");
    let assertion = a.get(&intent["data"], ORIGIN).expect("assertion");
    h.put(
        "/v1.2/sepa/payments",
        Some(token),
        json!({ "approvalId": intent["data"]["approvalId"], "credential": assertion }),
    )
    .await
}

fn payment(debtor: &str, creditor: &str, amount: Value) -> Value {
    json!({ "reference": "PAY-1", "channel": "SEPAINSTANT", "amount": amount, "currency": "EUR", "remittanceInfo": "Invoice 1", "debtor": { "name": "Jane Doe", "iban": debtor }, "creditor": { "name": "Bob", "iban": creditor } })
}

fn cents(text: &str) -> u64 {
    let (whole, fraction) = text.split_once('.').unwrap();
    whole.parse::<u64>().unwrap() * 100 + fraction.parse::<u64>().unwrap()
}

#[tokio::test]
async fn ibans_come_with_a_bank_history_and_a_quota() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let token = token(&auth);
    let (status, first) = add_iban(&h, &token, "Jane Doe").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let iban = first["data"]["iban"].as_str().unwrap().to_owned();
    assert!(iban.starts_with("FR76") || iban.starts_with("FR"), "{iban}");
    assert_eq!(
        first["data"]["formatted"]
            .as_str()
            .unwrap()
            .replace(' ', ""),
        iban
    );
    assert_eq!(add_iban(&h, &token, "Jane Doe").await.0, StatusCode::OK);
    let (status, body) = add_iban(&h, &token, "Jane Doe").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("IBAN_QUOTA"))
    );

    let (_, list) = h.get("/v1.2/sepa/iban", Some(&token)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (_, ibans) = h.get("/v1.2/users/me/ibans", Some(&token)).await;
    assert_eq!(ibans["count"], 2);
    let (status, modified) = h
        .call(
            Method::PATCH,
            "/v1.2/sepa/iban/modify",
            Some(&token),
            Some(json!({ "iban": iban, "label": "Savings" })),
        )
        .await;
    assert_eq!(
        (status, modified["data"]["label"].as_str()),
        (StatusCode::OK, Some("Savings"))
    );

    // The history is there from the start, in both the SEPA and the account routes.
    let (_, history) = h
        .get(
            &format!("/v1.2/sepa/transactions?iban={iban}"),
            Some(&token),
        )
        .await;
    assert_eq!(history["pagination"]["total"], 3, "{history}");
    assert!(history["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["type"] == "SEPA_IN" && t["status"] == "completed"));
    let (_, fiat) = h
        .get("/v1.2/users/me/transactions?scope=fiat", Some(&token))
        .await;
    assert_eq!(fiat["fiat"]["total"], 6, "{fiat}");
    let (_, scoped) = h
        .get(
            &format!(
                "/v1.2/users/me/balances?iban={}",
                first["data"]["formatted"].as_str().unwrap()
            ),
            Some(&token),
        )
        .await;
    assert_eq!(scoped["type"], "fiat");
    assert_eq!(
        scoped["balance"]["amount"],
        first["data"]["balance"]["amount"]
    );
    let (_, all) = h.get("/v1.2/users/me/balances", Some(&token)).await;
    let totals = &all["totals"];
    assert_eq!(
        cents(totals["grand_total_value_eur"].as_str().unwrap()),
        cents(totals["crypto_total_value_eur"].as_str().unwrap())
            + cents(totals["fiat_total_value_eur"].as_str().unwrap())
    );
    assert!(all["fiat"][&iban]["balance"]["amount"].is_string(), "{all}");
    let (status, _) = h
        .get(
            &format!("/v1.2/users/me/balances?iban={OUTSIDE}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for stub in ["/v1.2/iban/transactions", "/v1.2/iban/balances"] {
        assert_eq!(
            h.get(stub, Some(&token)).await.0,
            StatusCode::NOT_IMPLEMENTED
        );
    }
}

#[tokio::test]
async fn payments_need_a_passkey_and_refuse_bad_input() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let token = token(&auth);
    let (_, mine) = add_iban(&h, &token, "Jane Doe").await;
    let (iban, balance) = (
        mine["data"]["iban"].as_str().unwrap().to_owned(),
        cents(mine["data"]["balance"]["amount"].as_str().unwrap()),
    );

    for (bad, code) in [
        (payment(&iban, OUTSIDE, json!("10.001")), "INVALID_AMOUNT"),
        (payment(&iban, OUTSIDE, json!("-5")), "INVALID_AMOUNT"),
        (
            payment(&iban, "FR7616748000011234037943645", json!("10")),
            "INVALID_IBAN",
        ),
        (payment(OUTSIDE, &iban, json!("10")), "VALIDATION"),
        (payment(&iban, OUTSIDE, json!("99999999")), "VALIDATION"),
    ] {
        let (status, body) = h
            .post("/v1.2/sepa/payments", Some(&token), bad.clone())
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{bad}: {body}"
        );
    }
    let mut usd = payment(&iban, OUTSIDE, json!("10"));
    usd["currency"] = json!("USD");
    assert_eq!(
        h.post("/v1.2/sepa/payments", Some(&token), usd).await.0,
        StatusCode::BAD_REQUEST
    );

    let (status, done) = pay(&h, &a, &token, payment(&iban, OUTSIDE, json!("150.00"))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["data"]["payment"]["data"]["status"], "completed");
    let (_, after) = h.get("/v1.2/sepa/iban", Some(&token)).await;
    assert_eq!(
        cents(after["data"][0]["balance"]["amount"].as_str().unwrap()),
        balance - 15_000
    );
    let id = done["data"]["payment"]["data"]["transactionId"]
        .as_str()
        .unwrap();
    let (_, row) = h
        .get(&format!("/v1.2/sepa/transactions/{id}"), Some(&token))
        .await;
    assert_eq!(
        (row["data"]["type"].as_str(), row["data"]["amount"].as_str()),
        (Some("SEPA_OUT"), Some("150.00"))
    );

    // A plain SEPA transfer stays pending for a while; an approval is used once; unknown → 404.
    let mut plain = payment(&iban, OUTSIDE, json!("1.5"));
    plain["channel"] = json!("SEPA");
    let (status, intent) = h.post("/v1.2/sepa/payments", Some(&token), plain).await;
    assert_eq!(status, StatusCode::OK);
    let assertion = a.get(&intent["data"], ORIGIN).unwrap();
    let confirm = json!({ "approvalId": intent["data"]["approvalId"], "credential": assertion });
    let (_, pending) = h
        .put("/v1.2/sepa/payments", Some(&token), confirm.clone())
        .await;
    assert_eq!(pending["data"]["payment"]["data"]["status"], "pending");
    assert_eq!(
        h.put("/v1.2/sepa/payments", Some(&token), confirm).await.0,
        StatusCode::CONFLICT
    );
    let (status, _) = h
        .put(
            "/v1.2/sepa/payments",
            Some(&token),
            json!({ "approvalId": "nope", "credential": {} }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    h.advance(61).await;
    let (_, settled) = h
        .get(
            &format!("/v1.2/sepa/transactions?iban={iban}&type=SEPA_OUT&status=completed"),
            Some(&token),
        )
        .await;
    assert_eq!(settled["pagination"]["total"], 2, "{settled}");

    // An approval left too long expires (409), and nothing was booked.
    let (_, intent) = h
        .post(
            "/v1.2/sepa/payments",
            Some(&token),
            payment(&iban, OUTSIDE, json!("1")),
        )
        .await;
    let assertion = a.get(&intent["data"], ORIGIN).unwrap();
    h.advance(301).await;
    let (_, fresh) = h
        .post(
            "/v1.2/auth/refresh",
            None,
            json!({ "refresh_token": auth["refresh_token"] }),
        )
        .await;
    let token = fresh["access_token"].as_str().unwrap();
    let (status, _) = h
        .put(
            "/v1.2/sepa/payments",
            Some(token),
            json!({ "approvalId": intent["data"]["approvalId"], "credential": assertion }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn balance(h: &Harness, token: &str, iban: &str) -> u64 {
    let (_, list) = h.get("/v1.2/sepa/iban", Some(token)).await;
    let row = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["iban"] == iban)
        .cloned()
        .unwrap();
    cents(row["balance"]["amount"].as_str().unwrap())
}

#[tokio::test]
async fn mandates_forward_their_share_until_cancelled() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let token = token(&auth);
    let (_, main) = add_iban(&h, &token, "Jane Doe").await;
    let (_, savings) = add_iban(&h, &token, "Jane Doe").await;
    let (main, savings) = (
        main["data"]["iban"].as_str().unwrap().to_owned(),
        savings["data"]["iban"].as_str().unwrap().to_owned(),
    );
    let mandate = json!({
        "sourceIban": main, "destinationIban": savings, "destinationName": "Jane Doe", "percent": 25,
        "trigger": { "mode": "whitelist", "whitelistRules": [{ "kind": "amount", "operator": "between", "minAmount": "10.00", "maxAmount": "500.00", "currency": "EUR" }] },
        "signature": { "message": "IBEX_SEPA_MANDATE_V1 25% to savings", "signature": "0xabc" },
    });
    let (status, created) = h
        .post("/v1.2/sepa/mandates", Some(&token), mandate.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        (
            created["data"]["status"].as_str(),
            created["sepaSync"]["success"].as_bool()
        ),
        (Some("validated"), Some(true))
    );
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (_, list) = h.get("/v1.2/sepa/mandates", Some(&token)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);

    let before = balance(&h, &token, &savings).await;
    // 200 € arrive on the main IBAN: 50 € go on to savings.
    h.post(
        "/__sandbox/sepa/incoming",
        None,
        json!({ "iban": main, "amount": "200.00", "senderName": "ACME" }),
    )
    .await;
    assert_eq!(balance(&h, &token, &savings).await - before, 5_000);
    // Outside the whitelist (1 000 €): nothing forwarded.
    h.post(
        "/__sandbox/sepa/incoming",
        None,
        json!({ "iban": main, "amount": "1000.00" }),
    )
    .await;
    assert_eq!(balance(&h, &token, &savings).await - before, 5_000);

    let path = format!("/v1.2/sepa/mandates/{id}/status");
    let (_, suspended) = h
        .call(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "status": "suspended" })),
        )
        .await;
    assert_eq!(suspended["data"]["status"], "suspended");
    h.post(
        "/__sandbox/sepa/incoming",
        None,
        json!({ "iban": main, "amount": "100.00" }),
    )
    .await;
    assert_eq!(
        balance(&h, &token, &savings).await - before,
        5_000,
        "a suspended mandate forwards nothing"
    );
    let (status, _) = h
        .post(
            &format!("/v1.2/sepa/mandates/{id}/cancel"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .call(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({ "status": "validated" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "cancelled is terminal");
    let (_, got) = h
        .get(&format!("/v1.2/sepa/mandates/{id}"), Some(&token))
        .await;
    assert_eq!(got["data"]["status"], "cancelled");

    // Refusals: a source IBAN that is not the user's, a bad percent, no signature.
    for (field, value) in [
        ("sourceIban", json!(OUTSIDE)),
        ("percent", json!(0)),
        ("signature", json!(null)),
    ] {
        let mut bad = mandate.clone();
        bad[field] = value;
        assert_eq!(
            h.post("/v1.2/sepa/mandates", Some(&token), bad).await.0,
            StatusCode::BAD_REQUEST,
            "{field}"
        );
    }
    let _ = a;
}

#[tokio::test]
async fn the_tenant_flag_makes_iban_creation_a_passkey_approval() {
    let h = start().await;
    let (a, auth) = h.passkey_user().await;
    let token = token(&auth);
    h.post("/__sandbox/sepa", None, json!({ "ibanAddWebauthn": true }))
        .await;
    let (status, approval) = add_iban(&h, &token, "Jane Doe").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        approval["data"]["approvalId"].is_string() && approval["data"].get("iban").is_none(),
        "{approval}"
    );
    let assertion = a.get(&approval["data"], ORIGIN).unwrap();
    let (status, confirmed) = h
        .put(
            "/v1.2/sepa/iban/add",
            Some(&token),
            json!({ "approvalId": approval["data"]["approvalId"], "credential": assertion }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert!(confirmed["data"]["iban"]["iban"].is_string());
}

#[tokio::test]
async fn address_book_ibans_are_checked_verified_and_deletable() {
    let h = start().await;
    let (_, auth) = h.passkey_user().await;
    let token = token(&auth);
    let (_, payee) = h.passkey_user().await;
    let payee_token = common::token(&payee);
    let (_, account) = add_iban(&h, &payee_token, "Bob Martin").await;
    let bob = account["data"]["iban"].as_str().unwrap().to_owned();
    let entry = |name: &str, iban: &str| json!({ "name": name, "iban": iban, "respondingPspBic": "SBXBFRPPXXX" });

    let (status, body) = h
        .post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("Bob Martin", "FR7616748000011234037943645"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_IBAN")),
        "{body}"
    );
    let (status, body) = h
        .post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("Alice Smith", &bob),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str(), body["vopResult"].as_str()),
        (StatusCode::BAD_REQUEST, Some("VOP_NO_MATCH"), Some("NMTC"))
    );
    let (status, body) = h
        .post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("Bob", &bob),
        )
        .await;
    assert_eq!(
        (body["code"].as_str(), body["matchedName"].as_str()),
        (Some("VOP_CLOSE_MATCH"), Some("Bob Martin")),
        "{status} {body}"
    );
    let (_, book) = h.get("/v1.2/users/me/addressbook", Some(&token)).await;
    assert_eq!(book["data"], json!([]), "nothing created by a failed check");

    let spaced = account["data"]["formatted"].as_str().unwrap();
    let (status, created) = h
        .post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("bob martin", spaced),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["ibans"][0]["iban"], bob);
    assert_eq!(created["data"]["ibans"][0]["vopResult"], "MTCH");
    let (status, _) = h
        .post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("Bob Martin", &bob),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an IBAN is unique in the book"
    );
    let id = created["data"]["id"].as_str().unwrap();
    let path = format!(
        "/v1.2/users/me/addressbook/{id}/ibans/{}",
        spaced.replace(' ', "%20")
    );
    let (status, after) = h.call(Method::DELETE, &path, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["data"]["ibans"], json!([]));
    assert_eq!(
        h.call(Method::DELETE, &path, Some(&token), None).await.0,
        StatusCode::NOT_FOUND
    );

    // Ten failed checks a day, then 429.
    for _ in 0..8 {
        h.post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("Mallory", &bob),
        )
        .await;
    }
    let (status, body) = h
        .post(
            "/v1.2/users/me/addressbook",
            Some(&token),
            entry("Mallory", &bob),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("VOP_LIMIT")),
        "{body}"
    );
}
