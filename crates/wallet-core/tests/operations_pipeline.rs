//! One pipeline for every kind: a transfer's review carries the common signing facts (with the
//! sponsorship IBEx records, not a constant) and its decoded part; approving it files the
//! recipient as recent from the pending review itself. Real core, embedded sandbox, soft passkey.
#![cfg(all(feature = "sandbox", feature = "soft-passkey"))]

use ibex_wallet_core::operations::Reviewed;
use ibex_wallet_core::passkey::ProviderKind;
use ibex_wallet_core::recipients::RecipientSource;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::ErrorCode;

const TO: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_goes_prepare_review_approve_and_its_recipient_becomes_recent() {
    let core = TestCore::new();
    core.sign_up().await;
    let review = core.prepare_transfer(TO, "0.0001").await;

    assert!(review.signing.chain_id.0 > 0);
    assert_eq!(
        review.signing.sponsored,
        Some(true),
        "the sandbox records SPONSORED"
    );
    assert!(review.signing.user_op_hash.starts_with("0x"));
    let Reviewed::Transfer(transfer) = &review.operation else {
        panic!("not a transfer: {:?}", review.operation);
    };
    assert_eq!(transfer.to.to_checksum(), TO);
    assert_eq!(transfer.amount, "0.0001");
    assert!(
        transfer.recipient.is_none(),
        "nobody knows this address yet"
    );
    assert!(core.recipients_suggest().await.unwrap().is_empty());

    core.operation_approve_native(review.id.clone(), ProviderKind::Soft)
        .await
        .unwrap();
    let recent = core.recipients_suggest().await.unwrap();
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert_eq!(recent[0].address, TO);
    assert_eq!(recent[0].source, RecipientSource::Recent);

    // The review was taken by its approval: approving it again is refused, nothing is signed.
    let again = core
        .operation_approve_native(review.id, ProviderKind::Soft)
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
}
