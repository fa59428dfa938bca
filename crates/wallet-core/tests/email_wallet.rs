//! E-mail wallets against the embedded sandbox: sign-up with the mailed code and a backup
//! passphrase, wrong and expired codes (attempts left, nothing half-done), sign-in on the same
//! computer (key in the keychain) and recovery of the encrypted backup on a new computer, and
//! the e-mail confirmation of a signed-in account.

use ibex_wallet_core::email::EmailSignIn;
use ibex_wallet_core::messages::Msg;
use ibex_wallet_core::secrets::{SecretItem, SecretStores};
use ibex_wallet_core::session::SignerKind;
use ibex_wallet_core::store::KvStore;
use ibex_wallet_core::testing::TestCore;
use ibex_wallet_core::SessionInfo;
use serde_json::{json, Value};

const PASSPHRASE: &str = "lantern orbit seventeen";

async fn mailbox(tc: &TestCore, address: &str) -> String {
    let url = format!("{}/__sandbox/mailbox/{address}", tc.sandbox_url().await);
    let mail: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    mail["code"].as_str().expect("a code was mailed").to_owned()
}

async fn advance(tc: &TestCore, seconds: u64) {
    reqwest::Client::new()
        .post(format!(
            "{}/__sandbox/clock/advance",
            tc.sandbox_url().await
        ))
        .json(&json!({ "seconds": seconds }))
        .send()
        .await
        .unwrap();
}

fn wrong(code: &str) -> String {
    let first = if code.starts_with('0') { '1' } else { '0' };
    format!("{first}{}", &code[1..])
}

fn signed_in(info: &SessionInfo) -> (String, String, SignerKind) {
    match info {
        SessionInfo::SignedIn { account, .. } => (
            account.external_user_id.clone().unwrap(),
            account.wallets[0].address.to_string(),
            account.signer,
        ),
        other => panic!("not signed in: {other:?}"),
    }
}

fn said(e: &ibex_wallet_core::AppError) -> Msg {
    e.text()
        .cloned()
        .unwrap_or_else(|| panic!("no message id: {e:?}"))
}

#[tokio::test]
async fn an_email_wallet_signs_up_signs_in_and_is_recovered_on_a_new_computer() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox.json");
    let email = "ada@example.org";
    let first = TestCore::with(Default::default(), Default::default(), Some(state.clone()));

    let sent = first.email_sign_up_start(email.into()).await.unwrap();
    assert_eq!(sent.email, email);
    assert!(sent.expires_at.is_some());
    let code = mailbox(&first, email).await;
    // A short passphrase and a malformed code are refused before anything is sent.
    let short = first
        .email_sign_up_finish(code.clone(), "short".into())
        .await
        .unwrap_err();
    assert!(matches!(said(&short), Msg::PassphraseTooShort { .. }));
    let e = first
        .email_sign_up_finish("12ab56".into(), PASSPHRASE.into())
        .await
        .unwrap_err();
    assert_eq!(said(&e), Msg::EmailCodeFormat);
    // A wrong code: IBEx's attempts left, and nothing happened (the right code still works).
    let e = first
        .email_sign_up_finish(wrong(&code), PASSPHRASE.into())
        .await
        .unwrap_err();
    assert_eq!(said(&e), Msg::EmailCodeWrong { attempts_left: 4 });
    // Asking for a new code at once is held back by the cooldown.
    let e = first.email_resend().await.unwrap_err();
    assert!(matches!(said(&e), Msg::EmailResendWait { .. }), "{e:?}");
    let info = first
        .email_sign_up_finish(code, PASSPHRASE.into())
        .await
        .unwrap();
    let (user, safe, signer) = signed_in(&info);
    assert_eq!(signer, SignerKind::Email);
    // The key is in the keychain, and only there.
    let item = first
        .secrets
        .open(
            SecretItem::EmailKey,
            &format!("embedded-sandbox#{user}"),
            "localhost",
        )
        .unwrap()
        .load()
        .unwrap()
        .expect("the key is kept in the keychain");
    assert_eq!(item.expose().len(), 64);
    let remembered = first
        .store
        .get("email-accounts|localhost@embedded-sandbox")
        .unwrap();
    assert_eq!(
        remembered,
        json!({ email: user }),
        "the settings know the account, not its key"
    );

    // Confirming another address for the account (Settings): wrong code, then the right one.
    let work = "ada@work.example";
    first.email_confirm_start(work.into()).await.unwrap();
    let status = first.email_status().await.unwrap();
    assert_eq!(status.pending.as_deref(), Some(work));
    let code = mailbox(&first, work).await;
    let e = first.email_confirm_code(wrong(&code)).await.unwrap_err();
    assert_eq!(said(&e), Msg::EmailCodeWrong { attempts_left: 4 });
    let status = first.email_confirm_code(code).await.unwrap();
    assert_eq!(status.confirmed.as_deref(), Some(work));
    assert_eq!(status.pending, None);

    // Same computer: the code alone signs in (the keychain's key signs IBEx's challenge).
    first.session_sign_out().await.unwrap();
    first.email_sign_in_start(email.into()).await.unwrap();
    let code = mailbox(&first, email).await;
    match first.email_sign_in_code(code).await.unwrap() {
        EmailSignIn::SignedIn { session } => assert_eq!(signed_in(&session).0, user),
        other => panic!("the key here should sign: {other:?}"),
    }
    first.session_sign_out().await.unwrap();
    drop(first);

    // A new computer: empty settings and keychain, the same IBEx.
    let second = TestCore::with(Default::default(), Default::default(), Some(state));
    second.email_sign_in_start(email.into()).await.unwrap();
    let code = mailbox(&second, email).await;
    let step = second.email_sign_in_code(code).await.unwrap();
    assert!(matches!(step, EmailSignIn::PassphraseNeeded), "{step:?}");
    // A wrong passphrase opens nothing, sends nothing, and may be typed again.
    let e = second
        .email_sign_in_passphrase("lantern orbit eighteen".into())
        .await
        .unwrap_err();
    assert_eq!(said(&e), Msg::WrongPassphrase);
    let info = second
        .email_sign_in_passphrase(PASSPHRASE.into())
        .await
        .unwrap();
    assert_eq!(signed_in(&info), (user.clone(), safe, SignerKind::Email));
    let kept = second
        .secrets
        .open(
            SecretItem::EmailKey,
            &format!("embedded-sandbox#{user}"),
            "localhost",
        )
        .unwrap()
        .load()
        .unwrap();
    assert_eq!(
        kept,
        Some(item),
        "the recovered key is the one made at sign-up"
    );
}

