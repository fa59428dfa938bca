//! Start-up restore on a sandbox IBEx that outlives the wallet (as a real one does): a stored
//! session IBEx refuses ends and the user is told which account and why, the others resume and
//! the current account stays the user's; an IBEx that fails at start drops no account, and the
//! account is tried again — by the user and on the core's own — spending its token once.
#![cfg(feature = "soft-passkey")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibex::SecretStore;
use ibex_sandbox::{Sandbox, SandboxConfig};
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use ibex_wallet_core::store::{KvStore, MemoryStore};
use ibex_wallet_core::testing::{RecordingEvents, RecordingNotifier, TestCore};
use ibex_wallet_core::{
    Account, Core, CoreDeps, NetworkChoice, NoticeKind, ResumeBackoff, SessionInfo, SessionNotice,
};

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

    /// The same restart, trying a session not resumed again after `backoff`'s waits.
    async fn wallet_trying(&self, before: TestCore, backoff: ResumeBackoff) -> TestCore {
        let (store, secrets) = (before.store.clone(), before.secrets.clone());
        drop(before);
        let core = TestCore::with(store, secrets, None).with_resume_backoff(backoff);
        core.warm_up().await;
        core
    }

    /// The refreshes IBEx was asked for so far (failed ones too).
    async fn refreshes(&self) -> u64 {
        let counters: serde_json::Value = reqwest::get(format!(
            "{}/__sandbox/counters",
            self.ibex.base_url().trim_end_matches('/')
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        counters["refresh"].as_u64().unwrap()
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

/// Tries that never come on their own within a test (the user's tries are tested alone).
const BY_HAND: ResumeBackoff = ResumeBackoff {
    first: Duration::from_secs(3600),
    max: Duration::from_secs(3600),
};

/// Tries every 200–400 ms.
const SOON: ResumeBackoff = ResumeBackoff {
    first: Duration::from_millis(200),
    max: Duration::from_millis(400),
};

/// Waits (10 s at most) until `n` accounts are listed, with no one asking.
async fn until_listed(core: &Core, n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while core.accounts_list().await.unwrap().len() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "not resumed on its own"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn notice_of<'i>(info: &'i SessionInfo, id: &str) -> Option<&'i SessionNotice> {
    info.notices()
        .iter()
        .find(|n| n.account.as_ref().is_some_and(|a| a.id == id))
}

/// Two accounts, IBEx failing at the restart: both told, neither listed.
async fn not_resumed(world: &World, backoff: ResumeBackoff) -> (TestCore, Account, Account) {
    let core = world.wallet(None).await;
    let a = account(&core.sign_up().await);
    let b = account(&core.sign_up().await);
    world
        .faults(serde_json::json!({ "serverErrorRate": 1.0 }))
        .await;
    let core = world.wallet_trying(core, backoff).await;
    let info = core.session_get().await.unwrap();
    assert!(matches!(info, SessionInfo::SignedOut { .. }), "{info:?}");
    for id in [&a.id, &b.id] {
        let notice = notice_of(&info, id).expect("told");
        assert_eq!(notice.kind, NoticeKind::NotResumed);
        assert!(notice.message.contains("keeps trying"), "{notice:?}");
    }
    (core, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trying_again_resumes_a_session_ibex_failed_at_start() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let (core, a, b) = not_resumed(&world, BY_HAND).await;
    let info = core.session_get().await.unwrap();
    let told = notice_of(&info, &b.id).unwrap().clone();

    // Still down: the notice stays, the same one, with the new reason.
    let info = core.session_retry(told.id).await.unwrap();
    let again = notice_of(&info, &b.id).expect("still told");
    assert_eq!((again.id, again.kind), (told.id, NoticeKind::NotResumed));
    assert!(ids(&core).await.is_empty());

    // IBEx is back: B resumes with one refresh, and is current (none was).
    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0 }))
        .await;
    let before = world.refreshes().await;
    let info = core.session_retry(told.id).await.unwrap();
    assert_eq!(account(&info).id, b.id);
    assert!(notice_of(&info, &b.id).is_none(), "{info:?}");
    assert!(
        notice_of(&info, &a.id).is_some(),
        "A is still told: {info:?}"
    );
    assert_eq!(world.refreshes().await - before, 1, "one rotation");
    assert_eq!(ids(&core).await, std::slice::from_ref(&b.id));

    // A comes back beside it, not in its place; its notice is gone, and trying a notice no
    // longer there changes nothing.
    let a_notice = notice_of(&info, &a.id).unwrap().id;
    let info = core.session_retry(a_notice).await.unwrap();
    assert_eq!(account(&info).id, b.id, "B stays current");
    assert!(info.notices().is_empty(), "{info:?}");
    assert_eq!(ids(&core).await, [b.id.clone(), a.id.clone()]);
    let settled = world.refreshes().await;
    assert_eq!(core.session_retry(a_notice).await.unwrap(), info);
    assert_eq!(world.refreshes().await, settled);
    // The resumed session works: its Safe is read with the rotated tokens.
    assert_eq!(
        account(&core.session_get().await.unwrap()).wallets,
        b.wallets
    );
}

