//! Several accounts side by side on the sandbox, and several Safes per account: each session in
//! its own keychain item, signing out of one leaves the others (across a restart too), the old
//! single item is migrated, a switch never moves a command to the other account, background
//! duties keep every account, and a new Safe is provisioned, picked and used.
#![cfg(feature = "soft-passkey")]

use std::sync::Arc;
use std::time::Duration;

use ibex::SecretStore;
use ibex_wallet_core::operations::OpStatus;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::recovery::{PersonalData, RecoveryCheck};
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use ibex_wallet_core::send::TransferDraft;
use ibex_wallet_core::store::KvStore;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::{
    Account, AuthIntent, CoreEvent, ErrorCode, NetworkChoice, NetworkSetting, SessionInfo,
};

const NETWORK: &str = "embedded-sandbox";
const RP: &str = "localhost";
const RECIPIENT: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";

fn account(info: &SessionInfo) -> Account {
    match info {
        SessionInfo::SignedIn { account, .. } => account.clone(),
        other => panic!("not signed in: {other:?}"),
    }
}

/// The keychain item of account `id` (what the app files under `refresh-token:…#id`).
fn item(core: &TestCore, id: &str) -> Arc<dyn SecretStore> {
    core.secrets
        .open(SecretItem::RefreshToken, &format!("{NETWORK}#{id}"), RP)
        .unwrap()
}

fn legacy_item(core: &TestCore) -> Arc<dyn SecretStore> {
    core.secrets
        .open(SecretItem::RefreshToken, NETWORK, RP)
        .unwrap()
}

/// The switcher's key of account `id` (on the one network these tests use).
async fn key(core: &TestCore, id: &str) -> String {
    core.accounts_list()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .expect("listed")
        .handle
}

fn safe_of(account: &Account) -> String {
    account
        .wallets
        .iter()
        .find(|w| w.selected)
        .expect("one Safe is picked")
        .address
        .to_checksum()
}

