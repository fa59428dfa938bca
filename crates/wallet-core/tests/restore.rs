//! Start-up restore on a sandbox IBEx that outlives the wallet (as a real one does): a stored
//! session IBEx refuses ends and the user is told which account and why, the others resume and
//! the current account stays the user's; an IBEx that fails at start drops no account.
#![cfg(feature = "soft-passkey")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibex::SecretStore;
use ibex_sandbox::{Sandbox, SandboxConfig};
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use ibex_wallet_core::store::{KvStore, MemoryStore};
use ibex_wallet_core::testing::{RecordingEvents, RecordingNotifier, TestCore};
use ibex_wallet_core::{Account, Core, CoreDeps, NetworkChoice, NoticeKind, SessionInfo};

const RP: &str = "localhost";
const PIN: &str = "restore-246810";

struct World {
    ibex: Sandbox,
    /// The network's identity as the wallet files it (its parsed base URL).
    identity: String,
}

impl World {
    async fn start() -> Self {
        let ibex = Sandbox::start(SandboxConfig {
            address_ready: Duration::ZERO,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let identity = format!("{}/", ibex.base_url().trim_end_matches('/'));
        Self { ibex, identity }
    }

    /// A wallet on this IBEx with the settings and keychain of `before` (a restart), or new.
    async fn wallet(&self, before: Option<TestCore>) -> TestCore {
        let Some(before) = before else {
            let core = TestCore::new();
            core.settings_set_network(NetworkChoice::Custom {
                base_url: self.ibex.base_url(),
                rp_id: RP.into(),
                api_key: None,
            })
            .await
            .unwrap();
            return core;
        };
        let (store, secrets) = (before.store.clone(), before.secrets.clone());
        drop(before);
        let core = TestCore::with(store, secrets, None);
        core.warm_up().await;
        core
    }

    /// Account `id`'s refresh-token item.
    fn item(&self, core: &TestCore, id: &str) -> Arc<dyn SecretStore> {
        core.secrets
            .open(
                SecretItem::RefreshToken,
                &format!("{}#{id}", self.identity),
                RP,
            )
            .unwrap()
    }

    /// IBEx rotates account `id`'s stored token and the answer never reaches the wallet (the
    /// lost-reply window of a killed start): the token in the keychain is spent.
    async fn spend(&self, core: &TestCore, id: &str) {
        let token = self.item(core, id).load().unwrap().expect("a stored token");
        let client =
            ibex::Client::new(ibex::Config::new(&self.ibex.base_url(), RP).unwrap()).unwrap();
        client.refresh(&token).await.expect("IBEx rotates it");
    }

    async fn faults(&self, faults: serde_json::Value) {
        let response = reqwest::Client::new()
            .post(format!(
                "{}/__sandbox/faults",
                self.ibex.base_url().trim_end_matches('/')
            ))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// The account index of this network, as filed in the settings store.
    fn index(&self, core: &TestCore) -> serde_json::Value {
        core.store
            .get(&format!("accounts|{RP}@{}", self.identity))
            .unwrap_or_default()
    }
}

fn account(info: &SessionInfo) -> Account {
    match info {
        SessionInfo::SignedIn { account, .. } => account.clone(),
        other => panic!("not signed in: {other:?}"),
    }
}

async fn ids(core: &TestCore) -> Vec<String> {
    core.accounts_list()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_refused_at_start_is_told_by_name_and_the_others_stay_current() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let core = world.wallet(None).await;
    let a = account(&core.sign_up().await);
    let b = account(&core.sign_up().await);
    core.accounts_rename("Savings".into()).await.unwrap(); // B, current
    let handle = |id: &str| format!("{RP}@{}|{id}", world.identity);
    core.accounts_switch(handle(&a.id)).await.unwrap();
    world.spend(&core, &b.id).await;

    let core = world.wallet(Some(core)).await;
    let info = core.session_get().await.unwrap();
    assert_eq!(account(&info).id, a.id, "A was current and came back");
    assert_eq!(
        ids(&core).await,
        std::slice::from_ref(&a.id),
        "B left the switcher"
    );
    let [notice] = info.notices() else {
        panic!("one notice: {info:?}")
    };
    assert_eq!(notice.kind, NoticeKind::EndedWhileClosed);
    let who = notice.account.as_ref().expect("the account is named");
    assert_eq!(
        (who.id.as_str(), who.label.as_str()),
        (b.id.as_str(), "Savings")
    );
    assert_eq!(
        notice.message,
        "Your session for Savings ended while the wallet was closed. Sign in again to use it."
    );
    assert_eq!(
        world.index(&core)["current"],
        a.id.as_str(),
        "{}",
        world.index(&core)
    );
    assert!(
        world.item(&core, &b.id).load().unwrap().is_none(),
        "the spent token is gone"
    );

    // In the user's language, and gone once read.
    core.settings_set_language(ibex_wallet_core::Language::Fr)
        .await
        .unwrap();
    let info = core.session_get().await.unwrap();
    assert!(
        info.notices()[0]
            .message
            .starts_with("Votre session pour Savings a pris fin"),
        "{info:?}"
    );
    let info = core.session_dismiss(info.notices()[0].id).await.unwrap();
    assert!(info.notices().is_empty(), "{info:?}");

    // The last account refused too: the start is signed out, and says whose session ended
    // (its primary Safe shortened, as the switcher named it).
    core.settings_set_language(ibex_wallet_core::Language::En)
        .await
        .unwrap();
    world.spend(&core, &a.id).await;
    let core = world.wallet(Some(core)).await;
    let info = core.session_get().await.unwrap();
    let SessionInfo::SignedOut { notices } = &info else {
        panic!("signed out: {info:?}")
    };
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].account.as_ref().unwrap().label, a.label);
    assert!(notices[0].message.contains(&a.label), "{notices:?}");
}

/// Signing the ended account in again answers its notice; another account's sign-in does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_the_ended_account_in_again_answers_its_notice() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let core = world.wallet(None).await;
    let pin = account(&core.pin_sign_up(PIN.into()).await.unwrap());
    world.spend(&core, &pin.id).await;
    let core = world.wallet(Some(core)).await;
    let info = core.session_get().await.unwrap();
    assert_eq!(info.notices().len(), 1, "{info:?}");
    let other = core.sign_up().await;
    assert_eq!(other.notices().len(), 1, "another account: {other:?}");
    let again = core.pin_sign_in(PIN.into()).await.unwrap();
    assert_eq!(account(&again).id, pin.id);
    assert!(again.notices().is_empty(), "{again:?}");
}