#[tokio::test]
async fn expired_and_burnt_codes_say_so_and_create_nothing() {
    let tc = TestCore::new();
    let email = "bob@example.org";
    tc.email_sign_up_start(email.into()).await.unwrap();
    let code = mailbox(&tc, email).await;
    advance(&tc, 31).await;
    let e = tc
        .email_sign_up_finish(code, PASSPHRASE.into())
        .await
        .unwrap_err();
    assert_eq!(said(&e), Msg::EmailCodeExpired);

    tc.email_sign_in_start("carol@example.org".into())
        .await
        .unwrap();
    // An address IBEx does not know gets no code, and says nothing about it (no enumeration).
    let e = tc.email_sign_in_code("123456".into()).await.unwrap_err();
    assert!(
        matches!(said(&e), Msg::EmailCodeRefused | Msg::EmailCodeBurnt),
        "{e:?}"
    );

    let email = "dan@example.org";
    tc.email_sign_up_start(email.into()).await.unwrap();
    let code = mailbox(&tc, email).await;
    for left in (0..5).rev() {
        let e = tc
            .email_sign_up_finish(wrong(&code), PASSPHRASE.into())
            .await
            .unwrap_err();
        let expected = if left == 0 {
            Msg::EmailCodeBurnt
        } else {
            Msg::EmailCodeWrong {
                attempts_left: left,
            }
        };
        assert_eq!(said(&e), expected);
    }
    let e = tc
        .email_sign_up_finish(code, PASSPHRASE.into())
        .await
        .unwrap_err();
    assert_eq!(
        said(&e),
        Msg::EmailCodeBurnt,
        "the burnt code stays refused"
    );
    assert!(matches!(
        tc.session_get().await.unwrap(),
        SessionInfo::SignedOut { .. }
    ));
}

/// How many times the sandbox was asked to prepare a Safe operation.
async fn prepares(tc: &TestCore) -> u64 {
    let url = format!("{}/__sandbox/counters", tc.sandbox_url().await);
    let counters: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    counters["routes"]["POST /v1.2/safes/operations"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn an_email_wallet_is_told_at_once_that_it_cannot_approve_operations() {
    use ibex_wallet_core::ErrorCode;
    let tc = TestCore::new();
    let email = "erin@example.org";
    tc.email_sign_up_start(email.into()).await.unwrap();
    let code = mailbox(&tc, email).await;
    tc.email_sign_up_finish(code, PASSPHRASE.into())
        .await
        .unwrap();
    let holding = tc
        .wallet_holdings()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.balance.as_str() != "0")
        .expect("the sandbox seeds a balance");
    let before = prepares(&tc).await;

    // IBEx's execute takes a passkey assertion only: every kind is refused before IBEx is
    // asked, with one code the UI branches on and words that say why.
    let refusals = [
        tc.send_prepare(ibex_wallet_core::send::TransferDraft {
            chain_id: holding.chain_id,
            token_address: holding.token_address.to_string(),
            to: "0x52908400098527886E0F7030069857D2E4169EE7".into(),
            amount: "0.0001".into(),
            look_alike_confirmed: false,
        })
        .await
        .unwrap_err(),
        tc.message_sign(ibex_wallet_core::message::MessageDraft {
            chain_id: holding.chain_id,
            message: "hello".into(),
        })
        .await
        .unwrap_err(),
        tc.swap_prepare(ibex_wallet_core::swap::SwapDraft {
            quote_id: "any".into(),
            slippage: "0.5".into(),
        })
        .await
        .unwrap_err(),
        tc.route_prepare(ibex_wallet_core::route::RouteDraft {
            route_id: "any".into(),
        })
        .await
        .unwrap_err(),
    ];
    for e in &refusals {
        assert_eq!(e.code, ErrorCode::SignerCannotApprove, "{e:?}");
        assert_eq!(said(e), Msg::SignerCannotApproveEmail);
    }
    assert!(refusals[0].message.contains("only a passkey can approve"));
    assert_eq!(prepares(&tc).await, before, "IBEx was never asked");
    // Reading is unaffected.
    assert!(!tc.wallet_holdings().await.unwrap().is_empty());
}
