//! A transfer tracked to CONFIRMED with the account's WebSocket open (it wakes the tracker when
//! the transaction lands), and again with the sandbox dropping every socket (HTTP polling
//! alone). Real core, embedded sandbox, software passkey.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ibex_wallet_core::notify::Notifier;
use ibex_wallet_core::operations::OpStatus;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::secrets::MemorySecrets;
use ibex_wallet_core::send::TransferDraft;
use ibex_wallet_core::store::MemoryStore;
use ibex_wallet_core::{AuthIntent, Core, CoreDeps, CoreEvent, EventSink};

#[derive(Default)]
struct Recorder(Mutex<Vec<CoreEvent>>);

/// The OS notification centre, as far as the core can tell.
#[derive(Default)]
struct Shown(Mutex<Vec<String>>);

impl Notifier for Shown {
    fn notify(&self, title: &str, body: &str) {
        self.0.lock().unwrap().push(format!("{title}: {body}"));
    }
}

impl EventSink for Recorder {
    fn emit(&self, event: CoreEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    fn seen(&self, pred: impl Fn(&CoreEvent) -> bool) -> bool {
        self.0.lock().unwrap().iter().any(pred)
    }

    async fn wait_for(&self, what: &str, pred: impl Fn(&CoreEvent) -> bool) {
        for _ in 0..600 {
            if self.seen(&pred) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never saw {what}: {:?}", self.0.lock().unwrap());
    }

    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

fn confirmed(e: &CoreEvent) -> bool {
    matches!(e, CoreEvent::OperationUpdated { update } if update.status == OpStatus::Confirmed)
}

async fn send_one(core: &Core) {
    let holding = core
        .wallet_holdings()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.balance.as_str() != "0")
        .expect("the sandbox seeds a balance");
    let review = core
        .send_prepare(TransferDraft {
            chain_id: holding.chain_id,
            token_address: holding.token_address.to_string(),
            to: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359".into(),
            amount: "0.0001".into(),
            look_alike_confirmed: false,
        })
        .await
        .unwrap();
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_confirm_with_the_websocket_and_without_it() {
    let events = Arc::new(Recorder::default());
    let shown = Arc::new(Shown::default());
    let core = Core::new(CoreDeps {
        store: Arc::new(MemoryStore::default()),
        events: events.clone(),
        secrets: Arc::new(MemorySecrets::default()),
        cache: Arc::new(MemoryStore::default()),
        notifier: shown.clone(),
    });
    let ceremony = core.auth_begin(AuthIntent::SignUp).await.unwrap();
    core.auth_complete_native(ceremony.id, ProviderKind::Soft)
        .await
        .unwrap();

    send_one(&core).await;
    events
        .wait_for("the socket connected", |e| {
            matches!(e, CoreEvent::Realtime { connected: true })
        })
        .await;
    events.wait_for("CONFIRMED", confirmed).await;
    // The window had focus: the page shows the outcome, no OS notification.
    assert!(shown.0.lock().unwrap().is_empty());
    events
        .wait_for("the pushed transaction", |e| {
            matches!(e, CoreEvent::WalletChanged)
        })
        .await;

    // Every socket dropped and refused: the tracker falls back to polling alone.
    let base = core.network_status().await.unwrap().base_url;
    let faults = reqwest::Client::new()
        .post(format!("{}/__sandbox/faults", base.trim_end_matches('/')))
        .json(&serde_json::json!({ "dropWebSockets": true }))
        .send()
        .await
        .unwrap();
    assert!(faults.status().is_success());
    events
        .wait_for("the socket dropped", |e| {
            matches!(e, CoreEvent::Realtime { connected: false })
        })
        .await;
    events.clear();
    core.set_window_focused(false);
    send_one(&core).await;
    events.wait_for("CONFIRMED by polling", confirmed).await;
    assert!(!events.seen(|e| matches!(e, CoreEvent::WalletChanged)));
    // In the background, the outcome reaches the OS notification centre, once.
    let shown = shown.0.lock().unwrap().clone();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].starts_with("Operation confirmed: 0x"), "{shown:?}");
}