/// A double click, and the automatic tries at the same time: each single-use refresh token is
/// sent once, and every caller gets the outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tries_at_the_same_time_spend_the_token_once() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let (core, a, b) = not_resumed(&world, SOON).await;
    let info = core.session_get().await.unwrap();
    let notice = notice_of(&info, &b.id).unwrap().id;
    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0, "latencyMs": 300 }))
        .await;
    let before = world.refreshes().await;
    let (one, two, three) = tokio::join!(
        core.session_retry(notice),
        core.session_retry(notice),
        core.session_retry(notice)
    );
    for info in [one.unwrap(), two.unwrap(), three.unwrap()] {
        assert_eq!(account(&info).id, b.id, "{info:?}");
        assert!(notice_of(&info, &b.id).is_none(), "{info:?}");
    }
    // A comes back on its own meanwhile; then every loop is answered and tries no more.
    until_listed(&core, 2).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        world.refreshes().await - before,
        2,
        "each account's token was sent once"
    );
    world.faults(serde_json::json!({ "latencyMs": 0 })).await;
    // The stored tokens are live at IBEx: a second send would have been refused.
    world.spend(&core, &a.id).await;
    world.spend(&core, &b.id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_refused_when_tried_again_is_told_ended() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let (core, a, b) = not_resumed(&world, BY_HAND).await;
    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0 }))
        .await;
    world.spend(&core, &b.id).await;
    let info = core.session_get().await.unwrap();
    let info = core
        .session_retry(notice_of(&info, &b.id).unwrap().id)
        .await
        .unwrap();
    let notice = notice_of(&info, &b.id).expect("told");
    assert_eq!(notice.kind, NoticeKind::EndedWhileClosed, "{info:?}");
    assert!(ids(&core).await.is_empty());
    let index = world.index(&core);
    let filed: Vec<_> = index["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(filed, std::slice::from_ref(&a.id), "B is unfiled: {index}");
    assert!(world.item(&core, &b.id).load().unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_tries_again_on_its_own_until_the_session_is_back() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let before = world.refreshes().await;
    let (core, a, b) = not_resumed(&world, SOON).await;
    let at_start = world.refreshes().await;

    // Down for 1.5 s: a few tries per account (200 ms, then 400 ms apart), no more.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let tries = world.refreshes().await - at_start;
    assert!(
        (4..=12).contains(&tries),
        "{tries} tries in 1.5 s for two accounts"
    );

    // Back: both resume with no one asking.
    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0 }))
        .await;
    until_listed(&core, 2).await;
    let info = core.session_get().await.unwrap();
    assert!(info.notices().is_empty(), "{info:?}");
    let mut listed = ids(&core).await;
    listed.sort();
    let mut both = vec![a.id.clone(), b.id.clone()];
    both.sort();
    assert_eq!(listed, both);
    assert!(core.events.seen(|e| matches!(
        e,
        ibex_wallet_core::CoreEvent::SessionChanged {
            session: SessionInfo::SignedIn { .. }
        }
    )));

    // Then it stops: no refresh for another second.
    let settled = world.refreshes().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(world.refreshes().await, settled);
    assert!(settled > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dismissed_notice_is_not_tried_again() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let (core, a, b) = not_resumed(&world, SOON).await;
    let info = core.session_get().await.unwrap();
    for notice in info.notices() {
        core.session_dismiss(notice.id).await.unwrap();
    }
    // A try already under way when the notice went ends without bringing it back.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let settled = world.refreshes().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        world.refreshes().await,
        settled,
        "no try after the dismissal"
    );
    let info = core.session_get().await.unwrap();
    assert!(info.notices().is_empty(), "{info:?}");

    // IBEx back: still nothing on its own; the accounts stay filed for the next start.
    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0 }))
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(ids(&core).await.is_empty());
    assert_eq!(world.refreshes().await, settled);
    let core = world.wallet(Some(core)).await;
    let mut listed = ids(&core).await;
    listed.sort();
    let mut both = vec![a.id, b.id];
    both.sort();
    assert_eq!(listed, both);
}

