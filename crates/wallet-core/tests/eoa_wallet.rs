//! EOA (EIP-7702) sign-in against the embedded sandbox: an imported key or phrase (checked
//! against the address the user expects, kept in the keychain, never returned), the 7702 state
//! IBEx reports, and another wallet's pasted signature, including one of another message.

use ibex::Secret;
use ibex_wallet_core::eoa::{parse_key, personal_sign, EoaStep, KeyImport};
use ibex_wallet_core::messages::Msg;
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use ibex_wallet_core::session::SignerKind;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::SessionInfo;

/// The BIP-39 test phrase; its first two Ethereum accounts.
const PHRASE: &str = "test test test test test test test test test test test junk";
const FIRST: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const SECOND: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

fn import(secret: &str, address: Option<&str>) -> KeyImport {
    serde_json::from_value(serde_json::json!({ "secret": secret, "address": address })).unwrap()
}

fn account(info: &SessionInfo) -> (String, SignerKind) {
    match info {
        SessionInfo::SignedIn { account, .. } => {
            (account.wallets[0].address.to_string(), account.signer)
        }
        other => panic!("not signed in: {other:?}"),
    }
}

fn said(e: &ibex_wallet_core::AppError) -> Msg {
    e.text()
        .cloned()
        .unwrap_or_else(|| panic!("no message id: {e:?}"))
}

#[tokio::test]
async fn an_imported_key_signs_in_and_stays_in_the_keychain() {
    let tc = TestCore::new();
    // Bad input first: nothing is kept and nothing is sent.
    let e = tc.eoa_import(import("not a key", None)).await.unwrap_err();
    assert_eq!(said(&e), Msg::EoaKeyMalformed);
    let e = tc
        .eoa_import(import(&PHRASE.replace("junk", "test"), None))
        .await
        .unwrap_err();
    assert_eq!(said(&e), Msg::EoaPhraseInvalid);
    let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // SECOND's
    let e = tc.eoa_import(import(key, Some(FIRST))).await.unwrap_err();
    assert_eq!(
        said(&e),
        Msg::EoaKeyOtherAddress {
            expected: FIRST.into(),
            got: SECOND.into()
        }
    );
    assert_eq!(tc.eoa_remembered().await.unwrap(), None);

    // The phrase, with the address of its second account: that account is found.
    let info = tc.eoa_import(import(PHRASE, Some(SECOND))).await.unwrap();
    assert_eq!(
        account(&info),
        (SECOND.to_owned(), SignerKind::Eoa),
        "the account is the EOA itself"
    );
    assert_eq!(tc.eoa_remembered().await.unwrap().as_deref(), Some(SECOND));
    let kept = tc
        .secrets
        .open(
            SecretItem::EoaKey,
            &format!("embedded-sandbox#{SECOND}"),
            "localhost",
        )
        .unwrap()
        .load()
        .unwrap()
        .expect("the key is in the keychain");
    assert_eq!(kept.expose(), key.trim_start_matches("0x"));

    let status = tc.eoa_status().await.unwrap().expect("an EOA account");
    assert_eq!(status.address.to_string(), SECOND);
    assert_eq!(status.wallet_mode.as_deref(), Some("EOA_7702"));
    assert!(status.key_on_this_computer);
    assert!(
        !status.delegations.is_empty(),
        "IBEx announced the delegation: {status:?}"
    );
    assert!(status
        .delegations
        .iter()
        .all(|d| d.implementation.is_some()));

    // Signing in again uses the key the keychain keeps.
    tc.session_sign_out().await.unwrap();
    let info = tc.eoa_sign_in().await.unwrap();
    assert_eq!(account(&info).0, SECOND);
}

#[tokio::test]
async fn another_wallets_signature_must_be_of_the_message_shown() {
    let tc = TestCore::new();
    let key = parse_key(&Secret::new(PHRASE), None).unwrap();
    let e = tc.eoa_challenge("0x1234".into()).await.unwrap_err();
    assert_eq!(said(&e), Msg::EoaAddressInvalid);
    let challenge = tc.eoa_challenge(FIRST.into()).await.unwrap();
    assert!(!challenge.creates_account);
    assert!(challenge.message.contains(FIRST), "{}", challenge.message);
    // A signature of another challenge (an earlier one for the same address): refused here.
    let earlier = personal_sign(&key, &challenge.message.replace("Nonce: ", "Nonce: 0")).unwrap();
    let e = tc.eoa_submit_signature(earlier).await.unwrap_err();
    assert_eq!(
        said(&e),
        Msg::EoaSignatureOther {
            address: FIRST.into()
        }
    );
    let e = tc
        .eoa_submit_signature("0xnot-a-signature".into())
        .await
        .unwrap_err();
    assert_eq!(said(&e), Msg::EoaSignatureMalformed);
    // The message shown can still be signed: IBEx does not know the address, so a second
    // message creates the account.
    let signature = personal_sign(&key, &challenge.message).unwrap();
    let EoaStep::SignUp { challenge } = tc.eoa_submit_signature(signature).await.unwrap() else {
        panic!("a new address signs up");
    };
    assert!(challenge.creates_account);
    let signature = personal_sign(&key, &challenge.message).unwrap();
    let EoaStep::SignedIn { session } = tc.eoa_submit_signature(signature).await.unwrap() else {
        panic!("signed up");
    };
    assert_eq!(account(&session), (FIRST.to_owned(), SignerKind::Eoa));
    let status = tc.eoa_status().await.unwrap().unwrap();
    assert!(
        !status.key_on_this_computer,
        "another wallet signs: no key here"
    );
    assert_eq!(tc.eoa_remembered().await.unwrap(), None);
}