/// The settings store, recording every write of one key.
struct Recording {
    inner: Arc<MemoryStore>,
    key: String,
    writes: Mutex<Vec<serde_json::Value>>,
}

impl KvStore for Recording {
    fn get(&self, key: &str) -> Option<serde_json::Value> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: serde_json::Value) -> Result<(), String> {
        if key == self.key {
            self.writes.lock().unwrap().push(value.clone());
        }
        self.inner.set(key, value)
    }
}

/// A start that restores a non-current account first used to write it to the index as
/// current (each restore made itself current, the wanted one was set back at the end): a
/// start killed in between opened on the wrong account next time. No write of a restore
/// names another current account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restoring_never_moves_the_current_account() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let core = world.wallet(None).await;
    let a = account(&core.sign_up().await);
    let b = account(&core.sign_up().await);
    assert_eq!(
        world.index(&core)["current"],
        b.id.as_str(),
        "the newest is current"
    );
    let (store, secrets) = (core.store.clone(), core.secrets.clone());
    drop(core);

    let recording = Arc::new(Recording {
        inner: store,
        key: format!("accounts|{RP}@{}", world.identity),
        writes: Mutex::new(Vec::new()),
    });
    let core = Core::new(CoreDeps {
        store: recording.clone(),
        events: Arc::new(RecordingEvents::default()),
        secrets,
        cache: Arc::new(MemoryStore::default()),
        notifier: Arc::new(RecordingNotifier::default()),
    });
    core.warm_up().await;
    let ids: Vec<String> = core
        .accounts_list()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, [a.id.clone(), b.id.clone()], "A restored first");
    assert_eq!(account(&core.session_get().await.unwrap()).id, b.id);
    let writes = recording.writes.lock().unwrap();
    for index in writes.iter() {
        assert_eq!(index["current"], b.id.as_str(), "a restore wrote {index}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ibex_failing_at_start_drops_no_account() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let core = world.wallet(None).await;
    let a = account(&core.sign_up().await);
    let b = account(&core.sign_up().await);
    world
        .faults(serde_json::json!({ "serverErrorRate": 1.0 }))
        .await;

    let core = world.wallet(Some(core)).await;
    let info = core.session_get().await.unwrap();
    let SessionInfo::SignedOut { notices } = &info else {
        panic!("nothing resumed: {info:?}")
    };
    let told: Vec<_> = notices
        .iter()
        .map(|n| (n.kind, n.account.as_ref().unwrap().id.clone()))
        .collect();
    assert_eq!(
        told,
        [
            (NoticeKind::NotResumed, a.id.clone()),
            (NoticeKind::NotResumed, b.id.clone())
        ]
    );
    assert!(
        notices[1].message.contains("stays on this device"),
        "{notices:?}"
    );
    let index = world.index(&core);
    assert_eq!(index["accounts"].as_array().unwrap().len(), 2, "{index}");
    assert_eq!(index["current"], b.id.as_str());
    assert!(world.item(&core, &a.id).load().unwrap().is_some());
    assert!(world.item(&core, &b.id).load().unwrap().is_some());

    // IBEx is back: the next start resumes both, on the one that was current, and says nothing.
    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0 }))
        .await;
    let core = world.wallet(Some(core)).await;
    let info = core.session_get().await.unwrap();
    assert_eq!(account(&info).id, b.id);
    assert!(info.notices().is_empty(), "{info:?}");
    assert_eq!(ids(&core).await, [a.id, b.id]);
}
