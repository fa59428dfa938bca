//! Owners and devices, Bitcoin and Solana, against the embedded sandbox with the software
//! passkey: the Safe's owners read on-chain with this device's marked; a second passkey made by a
//! real registration and added as an owner, the threshold raised, bad changes refused in the
//! core (last owner, 0, above the owners, this device without confirmation) with IBEx
//! untouched; the derived Bitcoin and Solana wallets with their balances, and sends planned
//! with every bad input refused.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use ibex_wallet_core::bitcoin::{BitcoinDraft, FeeProfile};
use ibex_wallet_core::operations::{OpStatus, Reviewed};
use ibex_wallet_core::owners::{OwnerRemoveDraft, OwnersView};
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::solana::SolanaDraft;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::{CoreEvent, ErrorCode};

const ARB: u32 = 421_614;

async fn signed_up() -> TestCore {
    let core = TestCore::new();
    core.sign_up().await;
    wait_owners(&core).await;
    core
}

/// Approves the review with the software passkey and waits until it executed.
async fn approve(core: &TestCore, review: ibex_wallet_core::operations::OperationReview) {
    let hash = review.signing.user_op_hash.clone();
    core.operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .expect("approved");
    core.events
        .wait_for("EXECUTED", |e| {
            matches!(e, CoreEvent::OperationUpdated { update } if update.user_op_hash == hash
                && matches!(update.status, OpStatus::Executed | OpStatus::Confirmed))
        })
        .await;
}

