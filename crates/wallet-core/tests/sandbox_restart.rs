//! The embedded sandbox keeps its accounts in the app's data directory: after a restart, the
//! session restored from the keychain still finds its wallet.
#![cfg(feature = "soft-passkey")]

use std::sync::Arc;

use ibex_wallet_core::notify::NoNotifications;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::secrets::MemorySecrets;
use ibex_wallet_core::store::MemoryStore;
use ibex_wallet_core::{AuthIntent, Core, CoreDeps, CoreEvent, EventSink, SessionInfo};

struct NoEvents;
impl EventSink for NoEvents {
    fn emit(&self, _: CoreEvent) {}
}

fn primary_safe(info: &SessionInfo) -> String {
    match info {
        SessionInfo::SignedIn { account, .. } => account.wallets[0].address.to_string(),
        other => panic!("not signed in: {other:?}"),
    }
}

#[tokio::test]
async fn a_restored_session_finds_its_account_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let store = Arc::new(MemoryStore::default());
    // The same keychain across both runs, as the OS keychain would be.
    let secrets = Arc::new(MemorySecrets::default());
    let core = || {
        Core::new(CoreDeps {
            store: store.clone(),
            events: Arc::new(NoEvents),
            secrets: secrets.clone(),
            cache: Arc::new(MemoryStore::default()),
            notifier: Arc::new(NoNotifications),
        })
        .with_sandbox_state(state.clone())
    };

    let first = core();
    let ceremony = first.auth_begin(AuthIntent::SignUp).await.unwrap();
    let signed_up = first
        .auth_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap();
    let safe = primary_safe(&signed_up);
    drop(first);
    assert!(state.exists(), "the sandbox saved its state at stop");

    let second = core();
    second.warm_up().await;
    let restored = second.session_get().await.unwrap();
    assert_eq!(primary_safe(&restored), safe);
}
