//! A transfer tracked to CONFIRMED with the account's WebSocket open (it wakes the tracker when
//! the transaction lands), and again with the sandbox dropping every socket (HTTP polling
//! alone). Real core, embedded sandbox, software passkey.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use ibex_wallet_core::operations::OpStatus;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::CoreEvent;

fn confirmed(e: &CoreEvent) -> bool {
    matches!(e, CoreEvent::OperationUpdated { update } if update.status == OpStatus::Confirmed)
}

async fn send_one(core: &TestCore) {
    let review = core
        .prepare_transfer("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0.0001")
        .await;
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_confirm_with_the_websocket_and_without_it() {
    let core = TestCore::new();
    let events = &core.events;
    core.sign_up().await;

    send_one(&core).await;
    events
        .wait_for("the socket connected", |e| {
            matches!(e, CoreEvent::Realtime { connected: true })
        })
        .await;
    events.wait_for("CONFIRMED", confirmed).await;
    // The window had focus: the page shows the outcome, no OS notification.
    assert!(core.notifier.shown().is_empty());
    events
        .wait_for("the pushed transaction", |e| {
            matches!(e, CoreEvent::WalletChanged)
        })
        .await;

    // Every socket dropped and refused: the tracker falls back to polling alone.
    ibex::install_crypto_provider();
    let faults = reqwest::Client::new()
        .post(format!("{}/__sandbox/faults", core.sandbox_url().await))
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
    let shown = core.notifier.shown();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].starts_with("Operation confirmed: 0x"), "{shown:?}");
}
