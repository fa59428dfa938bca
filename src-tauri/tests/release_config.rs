//! What the release configuration must keep for signed updates: the updater only over https,
//! none of the plugin's "dangerous" switches (the loopback update tests set one in their own
//! TEST-ONLY config), the release public key and not the test key, and signed update artifacts.
//! (That the release profile keeps the bundle-type marker is checked on the built packages by
//! `scripts/check-bundle.sh`, which `./dev release` and the release workflow run.)

use std::path::Path;

use serde_json::Value;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every key anywhere in `value` (so a switch cannot hide in a nested object).
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn the_release_updater_is_https_only_with_no_dangerous_switch() {
    let config = json("src-tauri/tauri.conf.json");
    let mut all = Vec::new();
    keys(&config, &mut all);
    let dangerous: Vec<_> = all
        .iter()
        .filter(|k| k.to_lowercase().contains("dangerous"))
        .collect();
    assert!(dangerous.is_empty(), "release config sets {dangerous:?}");

    let updater = &config["plugins"]["updater"];
    let endpoints = updater["endpoints"].as_array().expect("updater endpoints");
    assert!(!endpoints.is_empty());
    for e in endpoints {
        let e = e.as_str().unwrap();
        assert!(e.starts_with("https://"), "{e} is not https");
    }
    assert_eq!(
        config["bundle"]["createUpdaterArtifacts"],
        Value::Bool(true)
    );
}

#[test]
fn the_release_key_is_not_the_test_key() {
    let release = json("src-tauri/tauri.conf.json")["plugins"]["updater"]["pubkey"]
        .as_str()
        .expect("a release public key")
        .to_owned();
    let test = json("tests/update/tauri.test.conf.json")["plugins"]["updater"]["pubkey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        test.trim(),
        read("tests/update/keys/test-only.key.pub").trim()
    );
    assert_ne!(release, test, "the release config trusts the TEST-ONLY key");
    // The key text is base64 of minisign's two-line public key file.
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&release)
        .expect("the public key is base64");
    let decoded = String::from_utf8_lossy(&decoded);
    assert!(
        decoded.starts_with("untrusted comment: minisign public key"),
        "{decoded}"
    );
    // Only the test config may switch off https.
    let test_config = json("tests/update/tauri.test.conf.json");
    assert_eq!(
        test_config["plugins"]["updater"]["dangerousInsecureTransportProtocol"],
        Value::Bool(true)
    );
}
