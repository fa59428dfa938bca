//! Accounts and money rails through the typed client: e-mail and SMS verification, Safe owners
//! read on-chain, SEPA IBANs, a payment confirmed with the passkey, mandates, IBAN contacts.

use ibex::models::account::{
    ConfirmEmailRequest, ConfirmSmsRequest, NewAddressBookEntry, ValidateEmailRequest,
    ValidateSmsRequest,
};
use ibex::models::operations::Operation;
use ibex::models::sepa::{
    ApprovalConfirmation, Channel, IbanAddRequest, IbanAdded, MandateRequest, MandateSignature,
    MandateStatus, Party, PaymentRequest, SepaFilter,
};
use ibex::{Address, Error};
use serde_json::json;

use crate::harness::Harness;
use crate::operations::{user, wallet_ready_soon};

const OUTSIDE: &str = "FR7616748000011234037943644";

#[tokio::test]
async fn email_and_sms_are_verified_with_their_codes() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    let user = auth.tokens.subject.clone().expect("subject");
    session
        .validate_email(&ValidateEmailRequest {
            email: "jo@example.com".into(),
            external_user_id: user.clone(),
        })
        .await
        .unwrap();
    let confirm = |code: String| ConfirmEmailRequest {
        email: "jo@example.com".into(),
        code,
        external_user_id: user.clone(),
        user_data_name: None,
        optin_news: None,
        optin_notifications: None,
    };
    let wrong = session
        .confirm_email(&confirm("000000x".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, Error::Status { status: 400, .. }),
        "{wrong:?}"
    );
    assert_eq!(wrong.code(), Some("INVALID_CODE"));
    let details = wrong
        .api()
        .and_then(|e| e.details.clone())
        .unwrap_or_default();
    assert_eq!(details["attemptsLeft"], 4, "{details}");
    let code = h.mailbox("jo@example.com").await;
    session.confirm_email(&confirm(code)).await.unwrap();

    let sent = session
        .validate_sms(&ValidateSmsRequest {
            telephone: "+33612345678".into(),
            external_user_id: user.clone(),
            phone_policy: Some("frMobile".into()),
        })
        .await
        .unwrap();
    let code = sent
        .code
        .expect("the sandbox echoes the code")
        .expose()
        .to_owned();
    let confirmed = session
        .confirm_sms(&ConfirmSmsRequest {
            telephone: "+33612345678".into(),
            code,
            external_user_id: user,
            phone_policy: None,
            persist_telephone_to_kyb: None,
        })
        .await
        .unwrap();
    assert!(confirmed.sms_verified);
}

#[tokio::test]
async fn owners_and_threshold_are_read_on_chain() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    let before = u.session.safe_owners(u.chain, &u.safe).await.unwrap();
    assert_eq!((before.owners.len(), before.threshold), (1, 1));
    let second: Address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        .parse()
        .unwrap();
    u.run(vec![Operation::AddOwner {
        owner: second,
        threshold: 2,
    }])
    .await;
    h.advance(3).await;
    let after = u.session.safe_owners(u.chain, &u.safe).await.unwrap();
    assert_eq!(after.owners, vec![before.owners[0], second]);
    assert_eq!(after.threshold, 2);
}

