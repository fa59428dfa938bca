//! `--state FILE`: users, credentials and balances survive a restart; tokens stay valid.

mod common;

use ibex_sandbox::SandboxConfig;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn state_file_round_trips() {
    let dir = std::env::temp_dir().join(format!("ibex-sandbox-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let config = || SandboxConfig {
        state_file: Some(file.clone()),
        ..SandboxConfig::default()
    };

    let h = common::start_with(config()).await;
    let (authenticator, auth) = h.passkey_user().await;
    let (_, before) = h
        .get(
            "/v1.2/users/me/balances?includePrices=false",
            Some(&common::token(&auth)),
        )
        .await;
    h.sandbox.stop().await;
    assert!(file.exists());

    let h = common::start_with(config()).await;
    let (status, after) = h
        .get(
            "/v1.2/users/me/balances?includePrices=false",
            Some(&common::token(&auth)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the old access token still verifies: {after}"
    );
    assert_eq!(before["crypto"], after["crypto"]);
    let (_, options) = h.get("/v1.2/auth/sign-in", None).await;
    let assertion = authenticator.get(&options, common::ORIGIN).unwrap();
    let (status, signed_in) = h
        .post(
            "/v1.2/auth/sign-in",
            None,
            json!({ "credential": assertion }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the stored credential and counter survived: {signed_in}"
    );
    assert_eq!(signed_in["subject"], auth["subject"]);
    h.sandbox.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
