//! Every auth mode end to end: passkeys (software authenticator), kdf (secp256k1 proof),
//! email (OTP from the sandbox mailbox), 7702 (EIP-191 signature), plus refresh and recovery.

use ibex::models::auth::{
    AuthChallenge, AuthMethod, Challenge, ChallengeRequest, EmailRecoverRequest, KdfProof,
    SignInRequest, SignUpRequest, WalletKind,
};
use ibex::models::webauthn::Credential;
use ibex::{Address, Client, Error, Secret};
use k256::ecdsa::signature::Signer;
use k256::ecdsa::{Signature, SigningKey};
use passkey_soft::Authenticator;
use serde_json::{json, Value};
use sha3::{Digest, Keccak256};

use crate::harness::{Harness, ORIGIN};

pub fn credential(v: Value) -> Credential {
    serde_json::from_value(v).expect("the authenticator returns a credential object")
}

/// Signs up and signs in with a passkey; returns the client, authenticator and sign-in answer.
pub async fn passkey_user(h: &Harness) -> (Client, Authenticator, ibex::models::auth::AuthSession) {
    let client = h.client();
    let authenticator = Authenticator::new();
    let options = client
        .sign_up_challenge(&ChallengeRequest::passkeys())
        .await
        .unwrap()
        .credential_request_options
        .expect("creation options");
    assert!(options.is_creation());
    let attestation = authenticator
        .create(&options.for_authenticator(), ORIGIN)
        .unwrap();
    let signed_up = client
        .sign_up(
            &SignUpRequest {
                credential: Some(credential(attestation)),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(signed_up.auth_method, Some(AuthMethod::Passkey));
    assert!(signed_up
        .safe_address
        .as_ref()
        .is_some_and(|m| !m.is_empty()));

    let request = client
        .sign_in_challenge(&ChallengeRequest::passkeys())
        .await
        .unwrap()
        .credential_request_options
        .expect("request options");
    assert!(!request.is_creation());
    let assertion = authenticator
        .get(&request.for_authenticator(), ORIGIN)
        .unwrap();
    let signed_in = client
        .sign_in(&SignInRequest {
            credential: Some(credential(assertion)),
            include_balance: Some(true),
            include_transactions: Some(true),
            include_userdata: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(signed_in.tokens.subject, signed_up.tokens.subject);
    (client, authenticator, signed_in)
}

#[tokio::test]
async fn passkeys_sign_up_and_sign_in() {
    let h = Harness::start().await;
    let (_, _, session) = passkey_user(&h).await;
    // The include* flags enrich the answer with the typed read payloads.
    assert!(session.balance.is_some());
    assert!(session.transactions.is_some());
    assert!(session.userdata.is_some());
    assert!(session.tokens.expires_in() > 300);
}

fn kdf_proof(material: &AuthChallenge, key: &SigningKey, app_id: &str, user: &str) -> KdfProof {
    let challenge = match &material.challenge {
        Some(Challenge::Nonce(c)) => c.clone(),
        other => panic!("kdf challenge {other:?}"),
    };
    let mut proof = KdfProof {
        public_key: hex(key.verifying_key().to_encoded_point(true).as_bytes()),
        challenge,
        challenge_expires_at: material.challenge_expires_at.clone().unwrap(),
        salt_version: material.salt_version.unwrap(),
        kdf_params_version: material.kdf_params_version.unwrap(),
        nonce: "n-1".into(),
        timestamp: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        server_signature: material.server_signature.clone().unwrap(),
        server_key_id: material.server_key_id.clone().unwrap(),
        ..Default::default()
    };
    let signature: Signature = key.sign(proof.signing_message(app_id, user).as_bytes());
    proof.signature = hex(&signature.to_bytes());
    proof
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn kdf_sign_up_and_sign_in() {
    let h = Harness::start().await;
    let client = h.client();
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let material = client
        .sign_up_challenge(&ChallengeRequest::Kdf {
            external_user_id: None,
        })
        .await
        .unwrap();
    assert_eq!(material.auth_method, Some(AuthMethod::PinKdfPending));
    let user = material.external_user_id.clone().unwrap();
    let pending = material.tokens.as_ref().map(|t| t.access_token.clone());
    let signed_up = client
        .sign_up(
            &SignUpRequest {
                wallet: Some(WalletKind::Kdf),
                external_user_id: Some(user.clone()),
                kdf_proof: Some(kdf_proof(&material, &key, "localhost", &user)),
                ..Default::default()
            },
            pending.as_ref(),
        )
        .await
        .unwrap();
    assert_eq!(signed_up.auth_method, Some(AuthMethod::PinKdf));

    let material = client
        .sign_in_challenge(&ChallengeRequest::Kdf {
            external_user_id: Some(user.clone()),
        })
        .await
        .unwrap();
    let signed_in = client
        .sign_in(&SignInRequest {
            wallet: Some(WalletKind::Kdf),
            external_user_id: Some(user.clone()),
            kdf_proof: Some(kdf_proof(&material, &key, "localhost", &user)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(signed_in.tokens.subject.as_deref(), Some(user.as_str()));

    // A proof by another key is refused.
    let material = client
        .sign_in_challenge(&ChallengeRequest::Kdf {
            external_user_id: Some(user.clone()),
        })
        .await
        .unwrap();
    let intruder = SigningKey::from_slice(&[0x24; 32]).unwrap();
    let refused = client
        .sign_in(&SignInRequest {
            wallet: Some(WalletKind::Kdf),
            external_user_id: Some(user.clone()),
            kdf_proof: Some(kdf_proof(&material, &intruder, "localhost", &user)),
            ..Default::default()
        })
        .await;
    assert!(refused.is_err(), "{refused:?}");
}

#[tokio::test]
async fn email_sign_up_sign_in_and_recover() {
    let h = Harness::start().await;
    let client = h.client();
    let email = "jane@example.com";
    let material = client
        .sign_up_challenge(&ChallengeRequest::Email {
            email: Some(email.into()),
            external_user_id: None,
        })
        .await
        .unwrap();
    let user = material.external_user_id.clone().unwrap();
    let code = h.mailbox(email).await;
    let mut backup = serde_json::Map::new();
    backup.insert("encryptedPrivateKey".into(), json!("ciphertext"));
    backup.insert("backupSalt".into(), json!("salt"));
    let signed_up = client
        .sign_up(
            &SignUpRequest {
                wallet: Some(WalletKind::Email),
                external_user_id: Some(user.clone()),
                email_otp: Some(Secret::new(code)),
                extra: backup,
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert!(signed_up.tokens.access_token.expose().len() > 10);

    client
        .sign_in_challenge(&ChallengeRequest::Email {
            email: None,
            external_user_id: Some(user.clone()),
        })
        .await
        .unwrap();
    let recovered = client
        .email_recover(&EmailRecoverRequest {
            external_user_id: Some(user.clone()),
            email_otp: Some(Secret::new(h.mailbox(email).await)),
            email: Some(email.into()),
        })
        .await
        .unwrap();
    assert_eq!(
        recovered.encrypted_private_key.as_ref().map(Secret::expose),
        Some("ciphertext")
    );

    client
        .sign_in_challenge(&ChallengeRequest::Email {
            email: None,
            external_user_id: Some(user.clone()),
        })
        .await
        .unwrap();
    let signed_in = client
        .sign_in(&SignInRequest {
            wallet: Some(WalletKind::Email),
            external_user_id: Some(user.clone()),
            email_otp: Some(Secret::new(h.mailbox(email).await)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(signed_in.tokens.subject.as_deref(), Some(user.as_str()));
}

fn personal_sign(key: &SigningKey, message: &str) -> String {
    let mut hasher = Keccak256::new();
    hasher.update(format!("\x19Ethereum Signed Message:\n{}", message.len()));
    hasher.update(message);
    let (signature, recovery) = key.sign_prehash_recoverable(&hasher.finalize()).unwrap();
    let mut bytes = signature.to_bytes().to_vec();
    bytes.push(27 + recovery.to_byte());
    format!("0x{}", hex(&bytes))
}

fn eoa(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&hash[12..]);
    Address::from_bytes(bytes)
}

#[tokio::test]
async fn eip7702_sign_up_and_sign_in() {
    let h = Harness::start().await;
    let client = h.client();
    let key = SigningKey::from_slice(&[0x77; 32]).unwrap();
    let address = eoa(&key);
    let request = ChallengeRequest::Eip7702 {
        address,
        chain_id: None,
    };
    let siwe = |c: AuthChallenge| match c.challenge {
        Some(Challenge::Siwe { message, nonce }) => (message, nonce),
        other => panic!("7702 challenge {other:?}"),
    };
    let (message, nonce) = siwe(client.sign_up_challenge(&request).await.unwrap());
    assert!(message
        .to_lowercase()
        .contains(&address.to_string().to_lowercase()));
    let signed_up = client
        .sign_up(
            &SignUpRequest {
                wallet: Some(WalletKind::Eip7702),
                address: Some(address),
                signature: Some(personal_sign(&key, &message)),
                nonce: Some(nonce),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(signed_up.safe, Some(address));
    assert!(signed_up.delegation.is_some());

    let (message, nonce) = siwe(client.sign_in_challenge(&request).await.unwrap());
    let signed_in = client
        .sign_in(&SignInRequest {
            wallet: Some(WalletKind::Eip7702),
            address: Some(address),
            signature: Some(personal_sign(&key, &message)),
            nonce: Some(nonce),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(signed_in.tokens.access_token.expose().len() > 10);
}

#[tokio::test]
async fn refresh_rotates_and_a_replay_is_refused() {
    let h = Harness::start().await;
    let client = h.client();
    let auth = h.signed_in().await;
    let rotated = client.refresh(&auth.tokens.refresh_token).await.unwrap();
    assert_ne!(rotated.refresh_token, auth.tokens.refresh_token);
    let replay = client.refresh(&auth.tokens.refresh_token).await;
    assert!(
        matches!(replay, Err(Error::Unauthorized { status: 401, .. })),
        "{replay:?}"
    );
}

#[tokio::test]
async fn unknown_rp_id_is_a_client_error() {
    let h = Harness::start().await;
    let config = ibex::Config::new(&h.base, "unknown.example").unwrap();
    let client = Client::new(config).unwrap();
    let err = client
        .sign_in_challenge(&ChallengeRequest::passkeys())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Status { status: 400, .. }), "{err:?}");
    let wk = h.client().well_known_webauthn().await.unwrap();
    assert!(wk.origins.is_empty() || wk.origins.iter().all(|o| o.starts_with("http")));
}

/// The EOA page's dedicated endpoints: challenge, then sign-in (creating the user); a signature
/// over another challenge's message is refused and the nonce still works once after.
#[tokio::test]
async fn eoa_wallet_challenge_and_sign_in() {
    use ibex::models::auth::{WalletChallengeRequest, WalletSignInRequest};
    let h = Harness::start().await;
    let client = h.client();
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let address = eoa(&key);
    let request = WalletChallengeRequest {
        address,
        chain_id: None,
    };
    let first = client.wallet_challenge(&request).await.unwrap();
    let other = client.wallet_challenge(&request).await.unwrap();
    let wrong = client
        .wallet_sign_in(&WalletSignInRequest {
            address,
            signature: personal_sign(&key, &other.message().message),
            nonce: first.message().nonce.clone(),
            chain_id: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, Error::Status { status: 400, .. }),
        "{wrong:?}"
    );
    assert_eq!(wrong.code(), Some("INVALID_SIGNATURE"));
    let signed_in = client
        .wallet_sign_in(&WalletSignInRequest {
            address,
            signature: personal_sign(&key, &first.message().message),
            nonce: first.message().nonce.clone(),
            chain_id: None,
        })
        .await
        .unwrap();
    assert_eq!(
        signed_in.wallet_mode,
        Some(ibex::models::WalletMode::Eoa7702)
    );
    assert_eq!(signed_in.safe, Some(address));
    assert!(
        signed_in.delegations.as_ref().is_some_and(|d| d.len() == 3),
        "{:?}",
        signed_in.delegations
    );
}
