//! Euro banking against the real embedded sandbox with the software passkey: IBANs opened from
//! IBEx's provider and from Monerium (a Safe operation) up to the quota, the bank history with
//! an incoming transfer, payees verified by IBEx's Verification of Payee (match, close match,
//! no match, the daily limit), SEPA payments on the one pipeline (each VoP outcome, bad IBANs
//! and amounts refused before anything is sent), mandates signed by the Safe then filed and
//! cancelled, and the automation module's documented policy.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use ibex_wallet_core::banking::automation::{AutomationDraft, AutomationMode, Frequency};
use ibex_wallet_core::banking::mandates::MandateDraft;
use ibex_wallet_core::banking::payees::{PayeeDraft, VopResult};
use ibex_wallet_core::banking::payment::PaymentDraft;
use ibex_wallet_core::banking::{HistoryQuery, IbanOpening, IbanRequest};
use ibex_wallet_core::operations::{Approves, OpStatus, OperationReview, Reviewed};
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::{CoreEvent, ErrorCode};
use serde_json::{json, Value};

const SANDBOX_BIC: &str = "SBXBFRPPXXX";

async fn sandbox(core: &TestCore, path: &str, body: Value) -> Value {
    let answer = reqwest::Client::new()
        .post(format!("{}{path}", core.sandbox_url().await))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.json().await.unwrap()
}