async fn owners(core: &TestCore) -> OwnersView {
    core.owners_list(ARB).await.expect("owners")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_are_listed_added_and_changed_and_bad_changes_are_refused_in_the_core() {
    let core = signed_up().await;
    let first = owners(&core).await;
    assert_eq!(first.owners.len(), 1);
    assert_eq!(first.threshold, 1);
    assert!(first.device_known);
    assert!(
        first.owners[0].this_device,
        "the sign-up passkey is this device"
    );
    let me = first.owners[0].address.clone();

    // The last owner, a threshold of 0 or above the owners, the same threshold: refused.
    let last = core
        .owners_remove_prepare(OwnerRemoveDraft {
            chain_id: ARB,
            owner: me.clone(),
            threshold: 1,
            confirm_this_device: true,
        })
        .await
        .unwrap_err();
    assert_eq!(last.code, ErrorCode::Validation);
    assert!(last.message.contains("only owner"), "{}", last.message);
    for (threshold, needle) in [(0, "at least 1"), (2, "has owners (1)"), (1, "already 1")] {
        let e = core
            .owners_threshold_prepare(ARB, threshold)
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
        assert!(e.message.contains(needle), "{threshold}: {}", e.message);
    }

    // A second passkey (a real registration with the software authenticator) as an owner.
    let label = core.owners_add_begin(ARB, "   ".into()).await.unwrap_err();
    assert!(
        label.message.contains("Name the new owner"),
        "{}",
        label.message
    );
    let ceremony = core
        .owners_add_begin(ARB, "YubiKey 5C".into())
        .await
        .unwrap();
    assert!(ceremony.options_json.contains("\"alg\":-7"));
    let above = core
        .owners_add_prepare_native(ceremony.id, ProviderKind::Soft, 3)
        .await
        .unwrap_err();
    assert!(
        above.message.contains("threshold of 3"),
        "{}",
        above.message
    );
    let ceremony = core
        .owners_add_begin(ARB, "YubiKey 5C".into())
        .await
        .unwrap();
    let review = core
        .owners_add_prepare_native(ceremony.id, ProviderKind::Soft, 1)
        .await
        .unwrap();
    let Reviewed::AddOwner(facts) = &review.operation else {
        panic!("not an ADD_OWNER review: {:?}", review.operation);
    };
    assert_eq!(facts.label.as_deref(), Some("YubiKey 5C"));
    assert_eq!((facts.owners_after, facts.threshold), (2, 1));
    let new_owner = facts.owner.to_checksum();
    assert_ne!(new_owner, me);
    // Nothing changed at IBEx until the passkey approves.
    assert_eq!(owners(&core).await.owners.len(), 1);
    approve(&core, review).await;
    let two = owners(&core).await;
    assert_eq!(two.owners.len(), 2);
    let added = two.owners.iter().find(|o| o.address == new_owner).unwrap();
    assert_eq!(added.label.as_deref(), Some("YubiKey 5C"));
    assert!(!added.this_device);
    assert!(two.owners.iter().any(|o| o.address == me && o.this_device));

    // Threshold 2 of 2; then removing an owner must lower it.
    let review = core.owners_threshold_prepare(ARB, 2).await.unwrap();
    assert!(
        matches!(&review.operation, Reviewed::ChangeThreshold(t) if t.before == 1 && t.after == 2 && t.owners == 2)
    );
    approve(&core, review).await;
    assert_eq!(owners(&core).await.threshold, 2);
    let e = core
        .owners_remove_prepare(OwnerRemoveDraft {
            chain_id: ARB,
            owner: new_owner.clone(),
            threshold: 2,
            confirm_this_device: false,
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("threshold of 2"), "{}", e.message);

    // This device's own passkey: only with an explicit confirmation.
    let e = core
        .owners_remove_prepare(OwnerRemoveDraft {
            chain_id: ARB,
            owner: me.clone(),
            threshold: 1,
            confirm_this_device: false,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ConfirmationNeeded);
    assert!(
        e.message.contains("this device's own passkey"),
        "{}",
        e.message
    );
    let e = core
        .owners_remove_prepare(OwnerRemoveDraft {
            chain_id: ARB,
            owner: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into(),
            threshold: 1,
            confirm_this_device: true,
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("not an owner"), "{}", e.message);

    // Removing the other owner, back to 1 of 1.
    let review = core
        .owners_remove_prepare(OwnerRemoveDraft {
            chain_id: ARB,
            owner: new_owner.clone(),
            threshold: 1,
            confirm_this_device: false,
        })
        .await
        .unwrap();
    assert!(
        matches!(&review.operation, Reviewed::RemoveOwner(f) if !f.this_device && f.owners_after == 1)
    );
    approve(&core, review).await;
    let back = owners(&core).await;
    assert_eq!((back.owners.len(), back.threshold), (1, 1));
    assert!(back.owners[0].this_device);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bitcoin_and_solana_wallets_show_balances_and_plans_refuse_bad_input() {
    let core = signed_up().await;
    let btc = core.bitcoin_wallets().await.unwrap();
    assert!(!btc.addresses.is_empty());
    assert_eq!(btc.fees.standard, "10");
    let funded = &btc.addresses[0];
    assert!(funded.address.starts_with("tb1"), "{}", funded.address);
    let sum: u64 = funded
        .utxos
        .iter()
        .map(|u| u.value_sat.parse::<u64>().unwrap())
        .sum();
    assert_eq!(funded.balance_sat, sum.to_string());
    assert!(sum > 0);

    let draft = |to: &str, amount: &str| BitcoinDraft {
        from: funded.address.clone(),
        to: to.to_owned(),
        amount: amount.to_owned(),
        fee_profile: FeeProfile::Standard,
    };
    let to = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7";
    let above = ibex_wallet_core::bitcoin::btc(sum + 100_000_000);
    for (draft, needle) in [
        (
            draft("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "0.0001"),
            "mainnet address",
        ),
        (
            draft(
                "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k8",
                "0.0001",
            ),
            "checksum",
        ),
        (draft(to, "0.000000001"), "8 decimals"),
        (draft(to, &above), "can spend"),
        (draft(to, "0.000006"), "network fee"),
        (draft(&funded.address, "0.0001"), "sending from"),
    ] {
        let e = core.bitcoin_plan(draft).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{needle}: {e:?}");
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
    }
    let plan = core.bitcoin_plan(draft(to, "0.0001")).await.unwrap();
    assert_eq!(plan.amount_sat, "10000");
    let fee: u64 = plan.fee_sat.parse().unwrap();
    assert!(fee > 0);
    assert_eq!(plan.total_sat, (10_000 + fee).to_string());
    assert!(!plan.signable, "IBEx documents no way to sign it");

    let sol = core.solana_wallets().await.unwrap();
    let wallet = &sol.addresses[0];
    let lamports: u64 = wallet.balance_lamports.parse().unwrap();
    assert!(lamports > 0);
    let draft = |to: &str, amount: &str| SolanaDraft {
        from: wallet.address.clone(),
        to: to.to_owned(),
        amount: amount.to_owned(),
    };
    let other = "So11111111111111111111111111111111111111112";
    for (draft, needle) in [
        (
            draft("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1"),
            "Ethereum",
        ),
        (
            draft("So1111111111111111111111111111111111111111O", "1"),
            "“O”",
        ),
        (draft(other, "0.0000000001"), "9 decimals"),
        (draft(other, "1000"), "holds"),
    ] {
        let e = core.solana_plan(draft).await.unwrap_err();
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
    }
    let plan = core.solana_plan(draft(other, "0.05")).await.unwrap();
    assert_eq!(plan.amount_lamports, "50000000");
    assert!(!plan.signable);
}

/// Which owner is this device is filed per account: it survives a switch to another account
/// and a restart (no new ceremony), and one account's key never marks another's owner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_device_is_known_per_account_across_a_switch_and_a_restart() {
    use ibex_wallet_core::store::KvStore;
    use ibex_wallet_core::SessionInfo;
    let id = |info: &SessionInfo| match info {
        SessionInfo::SignedIn { account, .. } => account.id.clone(),
        other => panic!("not signed in: {other:?}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox-state.json");
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));
    let a = id(&first.sign_up().await);
    let mine = wait_owners(&first).await;
    assert!(mine.device_known && mine.owners[0].this_device, "{mine:?}");
    let b = id(&first.sign_up().await);
    let theirs = wait_owners(&first).await;
    assert!(theirs.owners[0].this_device, "B's own passkey: {theirs:?}");
    assert_ne!(theirs.owners[0].address, mine.owners[0].address);

    // Back to A: still marked, without a ceremony.
    first
        .accounts_switch(handle(&first, &a).await)
        .await
        .unwrap();
    let back = owners(&first).await;
    assert!(back.device_known && back.owners[0].this_device, "{back:?}");

    // Filed with each account, and each account has its own.
    let index = first
        .store
        .get("accounts|localhost@embedded-sandbox")
        .unwrap();
    let keys = |n: usize| index["accounts"][n]["deviceKeys"].clone();
    assert_eq!(index["accounts"][0]["id"], a.as_str());
    assert_eq!(index["accounts"][1]["id"], b.as_str());
    assert!(keys(0).as_array().is_some_and(|k| !k.is_empty()), "{index}");
    assert!(keys(1).as_array().is_some_and(|k| !k.is_empty()), "{index}");
    assert_ne!(keys(0), keys(1), "never mixed: {index}");

    // A restart: no ceremony, and A's owner is still this device; B's is B's.
    let (store, secrets) = (first.store.clone(), first.secrets.clone());
    drop(first);
    let second = TestCore::with(store, secrets, Some(state));
    second.warm_up().await;
    let after = wait_owners(&second).await;
    assert_eq!(after.owners[0].address, mine.owners[0].address);
    assert!(
        after.device_known && after.owners[0].this_device,
        "{after:?}"
    );
    second
        .accounts_switch(handle(&second, &b).await)
        .await
        .unwrap();
    let other = owners(&second).await;
    assert_eq!(other.owners[0].address, theirs.owners[0].address);
    assert!(other.owners[0].this_device, "{other:?}");

    // Signed out, an account's key goes with it.
    second
        .accounts_sign_out(handle(&second, &b).await)
        .await
        .unwrap();
    let index = second
        .store
        .get("accounts|localhost@embedded-sandbox")
        .unwrap();
    assert_eq!(
        index["accounts"].as_array().map(Vec::len),
        Some(1),
        "{index}"
    );
}

/// The current Safe's owners once IBEx's "preparing your wallet" window is over.
async fn wait_owners(core: &TestCore) -> OwnersView {
    for _ in 0..50 {
        if let Ok(view) = core.owners_list(ARB).await {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the Safe never appeared");
}

/// The switcher's key of account `id`.
async fn handle(core: &TestCore, id: &str) -> String {
    core.accounts_list()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == id)
        .expect("listed")
        .handle
}
