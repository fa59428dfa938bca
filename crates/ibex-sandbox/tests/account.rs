//! Account reads and writes in their documented shapes, and the optional sign-in follow-ups.

mod common;

use common::{assert_shape, example, start, token, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn account_reads_have_documented_shapes() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);
    let get = |path: &'static str| {
        let token = token.clone();
        let h = &h;
        async move {
            let (status, body) = h.get(path, Some(&token)).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body
        }
    };

    let me = get("/v1.2/users/me").await;
    let sections: Vec<&str> = me.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        sections,
        [
            "addressbook",
            "addresses",
            "balances",
            "ibans",
            "kycStatus",
            "signers",
            "transactions"
        ]
    );
    let documented = example("mirror/users-me-get-response.llms.json");
    for section in ["addresses", "ibans", "signers", "kycStatus"] {
        assert_shape(&me[section], &documented[section], section);
    }
    assert_shape(
        &get("/v1.2/users/me/signers").await,
        &example("users-me-signers-get-response.json"),
        "signers",
    );
    assert_shape(
        &get("/v1.2/users/kyc/status").await,
        &example("users-kyc-status-get-response.json"),
        "kyc",
    );
    // Module flags are `true | false | "N/A"` (docs/api/gaps.md G13): compare them apart from the shape.
    let chainid = get("/v1.2/users/me/chainid").await;
    let mut documented = example("mirror/users-me-chainid-get-response.json");
    documented["chains"][0]
        .as_object_mut()
        .unwrap()
        .remove("modules");
    assert_shape(&chainid, &documented, "chainid");
    for chain in chainid["chains"].as_array().unwrap() {
        for flag in chain["modules"].as_object().unwrap().values() {
            assert!(flag.is_boolean() || flag == "N/A", "{chain}");
        }
    }
    assert_shape(
        &get("/v1.2/chains/").await,
        &example("mirror/chains-get-response.sdk.json"),
        "chains",
    );
    assert_shape(
        &get("/v1.2/users/me/tokens").await,
        &example("mirror/users-me-tokens-get-response.grouped.json"),
        "tokens",
    );
    let derived = get("/v1.2/users/me/address?includeDerived=true").await;
    assert_shape(
        &derived,
        &example("mirror/users-me-address-get-response.include-derived.json"),
        "derived",
    );
    let (status, single) = h
        .call(Method::GET, "/v1.2/users/me/tokens", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        single.as_array().unwrap().len(),
        3,
        "grouped by the three chains"
    );
    let response = h
        .http
        .get(h.url("/v1.2/users/me/tokens"))
        .bearer_auth(&token)
        .header("X-Blockchain-Id", "100")
        .send()
        .await
        .unwrap();
    let flat: Value = response.json().await.unwrap();
    assert_shape(
        &flat,
        &example("mirror/users-me-tokens-get-response.single-chain.json"),
        "tokens single",
    );

    let scoped_path = format!(
        "/v1.2/users/me/balances?walletAddress={}",
        session["safeAddress"]["100"].as_str().unwrap()
    );
    let (_, scoped) = h.get(&scoped_path, Some(&token)).await;
    assert_eq!(
        (
            scoped["type"].as_str(),
            scoped["balance"]["tokens"].is_array()
        ),
        (Some("crypto"), true)
    );
    let (status, _) = h
        .get(
            "/v1.2/users/me/balances?walletAddress=0x1111111111111111111111111111111111111111",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not the user's wallet");
    let (status, _) = h
        .get(&format!("{scoped_path}&iban=FR76"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "ambiguous scope");

    // Per-chain pagination and scope.
    let (_, page) = h
        .get(
            "/v1.2/users/me/transactions?limit=1&page=2&scope=crypto",
            Some(&token),
        )
        .await;
    assert!(page.get("fiat").is_none());
    for chain in ["100", "8453", "421614"] {
        let c = &page["crypto"]["transactions"][chain];
        assert_eq!(
            (c["page"].clone(), c["limit"].clone()),
            (json!(2), json!(1))
        );
        assert_eq!(c["totalPages"], c["total"]);
    }

    let iframe = h
        .post(
            "/v1.2/auth/iframe",
            Some(&token),
            json!({ "language": "en" }),
        )
        .await
        .1;
    assert_shape(
        &iframe,
        &example("auth-iframe-post-response.json"),
        "iframe",
    );
    assert_eq!(get("/v1.2/users/kyc/status").await["status"], "pending");

    let (status, enrolled) = h
        .post(
            "/v1.2/auth/enroll",
            Some(&token),
            json!({ "email": "ceo@example.com", "companyRegistrationNumber": "123456789" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    assert_shape(
        &enrolled,
        &example("auth-enroll-post-response.json"),
        "enroll",
    );
    let (status, _) = h
        .post(
            "/v1.2/auth/enroll",
            Some(&token),
            json!({ "email": "ceo@example.com", "companyRegistrationNumber": "123456789" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn address_book_and_userdata_round_trip() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);
    let entry = json!({ "name": "Faucet", "label": "test", "crypto": [{ "chainId": 421614, "address": "0x0795239e54a9b6f97413ca84688f7a93b9a0640e" }] });
    let (status, created) = h
        .post("/v1.2/users/me/addressbook", Some(&token), entry)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (_, book) = h.get("/v1.2/users/me/addressbook", Some(&token)).await;
    // The documented entry without an IBAN (ours has none either).
    let documented = example("mirror/users-me-addressbook-get-response.json")["data"][1].clone();
    assert_shape(
        &book,
        &json!({ "success": true, "data": [documented] }),
        "book",
    );
    assert_eq!(
        book["data"][0]["crypto"][0]["address"], "0x0795239e54A9b6f97413cA84688f7a93b9A0640e",
        "stored checksummed"
    );
    let (status, _) = h
        .put(
            &format!("/v1.2/users/me/addressbook/{id}"),
            Some(&token),
            json!({ "name": "Renamed" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h.call(Method::DELETE, &format!("/v1.2/users/me/addressbook/{id}/crypto/421614/0x0795239e54a9b6f97413ca84688f7a93b9a0640e"), Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .call(
            Method::DELETE,
            &format!("/v1.2/users/me/addressbook/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, book) = h.get("/v1.2/users/me/addressbook", Some(&token)).await;
    assert_eq!(book["data"], json!([]));

    let user = session["subject"].as_str().unwrap();
    let external = format!("/v1.2/ibexsafe/userdata/external/{user}");
    assert_eq!(
        h.get(&external, Some(&token)).await.0,
        StatusCode::NO_CONTENT
    );
    let mut write = example("ibexsafe-userdata-post-request.write.json");
    write["externalUserId"] = json!(user);
    assert_eq!(
        h.post("/v1.1/ibexsafe/userdata", Some(&token), write)
            .await
            .1,
        example("ibexsafe-userdata-post-response.write.json")
    );
    let (_, read) = h.get(&external, Some(&token)).await;
    assert_eq!(
        read,
        example("ibexsafe-userdata-external-get-response.json"),
        "private.* is write-only"
    );
    let (_, fallback) = h
        .post(
            "/v1.2/ibexsafe/userdata",
            Some(&token),
            json!({ "externalUserId": user, "data": {} }),
        )
        .await;
    assert_eq!(fallback, read);
    h.post(
        "/v1.2/users/me",
        Some(&token),
        json!({ "data": { "language": null } }),
    )
    .await;
    assert!(h
        .get(&external, Some(&token))
        .await
        .1
        .get("language")
        .is_none());
    let (status, _) = h
        .get(
            "/v1.2/ibexsafe/userdata/external/someone-else",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn async_enrichment_safe_provisioning_and_automation_config() {
    let h = start().await;
    let (authenticator, signed_up) = h.passkey_user().await;
    let (_, options) = h.get("/v1.2/auth/sign-in", None).await;
    let assertion = authenticator.get(&options, ORIGIN).unwrap();
    let body = json!({ "credential": assertion, "asyncData": true, "includeBalance": true, "includeUserdata": true, "intent": "safe_provision" });
    let (status, signed_in) = h.post("/v1.2/auth/sign-in", None, body).await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_eq!(signed_in["dataStatus"], "PENDING");
    assert!(signed_in.get("balance").is_none());
    let data_path = format!(
        "/v1.2/auth/sign-in/data/{}",
        signed_in["dataRequestId"].as_str().unwrap()
    );
    assert_eq!(h.get(&data_path, None).await.1["dataStatus"], "PENDING");
    h.advance(2).await;
    let (_, ready) = h.get(&data_path, None).await;
    assert_eq!(ready["dataStatus"], "READY");
    assert!(ready["balance"]["crypto"].is_object() && ready["userdata"]["signers"].is_object());
    h.advance(200).await;
    assert_eq!(h.get(&data_path, None).await.0, StatusCode::NOT_FOUND);

    let grant = signed_in["safe_provision_token"].as_str().unwrap();
    assert_eq!(signed_in["safe_provision_expires_in"], 300);
    let request = example("safe-provision-post-request.json");
    let (status, provisioned) = h
        .post(
            "/v1.2/auth/sign-in/safe-provision",
            Some(grant),
            request.clone(),
        )
        .await;
    // 202 s after sign-in: still inside the grant's 300 s.
    assert_eq!(status, StatusCode::OK, "{provisioned}");
    assert_shape(
        &provisioned,
        &example("safe-provision-post-response.json"),
        "provision",
    );
    assert_ne!(provisioned["address"], signed_up["safeAddress"]["421614"]);
    let (status, _) = h
        .post("/v1.2/auth/sign-in/safe-provision", Some(grant), request)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the grant is single-use");

    let token = token(&signed_in);
    let (_, address) = h.get("/v1.2/users/me/address", Some(&token)).await;
    assert_eq!(address["count"], 2);
    let safe = signed_up["safeAddress"]["421614"].as_str().unwrap();
    let config = format!("/v1.2/safes/{safe}/automation-module/config");
    let fixed = json!({ "mode": "FIXED_AMOUNT", "fixedAmount": "10.5", "minIntervalMinutes": 60, "periodCapAmount": "100", "periodCapMinutes": 1440 });
    let (status, updated) = h.put(&config, Some(&token), fixed).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        updated,
        example("mirror/automation-config-put-response.json")
    );
    for (bad, why) in [
        (json!({}), "No fields"),
        (json!({ "percentage": 10 }), "percentage"),
        (json!({ "periodCap": "DAILY" }), "exclusive"),
        (json!({ "targetAddress": "nope" }), "targetAddress"),
    ] {
        let (status, body) = h.put(&config, Some(&token), bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["message"].as_str().unwrap().contains(why), "{body}");
    }
    let (status, _) = h
        .put(
            "/v1.2/safes/0x1111111111111111111111111111111111111111/automation-module/config",
            Some(&token),
            json!({ "enabled": true }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn derived_wallets_grow_per_family_and_are_throttled() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);
    let body = example("mirror/users-me-wallets-global-post-request.json");
    let (status, grown) = h
        .post("/v1.2/users/me/wallets/global", Some(&token), body.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{grown}");
    assert_shape(
        &grown,
        &example("mirror/users-me-wallets-global-post-response.json"),
        "wallets/global",
    );
    assert_eq!(
        grown["added"][0]["index"], 1,
        "index 0 is the sign-in eoaAddress"
    );
    let (_, address) = h
        .get("/v1.2/users/me/address?includeDerived=true", Some(&token))
        .await;
    let evm0 = &address["wallets"][0]["derived"]["global"]["eoaAddresses"][0]["address"];
    assert_eq!(&grown["globalIndexed"]["EVM"][0], evm0);

    let (status, _) = h
        .post("/v1.2/users/me/wallets/global", Some(&token), body.clone())
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    h.advance(6).await;
    let (status, bad) = h
        .post(
            "/v1.2/users/me/wallets/global",
            Some(&token),
            json!({ "add": [{ "family": "EVM", "count": 11 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    h.advance(6).await;
    let safe = session["safeAddress"]["421614"].as_str().unwrap();
    let (status, per_safe) = h
        .post(
            &format!("/v1.2/safes/{safe}/wallets"),
            Some(&token),
            example("mirror/safes-wallets-post-request.json"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{per_safe}");
    assert_shape(
        &per_safe,
        &example("mirror/safes-wallets-post-response.json"),
        "safes/wallets",
    );
}

#[tokio::test]
async fn legacy_bcreader_reads_have_documented_shapes() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);
    let safe = session["safeAddress"]["421614"].as_str().unwrap();
    let on_chain = |path: String| {
        let request = h
            .http
            .get(h.url(&path))
            .bearer_auth(&token)
            .header("X-Blockchain-Id", "421614");
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.json::<Value>().await.unwrap()
        }
    };
    assert_shape(
        &on_chain("/v1.1/bcreader/balances".into()).await,
        &example("bcreader-balances-get-response.v1.json"),
        "v1 balance",
    );
    let paged = on_chain(format!(
        "/v1.2/bcreader/v1.1/balances?address={safe}&page=1&limit=10"
    ))
    .await;
    assert_shape(
        &paged,
        &example("bcreader-v1.1-balances-get-response.single-chain.json"),
        "v1.1 balances",
    );
    let history = on_chain(format!("/v1.1/bcreader/transactions?address={safe}")).await;
    assert_shape(
        &history,
        &example("bcreader-transactions-get-response.v1.json"),
        "v1 transactions",
    );
    assert_shape(
        &on_chain("/v1.1/bcreader/pools".into()).await,
        &example("bcreader-pools-get-response.json"),
        "pools",
    );
    let positions = on_chain(format!("/v1.1/bcreader/pools/{safe}?includeZero=true")).await;
    assert_shape(
        &positions,
        &example("mirror/bcreader-api-pools-address-get-response.json"),
        "pool positions",
    );
    let (status, _) = h
        .get(
            "/v1.2/bcreader/v1.1/balances/0x1111111111111111111111111111111111111111",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not watched");
}

#[tokio::test]
async fn email_validation_mails_a_code_and_confirmation_stores_the_address() {
    let h = start().await;
    let (_, session) = h.post("/__sandbox/session", None, json!({})).await;
    let token = token(&session);
    let user = session["subject"].clone();
    let (status, sent) = h
        .post(
            "/v1.2/users/me/validate-email",
            Some(&token),
            json!({ "email": "jane@example.com", "externalUserId": user }),
        )
        .await;
    assert_eq!((status, sent), (StatusCode::OK, json!({})));
    let (_, mail) = h.get("/__sandbox/mailbox/jane@example.com", None).await;
    let confirm =
        |code: Value| json!({ "email": "jane@example.com", "code": code, "externalUserId": user });
    let (status, _) = h
        .post(
            "/v1.2/users/me/confirm-email",
            Some(&token),
            confirm(mail["code"].clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = h
        .post(
            "/v1.2/ibexsafe/userdata",
            Some(&token),
            json!({ "externalUserId": user, "data": {} }),
        )
        .await;
    assert_eq!(me["marketing.email"], "jane@example.com");
}
