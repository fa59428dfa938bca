//! `/v1.2/users/me*`, address book, email validation, KYC and the catalogs.

use std::collections::BTreeMap;

use ibex::models::account::{
    AddressBookUpdate, ConfirmEmailRequest, CryptoContact, KycIframeRequest, NewAddressBookEntry,
    Scope, TransactionFilter, UserDataWrite, ValidateEmailRequest,
};
use ibex::models::ChainId;
use ibex::Address;
use serde_json::json;

use crate::harness::Harness;

#[tokio::test]
async fn profile_wallets_balances_and_history_parse() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;

    let me = session.me().await.unwrap();
    assert!(me.errors.is_empty(), "{:?}", me.errors);
    let wallets = session.address(true).await.unwrap();
    let safe = wallets.wallets[0].safe_address;
    assert!(auth
        .safe_address
        .as_ref()
        .unwrap()
        .values()
        .any(|a| *a == safe));

    let all = session.balances(&Scope::default()).await.unwrap();
    assert!(!all.crypto.is_empty(), "the seeded ledger has holdings");
    let one_chain = session
        .balances(&Scope {
            chain_id: Some(ChainId(421614)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        one_chain.crypto.keys().all(|c| c == "421614"),
        "{:?}",
        one_chain.crypto.keys()
    );
    session
        .balances(&Scope {
            wallet_address: Some(safe),
            ..Default::default()
        })
        .await
        .unwrap();
    let ambiguous = session
        .balances(&Scope {
            wallet_address: Some(safe),
            iban: Some("FR76".into()),
            ..Default::default()
        })
        .await;
    assert!(matches!(ambiguous, Err(ibex::Error::Invalid(_))));

    let history = session
        .transactions(&TransactionFilter::default())
        .await
        .unwrap();
    assert!(history.crypto.is_some() || history.data.is_some());

    session.tokens(None).await.unwrap();
    let tokens = session.tokens(Some(ChainId(421614))).await.unwrap();
    assert!(!tokens.tokens().is_empty());
    session.ibans().await.unwrap();
    let signers = session.signers().await.unwrap();
    assert!(signers.count >= 1);
    let chains = session.chains_of_user().await.unwrap();
    assert!(!chains.chains.is_empty());
    session
        .operation_history(None, Some(10), None)
        .await
        .unwrap();
    session.pools(None).await.unwrap();
    let kyc = session.kyc_status().await.unwrap();
    assert!(kyc.status.is_some());
    let iframe = session
        .kyc_iframe(&KycIframeRequest {
            language: Some("en".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!iframe.chatbot_url.is_empty());
}

#[tokio::test]
async fn catalogs_parse() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let chains = session.chains().await.unwrap();
    assert!(chains.iter().any(|c| c.id == ChainId(421614)));
    session.chain_tokens(None).await.unwrap();
    let flat = session.chain_tokens(Some(ChainId(421614))).await.unwrap();
    assert!(!flat.tokens().is_empty());
    session
        .vaults(Some("AAVE"), Some(ChainId(421614)))
        .await
        .unwrap();
}

#[tokio::test]
async fn user_data_and_email_validation() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    let user = auth.tokens.subject.clone().unwrap();
    let mut data = BTreeMap::new();
    data.insert("language".to_owned(), json!("en"));
    data.insert("optin.newsletter".to_owned(), json!(true));
    let ack = session
        .write_user_data(&UserDataWrite {
            external_user_id: None,
            data,
        })
        .await
        .unwrap();
    assert_eq!(ack.success, Some(true));

    let email = "someone@example.com";
    session
        .validate_email(&ValidateEmailRequest {
            email: email.into(),
            external_user_id: user.clone(),
        })
        .await
        .unwrap();
    let code = h.mailbox(email).await;
    session
        .confirm_email(&ConfirmEmailRequest {
            email: email.into(),
            code,
            external_user_id: user,
            user_data_name: None,
            optin_news: None,
            optin_notifications: None,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn address_book_crud() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let alice: Address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        .parse()
        .unwrap();
    let bob: Address = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
        .parse()
        .unwrap();
    session
        .add_contact(&NewAddressBookEntry {
            name: "Alice".into(),
            label: Some("friend".into()),
            crypto: Some(vec![CryptoContact {
                chain_id: ChainId(421614),
                address: alice,
            }]),
            ..Default::default()
        })
        .await
        .unwrap();
    let book = session.address_book().await.unwrap();
    let entry = book
        .data
        .iter()
        .find(|e| e.name == "Alice")
        .expect("created");
    assert_eq!(entry.crypto[0].address, alice);
    let id = entry.id.clone();

    session
        .update_contact(
            &id,
            &AddressBookUpdate {
                label: Some("colleague".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    session
        .add_contact_address(
            &id,
            &CryptoContact {
                chain_id: ChainId(100),
                address: bob,
            },
        )
        .await
        .unwrap();
    let entry = session.address_book().await.unwrap().data.remove(0);
    assert_eq!(entry.label.as_deref(), Some("colleague"));
    assert_eq!(entry.crypto.len(), 2);
    session
        .remove_contact_address(&id, ChainId(100), &bob)
        .await
        .unwrap();
    session.delete_contact(&id).await.unwrap();
    assert!(session.address_book().await.unwrap().data.is_empty());
}