#[tokio::test]
async fn a_sepa_payment_is_confirmed_with_the_passkey() {
    let h = Harness::with(wallet_ready_soon()).await;
    let u = user(&h).await;
    let added = u
        .session
        .add_iban(&IbanAddRequest {
            holder_name: "Jo Martin".into(),
            safe_address: None,
            blockchain_id: None,
            label: Some("Main".into()),
        })
        .await
        .unwrap();
    let IbanAdded::Direct(iban) = added else {
        panic!("direct mode by default")
    };
    let balance = iban
        .balance
        .clone()
        .unwrap()
        .amount
        .to_base_units(2)
        .unwrap();
    assert!(balance > 15_000);
    assert_eq!(u.session.sepa_ibans().await.unwrap().len(), 1);

    let party = |name: &str, iban: &str| Party {
        name: name.into(),
        iban: iban.into(),
    };
    assert!(matches!(
        PaymentRequest::new(
            "INV-1",
            Channel::SepaInstant,
            "12.345".parse().unwrap(),
            party("Jo", &iban.iban),
            party("Bob", OUTSIDE)
        ),
        Err(Error::Invalid(_))
    ));
    let payment = PaymentRequest::new(
        "INV-1",
        Channel::SepaInstant,
        "150.00".parse().unwrap(),
        party("Jo Martin", &iban.iban),
        party("Bob", OUTSIDE),
    )
    .unwrap();
    let approval = u.session.payment_intent(&payment).await.unwrap();
    let confirmation = ApprovalConfirmation {
        approval_id: approval.approval_id.clone(),
        credential: u.sign_options(&approval.credential_request_options),
    };
    let done = u.session.confirm_payment(&confirmation).await.unwrap();
    assert_eq!(done.payment.data.status, "completed");
    let replay = u.session.confirm_payment(&confirmation).await.unwrap_err();
    assert!(
        matches!(replay, Error::Conflict { status: 409, .. }),
        "{replay:?}"
    );
    let row = u
        .session
        .sepa_transaction(&done.payment.data.transaction_id)
        .await
        .unwrap();
    assert_eq!(
        (row.kind.as_str(), row.amount.as_str()),
        ("SEPA_OUT", "150.00")
    );
    let history = u
        .session
        .sepa_transactions(&SepaFilter {
            iban: Some(iban.iban.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(history.pagination.total, 4);
    let now = u.session.sepa_ibans().await.unwrap()[0]
        .balance
        .clone()
        .unwrap()
        .amount
        .to_base_units(2)
        .unwrap();
    assert_eq!(now, balance - 15_000);

    // A mandate, suspended then cancelled (terminal).
    let mandate = u
        .session
        .create_mandate(&MandateRequest {
            source_iban: iban.iban.clone(),
            destination_iban: OUTSIDE.into(),
            destination_name: "Bob".into(),
            destination_bic: None,
            percent: 10,
            trigger: json!({ "mode": "all" }),
            signature: MandateSignature {
                message: "IBEX_SEPA_MANDATE_V1".into(),
                signature: "0x01".into(),
                safe_operation_user_op_hash: None,
            },
        })
        .await
        .unwrap();
    assert_eq!(mandate.status, "validated");
    assert_eq!(
        u.session
            .set_mandate_status(&mandate.id, MandateStatus::Suspended)
            .await
            .unwrap()
            .status,
        "suspended"
    );
    assert_eq!(
        u.session.cancel_mandate(&mandate.id).await.unwrap().status,
        "cancelled"
    );
    let again = u
        .session
        .set_mandate_status(&mandate.id, MandateStatus::Validated)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Conflict { .. }), "{again:?}");
    assert_eq!(u.session.mandates().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_iban_contact_is_verified_and_removed() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let entry = |iban: &str| NewAddressBookEntry {
        name: "Bob".into(),
        label: None,
        user_validated: None,
        iban: Some(iban.into()),
        responding_psp_bic: Some("AGRIFRPPXXX".into()),
        remittance_info: None,
        crypto: None,
    };
    let bad = session
        .add_contact(&entry("FR7616748000011234037943645"))
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Status { status: 400, .. }), "{bad:?}");
    assert_eq!(bad.code(), Some("INVALID_IBAN"));
    let created = session
        .add_contact(&entry("FR76 1674 8000 0112 3403 7943 644"))
        .await
        .unwrap();
    let entry = created.data.expect("the entry");
    assert_eq!(entry.ibans.len(), 1);
    let removed = session
        .remove_contact_iban(&entry.id, OUTSIDE)
        .await
        .unwrap();
    assert!(removed.data.unwrap().ibans.is_empty());
    let gone = session
        .remove_contact_iban(&entry.id, OUTSIDE)
        .await
        .unwrap_err();
    assert!(
        matches!(gone, Error::Status { status: 404, .. }),
        "{gone:?}"
    );
}
