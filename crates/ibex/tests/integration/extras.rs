//! Extra Safes (safe-provision), asynchronous sign-in data, IBEX Safe userdata and the
//! automation module's policy.

use std::collections::BTreeMap;
use std::time::Duration;

use ibex::models::account::{DeriveRequest, DeriveSpec, KybEnrollRequest, UserDataWrite};
use ibex::models::auth::{ChallengeRequest, DataStatus, SafeProvisionRequest, SignInRequest};
use ibex::models::operations::AutomationConfig;
use ibex::models::ChainId;
use ibex::{Error, MemoryStore, Session, SessionConfig};
use serde_json::json;

use crate::auth::{credential, passkey_user};
use crate::harness::{Harness, ORIGIN};

#[tokio::test]
async fn a_second_safe_is_provisioned_and_sign_in_data_arrives_asynchronously() {
    let h = Harness::start().await;
    let (client, authenticator, _) = passkey_user(&h).await;
    let options = client
        .sign_in_challenge(&ChallengeRequest::passkeys())
        .await
        .unwrap()
        .credential_request_options
        .unwrap();
    let assertion = authenticator
        .get(&options.for_authenticator(), ORIGIN)
        .unwrap();
    let signed_in = client
        .sign_in(&SignInRequest {
            credential: Some(credential(assertion)),
            intent: Some("safe_provision".into()),
            include_balance: Some(true),
            async_data: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    let token = signed_in
        .safe_provision_token
        .clone()
        .expect("provision token");
    let provisioned = client
        .safe_provision(
            &token,
            &SafeProvisionRequest {
                blockchain_id: ChainId(421614),
                salt_nonce: "1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(provisioned.blockchain_id, ChainId(421614));

    let session = Session::start(
        client,
        std::sync::Arc::new(MemoryStore::new()),
        &signed_in.tokens,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    let id = signed_in.data_request_id.clone().expect("async data id");
    let data = session
        .await_sign_in_data(&id, Duration::from_millis(20), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(data.data_status, DataStatus::Ready);
    assert!(data.balance.is_some());
}

#[tokio::test]
async fn user_data_is_written_and_read_back_through_ibex_safe() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    let user = auth.tokens.subject.clone().unwrap();
    let mut data = BTreeMap::new();
    data.insert("firstName".to_owned(), json!("Jane"));
    data.insert("private.note".to_owned(), json!("hidden"));
    session
        .write_user_data(&UserDataWrite {
            external_user_id: None,
            data,
        })
        .await
        .unwrap();
    let read = session
        .read_user_data(&user)
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(read.get("firstName"), Some(&json!("Jane")));
    assert!(
        !read.contains_key("private.note"),
        "private keys are write-only"
    );
}

#[tokio::test]
async fn the_automation_policy_is_updated() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    let (chain, safe) = auth.safe_address.unwrap().into_iter().next().unwrap();
    let updated = session
        .configure_automation(
            &safe,
            Some(ChainId(chain.parse().unwrap())),
            &AutomationConfig {
                mode: Some("FIXED_AMOUNT".into()),
                fixed_amount: Some(Some("10.5".parse().unwrap())),
                min_interval_minutes: Some(60),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(updated.success);
    assert!(!updated.updated.is_empty());
}

#[tokio::test]
async fn derived_addresses_are_added_globally_and_per_safe() {
    let h = Harness::start().await;
    let (session, _, auth) = h.session().await;
    let request = DeriveRequest {
        add: vec![
            DeriveSpec {
                family: "EVM".into(),
                count: Some(2),
            },
            DeriveSpec {
                family: "SOLANA".into(),
                count: None,
            },
        ],
    };
    let global = session.derive_global_wallets(&request).await.unwrap();
    assert_eq!(global.added.len(), 3, "{global:?}");
    let safe = *auth.safe_address.unwrap().values().next().unwrap();
    // One derivation per signer every ~5 s: a POST is not repeated, the wait is reported.
    let limited = session
        .derive_safe_wallets(&safe, &request)
        .await
        .unwrap_err();
    assert!(
        matches!(
            limited,
            Error::RateLimited {
                retry_after: Some(_),
                ..
            }
        ),
        "{limited:?}"
    );
    h.advance(6).await;
    let per_safe = session.derive_safe_wallets(&safe, &request).await.unwrap();
    assert_eq!(per_safe.safe_address, safe);
    assert_eq!(per_safe.added.len(), 3);
    assert!(per_safe.per_safe.contains_key("EVM"));
}

#[tokio::test]
async fn business_enrollment_is_created_once() {
    let h = Harness::start().await;
    let (session, _, _) = h.session().await;
    let request = KybEnrollRequest {
        email: "ceo@example.com".into(),
        company_registration_number: "123456789".into(),
        return_url: None,
    };
    let enrollment = session.kyb_enroll(&request).await.unwrap();
    assert!(!enrollment.chatbot_full_url.is_empty());
    let again = session.kyb_enroll(&request).await.unwrap_err();
    assert!(
        matches!(again, Error::Conflict { status: 409, .. }),
        "{again:?}"
    );
}