/// A keychain that does not answer while `down` (the Secret Service not started yet, a locked
/// keyring), the test's memory one otherwise.
struct Flaky {
    inner: Arc<ibex_wallet_core::secrets::MemorySecrets>,
    down: std::sync::atomic::AtomicBool,
}

impl SecretStores for Flaky {
    fn open(
        &self,
        item: SecretItem,
        base_url: &str,
        rp_id: &str,
    ) -> Result<Arc<dyn SecretStore>, String> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("the Secret Service is not running".into());
        }
        self.inner.open(item, base_url, rp_id)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_not_answering_at_start_is_tried_again_once_it_does() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let core = world.wallet(None).await;
    let a = account(&core.sign_up().await);
    let (store, secrets) = (core.store.clone(), core.secrets.clone());
    drop(core);
    let keychain = Arc::new(Flaky {
        inner: secrets,
        down: true.into(),
    });
    let core = Core::new(CoreDeps {
        store,
        events: Arc::new(RecordingEvents::default()),
        secrets: keychain.clone(),
        cache: Arc::new(MemoryStore::default()),
        notifier: Arc::new(RecordingNotifier::default()),
    })
    .with_resume_backoff(SOON);
    core.warm_up().await;
    let info = core.session_get().await.unwrap();
    let notice = notice_of(&info, &a.id).expect("told").clone();
    assert_eq!(notice.kind, NoticeKind::NotResumed);
    assert!(
        notice.message.contains("the Secret Service is not running"),
        "{notice:?}"
    );

    // Not answering still: nothing is asked of IBEx (there is no token to send).
    let before = world.refreshes().await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(world.refreshes().await, before);
    assert!(notice_of(&core.session_get().await.unwrap(), &a.id).is_some());

    // It answers: the next automatic try resumes the account, with one refresh.
    keychain
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    until_listed(&core, 1).await;
    let info = core.session_get().await.unwrap();
    assert_eq!(account(&info).id, a.id);
    assert!(info.notices().is_empty(), "{info:?}");
    assert_eq!(world.refreshes().await - before, 1);
}

/// The network's single item of before several accounts (no account index yet), IBEx failing
/// at start: told without a name, and tried again like any other; back, it moves to its
/// account's item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_of_before_several_accounts_is_tried_again_too() {
    ibex::install_crypto_provider();
    let world = World::start().await;
    let core = world.wallet(None).await;
    let a = account(&core.sign_up().await);
    let legacy = core
        .secrets
        .open(SecretItem::RefreshToken, &world.identity, RP)
        .unwrap();
    legacy
        .save(&world.item(&core, &a.id).load().unwrap().unwrap())
        .unwrap();
    world.item(&core, &a.id).clear().unwrap();
    core.store
        .set(
            &format!("accounts|{RP}@{}", world.identity),
            serde_json::Value::Null,
        )
        .unwrap();
    world
        .faults(serde_json::json!({ "serverErrorRate": 1.0 }))
        .await;
    let core = world.wallet_trying(core, BY_HAND).await;
    let info = core.session_get().await.unwrap();
    let [notice] = info.notices() else {
        panic!("one notice: {info:?}")
    };
    assert_eq!(
        (notice.kind, &notice.account),
        (NoticeKind::NotResumed, &None)
    );
    assert!(
        notice
            .message
            .starts_with("Your last session could not be resumed. The wallet keeps trying"),
        "{notice:?}"
    );

    world
        .faults(serde_json::json!({ "serverErrorRate": 0.0 }))
        .await;
    let info = core.session_retry(notice.id).await.unwrap();
    assert_eq!(account(&info).id, a.id);
    assert!(info.notices().is_empty(), "{info:?}");
    assert!(legacy.load().unwrap().is_none(), "moved out");
    assert!(world.item(&core, &a.id).load().unwrap().is_some());
    assert_eq!(world.index(&core)["accounts"][0]["id"], a.id.as_str());
}
