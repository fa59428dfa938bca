//! An existing Ethereum account (EOA) as the way in, upgraded by EIP-7702 (docs/api/auth.md §12).
//!
//! IBEx asks the EOA to sign a SIWE-like message (`GET /auth/sign-in|sign-up?wallet=7702`),
//! checks the EIP-191 signature and answers tokens, the account (`safe`: the EOA itself) and
//! the delegation IBEx will use (`SafeEIP7702Proxy` per chain). Two ways to sign:
//! - **Import**: the private key or recovery phrase is given once to [`Core::eoa_import`],
//!   turned into a key here, checked against the address the user expects, and kept in the OS
//!   keychain; it never goes back to the UI. Every copy is zeroized when dropped.
//! - **Another wallet** (hardware, MetaMask): the core shows the message, the user pastes the
//!   signature; the core recovers its signer before anything is sent, so a signature of
//!   another message (or by another account) is refused with nothing sent.
//!
//! Sign-in is tried first; an address IBEx does not know yet (404) signs up with a second
//! challenge (the SDK's "one button", docs/api/auth.md §2).

use std::sync::Mutex;

use ibex::models::auth::{
    AuthSession, Challenge, ChallengeRequest, SignInRequest, SignUpRequest, WalletKind,
};
use ibex::{Address, Secret};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

use crate::core::network_key;
use crate::error::{AppError, Context, ErrorCode};
use crate::message::eip191_hash;
use crate::messages::Msg;
use crate::network::Connection;
use crate::secrets::{load_item, store_item, SecretItem};
use crate::session::{SessionInfo, SignerKind};
use crate::sync::lock;

/// Derivation path of an Ethereum account from a recovery phrase (BIP-44, coin 60), last
/// index varied: wallets number their accounts from 0.
const ETH_PATH: &str = "m/44'/60'/0'/0";
/// Accounts of a phrase searched for the expected address.
const PHRASE_ACCOUNTS: u32 = 10;
/// The documented first line, up to the address (docs/api/auth.md §4).
const SIWE_INTRO: &str = "wants you to sign in with your Ethereum account:";

/// What the UI sends once to import a key: a private key (64 hex digits) or a BIP-39 phrase,
/// and the address the user expects it to control. Never printed, zeroized when dropped.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyImport {
    #[specta(type = String)]
    pub secret: Secret,
    pub address: Option<String>,
}

impl std::fmt::Debug for KeyImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyImport")
            .field("secret", &"<redacted>")
            .field("address", &self.address)
            .finish()
    }
}

/// The message another wallet must sign.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EoaChallenge {
    #[specta(type = String)]
    pub address: Address,
    pub message: String,
    /// `true` when IBEx did not know the address and this second message creates the account.
    pub creates_account: bool,
}

/// Where a pasted signature got the user.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum EoaStep {
    SignedIn {
        session: SessionInfo,
    },
    /// IBEx has no account for this address yet: sign this second message to create it.
    SignUp {
        challenge: EoaChallenge,
    },
}

/// One chain's EIP-7702 delegation as IBEx gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Delegation {
    pub chain_id: u32,
    /// The contract the EOA's code delegates to (`SafeEIP7702Proxy`).
    #[specta(type = Option<String>)]
    pub implementation: Option<Address>,
}

/// The EOA account's EIP-7702 state (Settings).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EoaStatus {
    #[specta(type = String)]
    pub address: Address,
    /// `EOA_7702` as IBEx reports the account's mode; `None` when it does not say.
    pub wallet_mode: Option<String>,
    /// The delegations IBEx announced at sign-in (per chain).
    pub delegations: Vec<Delegation>,
    /// Whether this computer's keychain holds the key (imported), or another wallet signs.
    pub key_on_this_computer: bool,
}

struct Pending {
    address: Address,
    nonce: String,
    message: String,
    sign_up: bool,
}

/// The pending external-wallet challenge of one connection.
#[derive(Default)]
pub(crate) struct EoaFlows {
    pending: Mutex<Option<Pending>>,
}