async fn sandbox(core: &TestCore, path: &str, body: serde_json::Value) {
    ibex::install_crypto_provider();
    let response = reqwest::Client::new()
        .post(format!("{}/__sandbox/{path}", core.sandbox_url().await))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {response:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_of_one_account_leaves_the_other_in_the_keychain_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let a = account(&first.sign_up().await);
    let b = account(&first.sign_up().await);
    assert_ne!(a.id, b.id);
    assert_eq!(
        b,
        account(&first.session_get().await.unwrap()),
        "the newest is current"
    );
    let list = first.accounts_list().await.unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[1].current && !list[0].current, "{list:?}");
    assert!(item(&first, &a.id).load().unwrap().is_some());
    assert!(item(&first, &b.id).load().unwrap().is_some());
    assert!(
        legacy_item(&first).load().unwrap().is_none(),
        "one item per account"
    );

    // Signing out of B deletes B's item only; A becomes current.
    let now = first
        .accounts_sign_out(key(&first, &b.id).await)
        .await
        .unwrap();
    assert_eq!(account(&now).id, a.id);
    assert!(item(&first, &b.id).load().unwrap().is_none());
    assert!(item(&first, &a.id).load().unwrap().is_some());
    assert_eq!(first.accounts_list().await.unwrap().len(), 1);
    // A still works.
    assert!(!first.wallet_holdings().await.unwrap().is_empty());

    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);
    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    let restored = account(&second.session_get().await.unwrap());
    assert_eq!(restored.id, a.id);
    assert_eq!(
        second.accounts_list().await.unwrap().len(),
        1,
        "B stays signed out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_single_item_of_before_is_moved_to_its_account() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let a = account(&first.sign_up().await);
    // What the previous version left: the token in the network's item, no account index.
    let token = item(&first, &a.id).load().unwrap().unwrap();
    legacy_item(&first).save(&token).unwrap();
    item(&first, &a.id).clear().unwrap();
    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);
    store
        .set(
            "accounts|localhost@embedded-sandbox",
            serde_json::Value::Null,
        )
        .unwrap();

    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    assert_eq!(account(&second.session_get().await.unwrap()).id, a.id);
    assert!(legacy_item(&second).load().unwrap().is_none(), "moved out");
    let moved = item(&second, &a.id).load().unwrap().unwrap();
    assert_ne!(
        moved, token,
        "the restore rotated it, into the account's item"
    );
    let index = second
        .store
        .get("accounts|localhost@embedded-sandbox")
        .unwrap();
    assert_eq!(index["accounts"][0]["id"], a.id.as_str(), "{index}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switch_never_moves_a_command_to_the_other_account() {
    let core = TestCore::new();
    let a = account(&core.sign_up().await);
    let b = account(&core.sign_up().await);
    core.accounts_switch(key(&core, &a.id).await).await.unwrap();

    // Started before the switch: it finishes on A.
    let holding = core
        .wallet_holdings()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.balance.as_str() != "0")
        .unwrap();
    let draft = TransferDraft {
        chain_id: holding.chain_id,
        token_address: holding.token_address.to_checksum(),
        to: RECIPIENT.into(),
        amount: "0.0001".into(),
        look_alike_confirmed: false,
    };
    let to_b = key(&core, &b.id).await;
    let (review, switched) = tokio::join!(core.send_prepare(draft), core.accounts_switch(to_b));
    let review = review.unwrap();
    assert_eq!(account(&switched.unwrap()).id, b.id);
    assert_eq!(review.signing.safe.to_checksum(), safe_of(&a));
    // A's review is not approved while B is current: nothing is signed for it.
    let refused = core
        .operation_approve_native(review.id.clone(), ProviderKind::Soft)
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::AccountChanged, "{refused:?}");

    // Approved on A, then a switch to B: A's operation is tracked to its end all the same.
    core.accounts_switch(key(&core, &a.id).await).await.unwrap();
    let review = core.prepare_transfer(RECIPIENT, "0.0001").await;
    let hash = review.signing.user_op_hash.clone();
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
    core.accounts_switch(key(&core, &b.id).await).await.unwrap();
    // B opens its own socket (A's closes: IBEx allows one per user, the tracker polls).
    core.portfolio_refresh().await.unwrap();
    core.events
        .wait_for("A's transfer confirmed after the switch", |e| {
            matches!(e, CoreEvent::OperationUpdated { update }
                if update.user_op_hash == hash && update.status == OpStatus::Confirmed)
        })
        .await;
    assert_eq!(account(&core.session_get().await.unwrap()).id, b.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_locks_every_account() {
    let core = TestCore::new();
    let a = account(&core.sign_up().await);
    core.sign_up().await;
    core.session_lock().await.unwrap();
    assert!(core.accounts_list().await.unwrap().iter().all(|e| e.locked));
    core.accounts_switch(key(&core, &a.id).await).await.unwrap();
    let e = core.wallet_holdings().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Locked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inactive_accounts_recovery_deadline_is_announced_with_its_name() {
    let t = TestCore::new();
    let a = account(&t.sign_up().await);
    t.accounts_rename("Family".into()).await.unwrap();
    let review = t
        .recovery_enable(PersonalData {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            birth_date: "1985-12-10".into(),
            birth_city: "London".into(),
            birth_country: "United Kingdom".into(),
        })
        .await
        .unwrap();
    let hash = review.signing.user_op_hash.clone();
    t.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
    t.events
        .wait_for("recovery enabled", |e| {
            matches!(e, CoreEvent::OperationUpdated { update }
                if update.user_op_hash == hash && update.status == OpStatus::Confirmed)
        })
        .await;
    // B signs in and is current; a guardian starts a recovery of A's Safe.
    t.sign_up().await;
    sandbox(
        &t,
        "recovery/start",
        serde_json::json!({ "safeAddress": safe_of(&a) }),
    )
    .await;

    let notifier = t.notifier.clone();
    let core = Arc::new(t.core);
    core.set_recovery_check(RecoveryCheck {
        every: Duration::from_millis(200),
        near_every: Duration::from_millis(200),
    });
    tokio::spawn(core.clone().run_recovery_watch());
    for _ in 0..100 {
        if !notifier.shown().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shown = notifier.shown();
    assert!(
        shown
            .iter()
            .any(|n| n.starts_with("Wallet recovery") && n.contains("(account “Family”)")),
        "{shown:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_safe_is_provisioned_named_picked_and_used() {
    let core = TestCore::new();
    let a = account(&core.sign_up().await);
    let primary = safe_of(&a);
    let chain = a.wallets[0].chain_ids[0];

    let ceremony = core
        .safes_add_begin(chain, " Savings ".into())
        .await
        .unwrap();
    let info = core
        .safes_add_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap();
    let now = account(&info);
    assert_eq!(now.wallets.len(), 2, "{now:?}");
    let added = now.wallets.iter().find(|w| w.selected).unwrap();
    assert_ne!(added.address.to_checksum(), primary);
    assert_eq!(added.name.as_deref(), Some("Savings"));
    assert_eq!(added.chain_ids, [chain]);
    assert!(!added.primary);
    let still = now
        .wallets
        .iter()
        .find(|w| w.primary)
        .expect("a primary Safe");
    assert_eq!(
        still.address.to_checksum(),
        primary,
        "the primary Safe stays primary"
    );

    // Operations act for the picked Safe: fund it, send from it.
    core.safes_select(primary.clone()).await.unwrap();
    let token = core
        .wallet_holdings()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.chain_id == chain && h.balance.as_str() != "0")
        .expect("the primary Safe holds a token on that chain");
    core.safes_select(added.address.to_checksum())
        .await
        .unwrap();
    sandbox(
        &core,
        "ledger/transfers",
        serde_json::json!({
            "safeAddress": added.address.to_checksum(), "chainId": chain,
            "tokenAddress": token.token_address.to_checksum(), "amount": "1",
        }),
    )
    .await;
    let review = core.prepare_transfer(RECIPIENT, "0.5").await;
    assert_eq!(review.signing.safe, added.address);

    // The portfolio per Safe, and the total.
    let portfolio = core.portfolio_refresh().await.unwrap();
    let wallets: Vec<&str> = portfolio.safes.iter().map(|s| s.wallet.as_str()).collect();
    assert!(wallets.contains(&primary.as_str()), "{wallets:?}");
    assert!(
        wallets.contains(&added.address.to_checksum().as_str()),
        "{wallets:?}"
    );

    // Names and picks are checked.
    let e = core.safes_select(RECIPIENT.into()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    let e = core
        .safes_rename(primary.clone(), "x".repeat(41))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_passkey_provisions_nothing() {
    let core = TestCore::new();
    let a = account(&core.sign_up().await);
    core.sign_up().await; // the software passkey now answers with B's credential first
    core.accounts_switch(key(&core, &a.id).await).await.unwrap();
    let chain = a.wallets[0].chain_ids[0];
    let ceremony = core.safes_add_begin(chain, String::new()).await.unwrap();
    let e = core
        .safes_add_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation, "{e:?}");
    assert!(e.message.contains("another account"), "{}", e.message);
    assert_eq!(account(&core.session_get().await.unwrap()).wallets.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_resumes_every_account_and_the_one_that_was_current() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let a = account(&first.sign_up().await);
    let b = account(&first.sign_up().await);
    first
        .accounts_switch(key(&first, &a.id).await)
        .await
        .unwrap();
    first
        .safes_rename(safe_of(&a), "Main".into())
        .await
        .unwrap();
    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);

    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    let now = account(&second.session_get().await.unwrap());
    assert_eq!(now.id, a.id, "A was current");
    assert_eq!(
        now.wallets[0].name.as_deref(),
        Some("Main"),
        "names are kept"
    );
    let ids: Vec<String> = second
        .accounts_list()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(
        ids,
        [a.id, b.id],
        "both resumed, in the order they were added"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_of_two_networks_stay_side_by_side() {
    let core = TestCore::new();
    let a = account(&core.sign_up().await);
    // A second IBEx (a tenant), with an account of its own.
    let tenant = ibex_sandbox::Sandbox::start(ibex_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    core.settings_set_network(NetworkChoice::Custom {
        base_url: tenant.base_url(),
        rp_id: RP.into(),
        api_key: None,
    })
    .await
    .unwrap();
    let b = account(&core.sign_up().await);
    let list = core.accounts_list().await.unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(
        list[0].current && list[0].id == b.id,
        "the tenant's account is current: {list:?}"
    );
    assert!(!list[1].current && list[1].id == a.id);
    assert_ne!(list[0].network, list[1].network);
    assert_ne!(
        list[0].handle, list[1].handle,
        "the same account id on two IBEx is two accounts"
    );

    // Back to A: its network becomes current again, its session never stopped.
    let info = core.accounts_switch(list[1].handle.clone()).await.unwrap();
    assert_eq!(account(&info).id, a.id);
    assert!(matches!(
        core.settings_get().await.unwrap().network,
        NetworkSetting::Sandbox
    ));
    assert!(!core.wallet_holdings().await.unwrap().is_empty());

    // Sign out of B from here: A stays, B's network is left.
    core.accounts_sign_out(list[0].handle.clone())
        .await
        .unwrap();
    let left = core.accounts_list().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].handle, list[1].handle);
}

/// Signing in again to an account already signed in (also how a locked one is unlocked)
/// spends the replaced session's refresh token at IBEx: no live token is left behind, the new
/// session works and survives a restart, and the account keeps what it had filed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_again_spends_the_old_sessions_refresh_token() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let a = account(&first.sign_up().await);
    first.accounts_rename("Daily".into()).await.unwrap();
    let old = item(&first, &a.id).load().unwrap().expect("filed");

    let ceremony = first.auth_begin(AuthIntent::SignIn).await.unwrap();
    let again = first
        .auth_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap();
    assert_eq!(account(&again).id, a.id);
    let new = item(&first, &a.id).load().unwrap().expect("filed");
    assert_ne!(new, old, "the new session's token is the one filed");

    let client =
        ibex::Client::new(ibex::Config::new(&first.sandbox_url().await, RP).unwrap()).unwrap();
    let refused = client.refresh(&old).await.unwrap_err();
    assert!(
        matches!(refused, ibex::Error::Unauthorized { status: 401, .. }),
        "the old refresh token is spent: {refused:?}"
    );

    let list = first.accounts_list().await.unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(
        list[0].name.as_deref(),
        Some("Daily"),
        "nothing else removed"
    );
    assert!(!first.wallet_holdings().await.unwrap().is_empty());
    assert_eq!(item(&first, &a.id).load().unwrap(), Some(new));

    // The new token is the live one: a restart resumes from it.
    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);
    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    assert_eq!(account(&second.session_get().await.unwrap()).id, a.id);
    assert_eq!(second.accounts_list().await.unwrap().len(), 1);
}

/// IBEx registers a new Safe on its other chains after the sign-up has returned (auth.md §7):
/// the core reads the addresses again until the Safe is on every chain, and tells the UI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_safe_s_later_chains_reach_the_account() {
    let core = TestCore::new();
    // The other chains complete 4 s after the first: the sign-up surely returns before.
    sandbox(
        &core,
        "faults",
        serde_json::json!({ "expansionSeconds": 4 }),
    )
    .await;
    let chains = |account: &Account| {
        let primary = account
            .wallets
            .iter()
            .find(|w| w.primary)
            .expect("a primary Safe");
        primary.chain_ids.clone()
    };
    let first = account(&core.sign_up().await);
    assert_eq!(
        chains(&first).len(),
        1,
        "only the default chain so far: {first:?}"
    );
    core.events
        .wait_for("the Safe on every chain", |e| {
            matches!(e, CoreEvent::SessionChanged { session } if matches!(session, SessionInfo::SignedIn { .. }) && chains(&account(session)).len() == 3)
        })
        .await;
    let now = account(&core.session_get().await.unwrap());
    assert_eq!(chains(&now), vec![100, 8453, 421_614]);
    assert_eq!(now.id, first.id);
}
