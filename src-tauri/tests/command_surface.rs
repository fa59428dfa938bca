//! The Tauri handler, the web host and the window's capability cover exactly the same
//! commands. (The bindings test checks the Tauri side against `COMMAND_NAMES`.)
#![cfg(feature = "devhost")]

use std::collections::BTreeSet;

use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::ErrorCode;
use ibex_wallet_lib::commands::{dispatch, COMMAND_NAMES};

fn is_unknown(result: &Result<serde_json::Value, ibex_wallet_core::AppError>) -> bool {
    matches!(result, Err(e) if e.message.starts_with("unknown command"))
}

#[tokio::test]
async fn web_host_dispatches_every_command_and_nothing_else() {
    let core = TestCore::new();
    for name in COMMAND_NAMES {
        // Missing arguments are a validation error, never "unknown command".
        let result = dispatch(&core, name, serde_json::json!({})).await;
        assert!(!is_unknown(&result), "{name} is not dispatched");
    }
    let result = dispatch(&core, "plugin:fs|read", serde_json::json!({})).await;
    assert!(is_unknown(&result));
    assert_eq!(result.unwrap_err().code, ErrorCode::Validation);
}

#[tokio::test]
async fn web_host_rejects_bad_arguments_specifically() {
    let err = dispatch(
        &TestCore::new(),
        "settings_set_theme",
        serde_json::json!({"theme": "neon"}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(
        err.message.contains("settings_set_theme"),
        "{}",
        err.message
    );
}

#[test]
fn capability_allows_exactly_the_app_commands() {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../capabilities/main-window.json")).unwrap();
    let granted: Vec<&str> = json["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    // The app's own permissions come through the set build.rs writes from the command list.
    assert_eq!(
        granted,
        [
            "core:event:allow-listen",
            "core:event:allow-unlisten",
            "app-commands"
        ]
    );
    let set = include_str!("../permissions/commands.toml");
    assert!(set.contains("identifier = \"app-commands\""), "{set}");
    let allowed: BTreeSet<String> = set
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"allow-")?.strip_suffix("\","))
        .map(|p| p.replace('-', "_"))
        .collect();
    let declared: BTreeSet<String> = COMMAND_NAMES.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(allowed, declared);
}