/// The EOA address of a public key: the last 20 bytes of keccak256 of its point.
pub fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    let hash: [u8; 32] = Keccak256::digest(&point.as_bytes()[1..]).into();
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&hash[12..]);
    Address::from_bytes(bytes)
}

fn malformed() -> AppError {
    AppError::validation(Msg::EoaKeyMalformed)
}

/// The key a private key or a recovery phrase stands for; with `expected`, the one that
/// controls it (a phrase's first [`PHRASE_ACCOUNTS`] accounts are searched).
pub fn parse_key(secret: &Secret, expected: Option<Address>) -> Result<SigningKey, AppError> {
    let text = secret.expose().trim();
    let words = text.split_whitespace().count();
    let candidates: Vec<SigningKey> = if words == 1 {
        let hex = text.strip_prefix("0x").unwrap_or(text);
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed());
        }
        let bytes = Zeroizing::new(
            (0..32)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| malformed())?,
        );
        vec![SigningKey::from_slice(&bytes).map_err(|_| malformed())?]
    } else if [12, 15, 18, 21, 24].contains(&words) {
        // Every copy of the phrase is wiped: the joined words, then their lower case.
        let joined = Zeroizing::new(text.split_whitespace().collect::<Vec<_>>().join(" "));
        let phrase = Zeroizing::new(joined.to_lowercase());
        let mut mnemonic =
            bip39::Mnemonic::parse_in_normalized(bip39::Language::English, phrase.as_str())
                .map_err(|_| AppError::validation(Msg::EoaPhraseInvalid))?;
        let seed = Zeroizing::new(mnemonic.to_seed_normalized(""));
        zeroize::Zeroize::zeroize(&mut mnemonic);
        let accounts = if expected.is_some() {
            PHRASE_ACCOUNTS
        } else {
            1
        };
        (0..accounts)
            .map(|i| {
                let path: bip32::DerivationPath =
                    format!("{ETH_PATH}/{i}").parse().map_err(|_| malformed())?;
                let xprv =
                    bip32::XPrv::derive_from_path(seed.as_ref(), &path).map_err(|_| malformed())?;
                Ok(xprv.private_key().clone())
            })
            .collect::<Result<_, AppError>>()?
    } else {
        return Err(malformed());
    };
    match expected {
        None => candidates.into_iter().next().ok_or_else(malformed),
        Some(want) => {
            let first = address_of(candidates[0].verifying_key());
            candidates
                .into_iter()
                .find(|k| address_of(k.verifying_key()) == want)
                .ok_or_else(|| {
                    AppError::validation(Msg::EoaKeyOtherAddress {
                        expected: want.to_checksum(),
                        got: first.to_checksum(),
                    })
                })
        }
    }
}

/// The challenge message, checked before anything signs it: the documented sign-in line for
/// this very address, and the nonce IBEx sent if the message names one.
fn check_message(message: &str, nonce: &str, address: &Address) -> Result<(), AppError> {
    let first = message.lines().next().unwrap_or("");
    let names_address = first
        .split_once(SIWE_INTRO)
        .map(|(_, rest)| rest.trim().eq_ignore_ascii_case(&address.to_checksum()))
        .unwrap_or(false)
        || message.lines().nth(1).is_some_and(|l| {
            first.ends_with(SIWE_INTRO) && l.trim().eq_ignore_ascii_case(&address.to_checksum())
        });
    let nonce_ok = message
        .lines()
        .find_map(|l| l.strip_prefix("Nonce:"))
        .is_none_or(|n| n.trim() == nonce);
    if names_address && nonce_ok {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::BadResponse,
            Msg::EoaMessageUnexpected,
        ))
    }
}

/// EIP-191 `personal_sign`: 65 bytes `r ‖ s ‖ v` with v = 27 or 28, as wallets produce.
pub fn personal_sign(key: &SigningKey, message: &str) -> Result<String, AppError> {
    let (sig, rec) = key
        .sign_prehash_recoverable(&eip191_hash(message))
        .map_err(|e| {
            AppError::internal(Msg::Unexpected {
                detail: e.to_string(),
            })
        })?;
    let mut bytes = sig.to_bytes().to_vec();
    bytes.push(27 + rec.to_byte());
    Ok(format!("0x{}", crate::hex::encode(&bytes)))
}

