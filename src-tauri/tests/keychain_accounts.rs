//! Several accounts against the real OS keychain (GNOME keyring over Secret Service under
//! `./dev test`, scripts/with-keyring.sh): each account's session in its own item, signing out
//! of one leaves the other's item and session across a restart, and the single item of the
//! version before several accounts is moved to its account's item.
#![cfg(feature = "soft-passkey")]

use std::path::Path;
use std::sync::Arc;

use ibex::SecretStore;
use ibex_wallet_core::notify::NoNotifications;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use ibex_wallet_core::store::{KvStore, MemoryStore};
use ibex_wallet_core::testing::RecordingEvents;
use ibex_wallet_core::{Account, AuthIntent, Core, CoreDeps, SessionInfo};
use ibex_wallet_lib::keychain::{Keychain, KeychainSecrets};

fn core(store: Arc<MemoryStore>, state: &Path) -> Core {
    Core::new(CoreDeps {
        store,
        events: Arc::new(RecordingEvents::default()),
        secrets: Arc::new(KeychainSecrets::default()),
        cache: Arc::new(MemoryStore::default()),
        notifier: Arc::new(NoNotifications),
    })
    .with_sandbox_state(state.to_path_buf())
}

async fn sign_up(core: &Core) -> Account {
    let ceremony = core.auth_begin(AuthIntent::SignUp).await.unwrap();
    match core
        .auth_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap()
    {
        SessionInfo::SignedIn {
            account,
            persistence,
            ..
        } => {
            assert_eq!(persistence, ibex_wallet_core::Persistence::Keychain);
            account
        }
        other => panic!("not signed in: {other:?}"),
    }
}

fn item(id: Option<&str>) -> Arc<dyn SecretStore> {
    let network = match id {
        Some(id) => format!("embedded-sandbox#{id}"),
        None => "embedded-sandbox".to_owned(),
    };
    KeychainSecrets::default()
        .open(SecretItem::RefreshToken, &network, "localhost")
        .unwrap()
}

async fn current(core: &Core) -> Account {
    match core.session_get().await.unwrap() {
        SessionInfo::SignedIn { account, .. } => account,
        other => panic!("not signed in: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_has_its_own_keychain_item_and_the_old_one_is_migrated() {
    let expected = std::env::var_os("IBEX_EXPECT_KEYCHAIN").is_some();
    if let Err(reason) = Keychain::probe() {
        assert!(!expected, "a keychain was expected here: {reason}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let store = Arc::new(MemoryStore::default());

    // Two accounts, two items; signing out of B deletes B's item only.
    let first = core(store.clone(), &state);
    let a = sign_up(&first).await;
    let b = sign_up(&first).await;
    assert!(item(Some(&a.id)).load().unwrap().is_some());
    assert!(item(Some(&b.id)).load().unwrap().is_some());
    let key = first
        .accounts_list()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == b.id)
        .unwrap()
        .handle;
    first.accounts_sign_out(key).await.unwrap();
    assert!(item(Some(&b.id)).load().unwrap().is_none());
    assert!(item(Some(&a.id)).load().unwrap().is_some());
    drop(first);

    // A restart resumes A from its item; B stays signed out.
    let second = core(store.clone(), &state);
    second.warm_up().await;
    assert_eq!(current(&second).await.id, a.id);
    assert_eq!(second.accounts_list().await.unwrap().len(), 1);

    // The previous version's single item: A's token there, no index. The next start moves it.
    let token = item(Some(&a.id)).load().unwrap().unwrap();
    drop(second);
    item(None).save(&token).unwrap();
    item(Some(&a.id)).clear().unwrap();
    store
        .set(
            "accounts|localhost@embedded-sandbox",
            serde_json::Value::Null,
        )
        .unwrap();
    let third = core(store.clone(), &state);
    third.warm_up().await;
    assert_eq!(current(&third).await.id, a.id);
    assert!(item(None).load().unwrap().is_none(), "the old item is gone");
    assert!(item(Some(&a.id)).load().unwrap().is_some(), "moved to A's");

    third.session_sign_out().await.unwrap();
    assert!(item(Some(&a.id)).load().unwrap().is_none());
}
