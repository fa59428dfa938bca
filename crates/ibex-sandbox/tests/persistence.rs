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

#[tokio::test]
async fn state_is_saved_while_running_so_a_killed_process_keeps_its_users() {
    let dir = std::env::temp_dir().join(format!("ibex-sandbox-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let config = || SandboxConfig {
        state_file: Some(file.clone()),
        ..SandboxConfig::default()
    };
    let h = common::start_with(config()).await;
    let (_, auth) = h.passkey_user().await;
    let subject = auth["subject"].as_str().unwrap().to_owned();
    // Wait for the periodic save to include the new user (bounded, not timed).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&file).is_ok_and(|s| s.contains(&subject)) {
        assert!(std::time::Instant::now() < deadline, "state never saved");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!dir.join("state.json.tmp").exists());
    // No stop, no drop: as if the process had been killed.
    std::mem::forget(h);

    let h = common::start_with(config()).await;
    let (status, me) = h.get("/v1.2/users/me", Some(&common::token(&auth))).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    h.sandbox.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