/// The account that made a pasted signature of `message`, or why it is not one.
pub fn recover(message: &str, signature: &str) -> Result<Address, AppError> {
    let bad = || AppError::validation(Msg::EoaSignatureMalformed);
    let hex = signature.trim();
    let hex = hex.strip_prefix("0x").unwrap_or(hex);
    if hex.len() != 130 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let bytes: Vec<u8> = (0..65)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let sig = Signature::from_slice(&bytes[..64]).map_err(|_| bad())?;
    let v = bytes[64];
    let rec = RecoveryId::from_byte(if v >= 27 { v - 27 } else { v }).ok_or_else(bad)?;
    let key =
        VerifyingKey::recover_from_prehash(&eip191_hash(message), &sig, rec).map_err(|_| bad())?;
    Ok(address_of(&key))
}

/// IBEx refusing a signature: `INVALID_SIGNATURE` has its own message (error table).
fn refused(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &Context {
            refused: Some((ErrorCode::Unauthorized, Msg::EoaSignatureRefused)),
            ..Context::default()
        },
    )
}

fn key_hex(key: &SigningKey) -> Secret {
    let bytes = Zeroizing::new(key.to_bytes());
    Secret::new(crate::hex::encode(bytes.as_slice()))
}

/// The EOA commands.
impl crate::Core {
    /// Imports a key or phrase, checks it controls `address` (when given), signs in (or up)
    /// and keeps the key in the keychain. Nothing is kept when IBEx refuses.
    pub async fn eoa_import(&self, input: KeyImport) -> Result<SessionInfo, AppError> {
        let expected = match input
            .address
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(a) => Some(
                a.parse::<Address>()
                    .map_err(|_| AppError::validation(Msg::EoaAddressInvalid))?,
            ),
            None => None,
        };
        let secret = input.secret;
        let key = tokio::task::spawn_blocking(move || parse_key(&secret, expected))
            .await
            .map_err(|e| {
                AppError::internal(Msg::Unexpected {
                    detail: e.to_string(),
                })
            })??;
        let conn = self.connection().await?;
        let address = address_of(key.verifying_key());
        let session = self.connect_with_key(&conn, address, &key).await?;
        let rp_id = conn.client.config().rp_id.clone();
        let kept = store_item(
            self.secrets.clone(),
            SecretItem::EoaKey,
            &key_identity(&conn, &address),
            &rp_id,
            Some(key_hex(&key)),
        )
        .await;
        if let Err(why) = &kept {
            tracing::warn!(%why, "imported key not kept in the keychain; import it again next time");
        }
        self.start_eoa(&conn, address, kept.is_ok(), &session).await
    }

    /// Signs in with the key this computer keeps for the EOA it last imported.
    pub async fn eoa_sign_in(&self) -> Result<SessionInfo, AppError> {
        let conn = self.connection().await?;
        let address = self
            .eoa_account(&conn)
            .ok_or_else(|| AppError::validation(Msg::EoaNoKeyHere))?;
        let rp_id = conn.client.config().rp_id.clone();
        let secret = load_item(
            self.secrets.clone(),
            SecretItem::EoaKey,
            &key_identity(&conn, &address),
            &rp_id,
        )
        .await
        .ok_or_else(|| AppError::validation(Msg::EoaNoKeyHere))?;
        let key = parse_key(&secret, Some(address))?;
        let session = self.connect_with_key(&conn, address, &key).await?;
        self.start_eoa(&conn, address, true, &session).await
    }

    /// The EOA whose key this computer keeps, if any.
    pub async fn eoa_remembered(&self) -> Result<Option<String>, AppError> {
        let conn = self.connection().await?;
        Ok(self.eoa_account(&conn).map(|a| a.to_checksum()))
    }

    /// Another wallet signs: the message for `address`.
    pub async fn eoa_challenge(&self, address: String) -> Result<EoaChallenge, AppError> {
        let address: Address = address
            .trim()
            .parse()
            .map_err(|_| AppError::validation(Msg::EoaAddressInvalid))?;
        let conn = self.connection().await?;
        self.open_challenge(&conn, address, false).await
    }

    /// Another wallet's signature of the message shown. Checked here first: a signature by
    /// another account or of another message is refused with nothing sent, and the same
    /// message can be signed again.
    pub async fn eoa_submit_signature(&self, signature: String) -> Result<EoaStep, AppError> {
        let conn = self.connection().await?;
        let pending = lock(&conn.eoa.pending)
            .take()
            .ok_or_else(|| AppError::new(ErrorCode::Conflict, Msg::EoaNoChallenge))?;
        let signer = match recover(&pending.message, &signature) {
            Ok(a) => a,
            Err(e) => {
                *lock(&conn.eoa.pending) = Some(pending);
                return Err(e);
            }
        };
        if signer != pending.address {
            let address = pending.address;
            *lock(&conn.eoa.pending) = Some(pending);
            return Err(AppError::validation(Msg::EoaSignatureOther {
                address: address.to_checksum(),
            }));
        }
        match self
            .post_signature(&conn, &pending, signature.trim().to_owned())
            .await
        {
            Ok(Some(session)) => Ok(EoaStep::SignedIn {
                session: self
                    .start_eoa(&conn, pending.address, false, &session)
                    .await?,
            }),
            Ok(None) => Ok(EoaStep::SignUp {
                challenge: self.open_challenge(&conn, pending.address, true).await?,
            }),
            Err(e) => {
                *lock(&conn.eoa.pending) = Some(pending);
                Err(e)
            }
        }
    }

    /// The signed-in EOA account's EIP-7702 state: IBEx's wallet mode and delegations.
    pub async fn eoa_status(&self) -> Result<Option<EoaStatus>, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let Some(mut status) = self
            .store
            .get(&network_key("eoa-status", &conn))
            .and_then(|v| serde_json::from_value::<EoaStatus>(v).ok())
            .filter(|s| s.address == safe)
        else {
            return Ok(None);
        };
        let signers = session.signers().await?;
        status.wallet_mode = signers
            .signers
            .iter()
            .filter_map(|s| s.wallet_mode.as_ref())
            .find(|m| **m == ibex::models::WalletMode::Eoa7702)
            .map(|_| "EOA_7702".to_owned())
            .or(status.wallet_mode);
        Ok(Some(status))
    }

    async fn open_challenge(
        &self,
        conn: &Connection,
        address: Address,
        sign_up: bool,
    ) -> Result<EoaChallenge, AppError> {
        let (message, nonce) = self.challenge(conn, address, sign_up).await?;
        *lock(&conn.eoa.pending) = Some(Pending {
            address,
            nonce,
            message: message.clone(),
            sign_up,
        });
        Ok(EoaChallenge {
            address,
            message,
            creates_account: sign_up,
        })
    }

    /// IBEx's message for `address`, checked to be a sign-in for it.
    async fn challenge(
        &self,
        conn: &Connection,
        address: Address,
        sign_up: bool,
    ) -> Result<(String, String), AppError> {
        let req = ChallengeRequest::Eip7702 {
            address,
            chain_id: None,
        };
        let answer = if sign_up {
            conn.client.sign_up_challenge(&req).await?
        } else {
            conn.client.sign_in_challenge(&req).await?
        };
        let Some(Challenge::Siwe { message, nonce }) = answer.challenge else {
            return Err(AppError::new(
                ErrorCode::BadResponse,
                Msg::EoaMessageUnexpected,
            ));
        };
        check_message(&message, &nonce, &address)?;
        Ok((message, nonce))
    }

    /// Posts a signature; `None` when IBEx does not know the address yet (sign up next).
    async fn post_signature(
        &self,
        conn: &Connection,
        p: &Pending,
        signature: String,
    ) -> Result<Option<AuthSession>, AppError> {
        let answer = if p.sign_up {
            let body = SignUpRequest {
                wallet: Some(WalletKind::Eip7702),
                address: Some(p.address),
                signature: Some(signature),
                nonce: Some(p.nonce.clone()),
                ..SignUpRequest::default()
            };
            conn.client.sign_up(&body, None).await
        } else {
            let body = SignInRequest {
                wallet: Some(WalletKind::Eip7702),
                address: Some(p.address),
                signature: Some(signature),
                nonce: Some(p.nonce.clone()),
                ..SignInRequest::default()
            };
            conn.client.sign_in(&body).await
        };
        match answer {
            Ok(s) => Ok(Some(s)),
            Err(ibex::Error::Status { status: 404, .. }) if !p.sign_up => Ok(None),
            Err(e) => Err(refused(e)),
        }
    }

    /// Sign-in, then sign-up if IBEx does not know the address, both signed by `key`.
    async fn connect_with_key(
        &self,
        conn: &Connection,
        address: Address,
        key: &SigningKey,
    ) -> Result<AuthSession, AppError> {
        for sign_up in [false, true] {
            let (message, nonce) = self.challenge(conn, address, sign_up).await?;
            let pending = Pending {
                address,
                nonce,
                message,
                sign_up,
            };
            let signature = personal_sign(key, &pending.message)?;
            if let Some(session) = self.post_signature(conn, &pending, signature).await? {
                return Ok(session);
            }
        }
        Err(AppError::new(ErrorCode::BadResponse, Msg::IbexBadAnswer))
    }

    /// Starts the session the way every sign-in does and files the account's 7702 state.
    async fn start_eoa(
        &self,
        conn: &Connection,
        address: Address,
        key_here: bool,
        session: &AuthSession,
    ) -> Result<SessionInfo, AppError> {
        let mut delegations: Vec<Delegation> = session
            .delegations
            .iter()
            .flatten()
            .chain(session.delegation.iter())
            .filter_map(|d| {
                Some(Delegation {
                    chain_id: u32::try_from(d.chain_id.0).ok()?,
                    implementation: d.implementation,
                })
            })
            .collect();
        delegations.sort_by_key(|d| d.chain_id);
        delegations.dedup_by_key(|d| d.chain_id);
        let status = EoaStatus {
            address,
            wallet_mode: session.wallet_mode.as_ref().map(|_| "EOA_7702".to_owned()),
            delegations,
            key_on_this_computer: key_here,
        };
        if let Err(e) = self.store.set(
            &network_key("eoa-status", conn),
            serde_json::to_value(&status).unwrap_or_default(),
        ) {
            tracing::warn!(error = %e, "EIP-7702 state not saved");
        }
        if key_here {
            if let Err(e) = self.store.set(
                &network_key("eoa-account", conn),
                serde_json::Value::String(address.to_checksum()),
            ) {
                tracing::warn!(error = %e, "imported account not remembered");
            }
        }
        let info = conn
            .auth
            .start(&session.tokens, SignerKind::Eoa, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(conn, info))
    }

    fn eoa_account(&self, conn: &Connection) -> Option<Address> {
        self.store
            .get(&network_key("eoa-account", conn))?
            .as_str()?
            .parse()
            .ok()
    }
}

