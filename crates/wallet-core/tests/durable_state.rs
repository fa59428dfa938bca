//! What must survive losing the settings file or a restart: the PIN wallet's account (also in
//! the keychain) and the tenant API key (in the keychain, never only in memory).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use ibex::Secret;
use ibex_wallet_core::notify::NoNotifications;
use ibex_wallet_core::secrets::{MemorySecrets, SecretItem, SecretStores};
use ibex_wallet_core::store::{JsonFileStore, KvStore, MemoryStore};
use ibex_wallet_core::{Core, CoreDeps, CoreEvent, EventSink, NetworkChoice, NetworkSetting};
use serde_json::json;

struct NoEvents;
impl EventSink for NoEvents {
    fn emit(&self, _: CoreEvent) {}
}

fn core(store: Arc<dyn KvStore>, secrets: Arc<MemorySecrets>) -> Core {
    Core::new(CoreDeps {
        store,
        events: Arc::new(NoEvents),
        secrets,
        cache: Arc::new(MemoryStore::default()),
        notifier: Arc::new(NoNotifications),
    })
}

#[cfg(feature = "sandbox")]
#[tokio::test]
async fn the_pin_account_survives_losing_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let secrets = Arc::new(MemorySecrets::default());
    // What pin_sign_up leaves in the keychain (the sign-up itself costs 64 MiB of Argon2id).
    secrets
        .open(SecretItem::PinAccount, "embedded-sandbox", "localhost")
        .unwrap()
        .save(&Secret::new("pin-user-1"))
        .unwrap();
    // The settings file is gone, and its copy with it: a fresh, empty store.
    let store = Arc::new(JsonFileStore::open(&path));
    let wallet = core(store.clone(), secrets);
    assert!(
        wallet.pin_remembered().await.unwrap(),
        "found in the keychain"
    );
    assert_eq!(
        store.get("pin-account|localhost@embedded-sandbox"),
        Some(json!("pin-user-1")),
        "and written back to the settings file"
    );
}

/// A tenant IBEx that records the `x-api-key` of every `/health` call.
async fn tenant() -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().route(
        "/health",
        get(move |headers: HeaderMap| {
            let log = log.clone();
            async move {
                let key = headers
                    .get("x-api-key")
                    .map(|v| v.to_str().unwrap().to_owned());
                log.lock().unwrap().push(key);
                Json(json!({ "status": "ok", "timestamp": "2026-01-01T00:00:00Z" }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn the_tenant_api_key_is_kept_in_the_keychain_across_a_restart() {
    let (url, seen) = tenant().await;
    let store: Arc<dyn KvStore> = Arc::new(MemoryStore::default());
    let secrets = Arc::new(MemorySecrets::default());
    let choice = NetworkChoice::Custom {
        base_url: url.clone(),
        rp_id: "wallet.example".into(),
        api_key: Some("tenant-key-123".into()),
    };
    assert!(
        !format!("{choice:?}").contains("tenant-key-123"),
        "redacted in Debug"
    );
    let first = core(store.clone(), secrets.clone());
    first.settings_set_network(choice).await.unwrap();
    first.network_status().await.unwrap();
    drop(first);

    // A restart: same settings file, same keychain.
    let second = core(store.clone(), secrets.clone());
    second.network_status().await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Some("tenant-key-123".to_owned()); 2],
        "the key is sent after the restart too"
    );

    // The keychain lost it (another machine, a reset keyring): Settings stop claiming one.
    let third = core(store.clone(), Arc::new(MemorySecrets::default()));
    third.network_status().await.unwrap();
    let NetworkSetting::Custom { has_api_key, .. } = third.settings_get().await.unwrap().network
    else {
        panic!("still the custom network");
    };
    assert!(!has_api_key, "Settings no longer say a key is saved");
}