/// An IBAN at the sandbox bank held by `holder`, outside the wallet.
async fn external(core: &TestCore, holder: &str) -> String {
    sandbox(
        core,
        "/__sandbox/sepa/accounts",
        json!({ "holderName": holder }),
    )
    .await["iban"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn approve(core: &TestCore, review: &OperationReview, until: fn(OpStatus) -> bool) {
    core.events.clear();
    core.operation_approve_native(review.id.clone(), ProviderKind::Soft)
        .await
        .expect("approved");
    let hash = review.signing.user_op_hash.clone();
    core.events
        .wait_for("the operation's outcome", move |e| {
            matches!(e, CoreEvent::OperationUpdated { update } if update.user_op_hash == hash && until(update.status))
        })
        .await;
}

fn pay(from: &str, name: &str, to: &str, amount: &str) -> PaymentDraft {
    PaymentDraft {
        from_iban: from.to_owned(),
        payee_name: name.to_owned(),
        payee_iban: to.to_owned(),
        amount: amount.to_owned(),
        reference: "INV-2026-001".into(),
        remittance_info: Some("Invoice 2026-001".into()),
        instant: true,
        accept_unverified: false,
    }
}

#[tokio::test]
async fn ibans_history_payees_payments_mandates_and_automation() {
    let core = TestCore::new();
    core.sign_up().await;
    assert!(core.banking_overview().await.unwrap().accounts.is_empty());

    // An IBAN from IBEx's provider, at once, with salaries already on it.
    let opened = core
        .banking_iban_open(IbanRequest::Ibex {
            holder_name: "  Alice   Martin ".into(),
            label: Some("Everyday".into()),
        })
        .await
        .unwrap();
    let IbanOpening::Opened(overview) = opened else {
        panic!("IBEx's provider opens at once: {opened:?}");
    };
    let mine = overview.accounts[0].clone();
    assert_eq!(mine.holder_name.as_deref(), Some("Alice Martin"));
    assert_eq!(mine.grouped.split(' ').next(), Some(&mine.iban[..4]));
    let history = core
        .banking_history(HistoryQuery {
            iban: Some(mine.grouped.clone()),
            page: 1,
        })
        .await
        .unwrap();
    assert_eq!(history.total, 3, "{history:?}");
    assert!(history.movements.iter().all(|m| m.status == "completed"));

    // A Monerium IBAN is a Safe operation reviewed and approved with the passkey.
    let chain = match core.session_get().await.unwrap() {
        ibex_wallet_core::SessionInfo::SignedIn { account, .. } => account.wallets[0].chain_ids[0],
        other => panic!("{other:?}"),
    };
    let IbanOpening::Review(review) = core
        .banking_iban_open(IbanRequest::Monerium { chain_id: chain })
        .await
        .unwrap()
    else {
        panic!("Monerium is a review");
    };
    assert!(matches!(review.operation, Reviewed::OpenIban(ref f) if f.provider == "MONERIUM"));
    assert_eq!(review.signing.approves, Approves::UserOperation);
    approve(&core, &review, |s| s == OpStatus::Confirmed).await;
    assert_eq!(core.banking_overview().await.unwrap().accounts.len(), 2);

    // Past the quota: IBAN_QUOTA (429), said with the quota, nothing opened.
    let e = core
        .banking_iban_open(IbanRequest::Ibex {
            holder_name: "Alice Martin".into(),
            label: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    assert!(e.message.contains("at most 2"), "{}", e.message);
    assert_eq!(core.banking_overview().await.unwrap().accounts.len(), 2);

    // Payees: a match is saved; a close match and no match save nothing and say so.
    let jane = external(&core, "Jane Doe").await;
    let saved = core
        .banking_payee_add(PayeeDraft {
            name: "jane doe".into(),
            iban: jane.clone(),
            bic: SANDBOX_BIC.to_lowercase(),
            label: None,
        })
        .await
        .unwrap();
    assert_eq!(saved.check.result, VopResult::Match);
    assert_eq!(saved.payees.len(), 1);
    assert_eq!(saved.payees[0].vop, Some(VopResult::Match));
    let john = external(&core, "John Smith").await;
    let close = core
        .banking_payee_add(PayeeDraft {
            name: "John Smyth".into(),
            iban: john.clone(),
            bic: SANDBOX_BIC.into(),
            label: None,
        })
        .await
        .unwrap();
    assert_eq!(close.check.result, VopResult::CloseMatch);
    assert_eq!(close.check.matched_name.as_deref(), Some("John Smith"));
    assert_eq!(close.payees.len(), 1, "a close match saves nothing");
    let bob = external(&core, "Robert Stone").await;
    let none = core
        .banking_payee_add(PayeeDraft {
            name: "Alan Turing".into(),
            iban: bob.clone(),
            bic: SANDBOX_BIC.into(),
            label: None,
        })
        .await
        .unwrap();
    assert_eq!(none.check.result, VopResult::NoMatch);

    // Bad input, refused before anything is sent.
    let mut bad_iban = jane.clone();
    let last = bad_iban.pop().unwrap();
    bad_iban.push(if last == '0' { '1' } else { '0' });
    for (draft, needle) in [
        (pay(&mine.iban, "Jane Doe", &bad_iban, "10"), "check digits"),
        (pay(&mine.iban, "Jane Doe", &jane, "10.001"), "2 decimals"),
        (pay(&mine.iban, "Jane Doe", &jane, "999999"), "available"),
        (
            pay(&mine.iban, "Jane Doe", &mine.iban, "10"),
            "one you pay from",
        ),
    ] {
        let e = core.banking_pay_prepare(draft).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{e:?}");
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
    }
    // A payee never checked, and a close match not confirmed, are refused with their code.
    let stranger = external(&core, "Zoe Kim").await;
    let e = core
        .banking_pay_prepare(pay(&mine.iban, "Zoe Kim", &stranger, "10"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PayeeUnverified);
    let e = core
        .banking_pay_prepare(pay(&mine.iban, "John Smyth", &john, "10"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PayeeUnverified);

    // A verified payee: the review says what the passkey approves; SEPA Instant settles.
    let before = core.banking_overview().await.unwrap().accounts[0].clone();
    let review = core
        .banking_pay_prepare(pay(&mine.grouped, "Jane Doe", &jane, "120"))
        .await
        .unwrap();
    let Reviewed::SepaPayment(ref facts) = review.operation else {
        panic!("{:?}", review.operation);
    };
    assert_eq!(facts.amount, "120.00");
    assert_eq!(facts.vop.result, VopResult::Match);
    assert_eq!(facts.creditor_iban.split(' ').count(), 7);
    assert_eq!(review.signing.approves, Approves::BankApproval);
    approve(&core, &review, |s| s == OpStatus::Confirmed).await;
    let after = core.banking_overview().await.unwrap().accounts[0].clone();
    let cents = |t: &str| -> u128 { t.replace('.', "").parse().unwrap() };
    assert_eq!(
        cents(before.balance.as_deref().unwrap()) - cents(after.balance.as_deref().unwrap()),
        12_000
    );

    // A close match the user confirms: the review carries the bank's name; a plain SEPA
    // transfer is with the banks (EXECUTED) first.
    let mut draft = pay(&mine.iban, "John Smyth", &john, "5.5");
    draft.accept_unverified = true;
    draft.instant = false;
    let review = core.banking_pay_prepare(draft).await.unwrap();
    let Reviewed::SepaPayment(ref facts) = review.operation else {
        panic!();
    };
    assert_eq!(facts.vop.result, VopResult::CloseMatch);
    assert_eq!(facts.vop.matched_name.as_deref(), Some("John Smith"));
    approve(&core, &review, |s| s == OpStatus::Executed).await;
    let mut draft = pay(&mine.iban, "Alan Turing", &bob, "1");
    draft.accept_unverified = true;
    let review = core.banking_pay_prepare(draft).await.unwrap();
    assert!(
        matches!(review.operation, Reviewed::SepaPayment(ref f) if f.vop.result == VopResult::NoMatch)
    );

    // An incoming transfer is in the history, newest first.
    sandbox(
        &core,
        "/__sandbox/sepa/incoming",
        json!({ "iban": mine.iban, "amount": "42.00", "senderName": "Bob Client", "reference": "THANKS" }),
    )
    .await;
    let history = core
        .banking_history(HistoryQuery {
            iban: None,
            page: 1,
        })
        .await
        .unwrap();
    let top = &history.movements[0];
    assert_eq!(
        (top.amount.as_str(), top.counterparty_name.as_deref()),
        ("42.00", Some("Bob Client"))
    );

    // Payees: renamed, then deleted (the sandbox answers the documented DELETE).
    let id = saved.payees[0].contact_id.clone();
    let renamed = core
        .banking_payee_rename(id.clone(), "Jane D.".into())
        .await
        .unwrap();
    assert_eq!(renamed[0].name, "Jane D.");
    let left = core.banking_payee_delete(id, jane.clone()).await.unwrap();
    assert!(left.is_empty(), "{left:?}");

    // A mandate: the Safe signs its text, then IBEx files it; suspended, resumed, cancelled, and cancelled stays.
    let review = core
        .banking_mandate_prepare(MandateDraft {
            source_iban: mine.iban.clone(),
            destination_name: "Savings".into(),
            destination_iban: jane.clone(),
            destination_bic: Some(SANDBOX_BIC.into()),
            percent: 10,
        })
        .await
        .unwrap();
    let Reviewed::SignMessage(ref text) = review.operation else {
        panic!();
    };
    assert!(
        text.message.contains("10 % of every transfer"),
        "{}",
        text.message
    );
    approve(&core, &review, |s| {
        matches!(s, OpStatus::Executed | OpStatus::Confirmed)
    })
    .await;
    let mandates = core
        .banking_mandate_create(review.signing.user_op_hash.clone())
        .await
        .unwrap();
    assert_eq!(mandates.len(), 1);
    assert_eq!(mandates[0].status, "validated");
    assert_eq!(mandates[0].percent, Some(10));
    let id = mandates[0].id.clone();
    // Suspended and resumed (IBEx's PATCH …/status), then cancelled: nothing changes it after.
    let suspended = core.banking_mandate_suspend(id.clone()).await.unwrap();
    assert_eq!(suspended[0].status, "suspended");
    let resumed = core.banking_mandate_resume(id.clone()).await.unwrap();
    assert_eq!(resumed[0].status, "validated");
    let cancelled = core.banking_mandate_cancel(id.clone()).await.unwrap();
    assert_eq!(cancelled[0].status, "cancelled");
    let e = core.banking_mandate_cancel(id.clone()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    let e = core.banking_mandate_resume(id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);

    // Automation: the documented policy, checked before it is sent.
    // Arbitrum Sepolia offers the module (IBEx's chain list says so; Gnosis does not).
    let chains = core.banking_automation().await.unwrap();
    let chains: Vec<_> = chains
        .into_iter()
        .filter(|c| c.chain_id == 421_614)
        .collect();
    assert_eq!(chains.len(), 1);
    let automation = |percentage: &str| AutomationDraft {
        chain_id: chains[0].chain_id,
        enabled: true,
        mode: AutomationMode::PercentOfReceived,
        target_address: "0x000000000000000000000000000000000000dEaD".into(),
        token_address: "0x0000000000000000000000000000000000000000".into(),
        percentage: Some(percentage.into()),
        fixed_amount: None,
        min_interval_minutes: 60,
        frequency: Frequency::Weekly,
    };
    let e = core
        .banking_automation_save(automation("101"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    let saved = core
        .banking_automation_save(automation("12.5"))
        .await
        .unwrap();
    let module = saved
        .iter()
        .find(|c| c.chain_id == chains[0].chain_id)
        .unwrap();
    assert!(module.installed && module.enabled, "{module:?}");
    assert_eq!(module.mode, Some(AutomationMode::PercentOfReceived));
    assert_eq!(module.percentage.as_deref(), Some("12.5"));
    assert_eq!(module.frequency, Some(Frequency::Weekly));

    // Ten failed payee checks a day, then VOP_LIMIT (429), said as such.
    let mut failures = 2; // the close match and the no match above
    let e = loop {
        match core
            .banking_payee_add(PayeeDraft {
                name: format!("Nobody {failures}"),
                iban: bob.clone(),
                bic: SANDBOX_BIC.into(),
                label: None,
            })
            .await
        {
            Ok(saved) => {
                assert_eq!(saved.check.result, VopResult::NoMatch);
                failures += 1;
                assert!(failures <= 10, "no limit after {failures} failures");
            }
            Err(e) => break e,
        }
    };
    assert_eq!(failures, 10);
    assert_eq!(e.code, ErrorCode::RateLimited, "{e:?}");
    assert!(e.message.contains("10 failed"), "{}", e.message);
}