fn key_identity(conn: &Connection, address: &Address) -> String {
    format!("{}#{}", conn.identity, address.to_checksum())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IBEx's own refusal (`INVALID_SIGNATURE`) of a signature for another challenge — which the
    /// core's check stops before sending — is said in the EOA's words, and the challenge stays
    /// usable: nothing half-done.
    #[cfg(feature = "sandbox")]
    #[tokio::test]
    async fn ibex_refusing_a_signature_for_another_challenge_is_explained_and_harmless() {
        ibex::install_crypto_provider();
        let sandbox = ibex_sandbox::Sandbox::start(ibex_sandbox::SandboxConfig::default())
            .await
            .unwrap();
        let client =
            ibex::Client::new(ibex::Config::new(&sandbox.base_url(), "localhost").unwrap())
                .unwrap();
        let key = parse_key(&Secret::new(PHRASE), None).unwrap();
        let address: Address = FIRST.parse().unwrap();
        let req = ChallengeRequest::Eip7702 {
            address,
            chain_id: None,
        };
        let challenge = |a: ibex::models::auth::AuthChallenge| match a.challenge {
            Some(Challenge::Siwe { message, nonce }) => (message, nonce),
            other => panic!("{other:?}"),
        };
        let (first, nonce) = challenge(client.sign_up_challenge(&req).await.unwrap());
        let (second, _) = challenge(client.sign_up_challenge(&req).await.unwrap());
        let body = |message: &str| SignUpRequest {
            wallet: Some(WalletKind::Eip7702),
            address: Some(address),
            signature: Some(personal_sign(&key, message).unwrap()),
            nonce: Some(nonce.clone()),
            ..SignUpRequest::default()
        };
        let e = client.sign_up(&body(&second), None).await.unwrap_err();
        assert_eq!(e.code(), Some("INVALID_SIGNATURE"));
        let said = refused(e);
        assert_eq!(
            (said.code, said.text()),
            (ErrorCode::Unauthorized, Some(&Msg::EoaSignatureRefused))
        );
        let session = client.sign_up(&body(&first), None).await.unwrap();
        assert_eq!(session.safe, Some(address));
    }

    /// The BIP-39 test phrase and the address every wallet derives for its first account.
    const PHRASE: &str = "test test test test test test test test test test test junk";
    const FIRST: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    const SECOND: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    #[test]
    fn keys_and_phrases_give_their_accounts_or_say_why_not() {
        let phrase = Secret::new(PHRASE);
        let key = parse_key(&phrase, None).unwrap();
        assert_eq!(address_of(key.verifying_key()).to_checksum(), FIRST);
        let second = parse_key(&phrase, Some(SECOND.parse().unwrap())).unwrap();
        assert_eq!(address_of(second.verifying_key()).to_checksum(), SECOND);
        let hex = Secret::new("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        assert_eq!(
            address_of(parse_key(&hex, None).unwrap().verifying_key()).to_checksum(),
            FIRST
        );
        let other = parse_key(&hex, Some(SECOND.parse().unwrap())).unwrap_err();
        assert_eq!(
            other.text(),
            Some(&Msg::EoaKeyOtherAddress {
                expected: SECOND.into(),
                got: FIRST.into()
            })
        );
        for bad in ["", "0x1234", "zz09", "one two three"] {
            assert_eq!(
                parse_key(&Secret::new(bad), None).unwrap_err().text(),
                Some(&Msg::EoaKeyMalformed),
                "{bad}"
            );
        }
        let typo = Secret::new(PHRASE.replace("junk", "test"));
        assert_eq!(
            parse_key(&typo, None).unwrap_err().text(),
            Some(&Msg::EoaPhraseInvalid)
        );
        let input: KeyImport =
            serde_json::from_str(&format!(r#"{{"secret":"{PHRASE}","address":null}}"#)).unwrap();
        assert!(!format!("{input:?}").contains("junk"));
    }

    #[test]
    fn signatures_recover_their_signer_and_messages_are_checked() {
        let key = parse_key(&Secret::new(PHRASE), None).unwrap();
        let me: Address = FIRST.parse().unwrap();
        let msg = format!("IBEx Wallet {SIWE_INTRO} {FIRST}\n\nNonce: abc");
        let sig = personal_sign(&key, &msg).unwrap();
        assert_eq!(recover(&msg, &sig).unwrap(), me);
        assert_ne!(recover(&format!("{msg}!"), &sig).unwrap(), me);
        assert_eq!(
            recover(&msg, "0x12").unwrap_err().text(),
            Some(&Msg::EoaSignatureMalformed)
        );
        assert!(check_message(&msg, "abc", &me).is_ok());
        assert!(check_message(&msg, "other", &me).is_err());
        assert!(check_message(&msg, "abc", &SECOND.parse().unwrap()).is_err());
        assert!(check_message("Transfer everything", "abc", &me).is_err());
    }
}
