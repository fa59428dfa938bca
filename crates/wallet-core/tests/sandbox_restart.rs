//! The embedded sandbox keeps its accounts in the app's data directory: after a restart, the
//! session restored from the keychain still finds its wallet.
#![cfg(feature = "soft-passkey")]

use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::SessionInfo;

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
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let safe = primary_safe(&first.sign_up().await);
    // The same settings and keychain in the next run, as the OS keychain would keep them.
    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);
    assert!(state.exists(), "the sandbox saved its state at stop");

    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    let restored = second.session_get().await.unwrap();
    assert_eq!(primary_safe(&restored), safe);
}
