//! The e-mail wallet's encrypted key backup (docs/api/auth.md §1, §11): the secp256k1 signer key
//! is generated here, sealed with a passphrase only the user knows, and uploaded; IBEx keeps
//! the ciphertext and hands it back after an e-mailed code (`/auth/email/recover`).
//!
//! IBEx documents the three fields (`encryptedPrivateKey`, `backupSalt`, `backupKdf`) but not
//! what is inside them (docs/api/gaps.md G6), so this wallet names its format in `backupKdf`:
//! Argon2id (the PIN signer's documented costs, 64 MiB × 3) stretches the passphrase with a
//! random 16-byte salt into an AES-256-GCM key; `encryptedPrivateKey` is base64 of the 12-byte
//! nonce then the sealed 32-byte key, authenticated together with the `externalUserId` (a
//! backup swapped between accounts does not open). A backup in another format is refused
//! with a message saying so, never guessed at.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use k256::ecdsa::SigningKey;
use rand::RngCore;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;

/// What `backupKdf.format` says for backups this wallet seals.
pub const FORMAT: &str = "ibex-wallet/aes-256-gcm/1";
/// Offline guessing is what a passphrase must withstand (IBEx holds the ciphertext).
pub const MIN_PASSPHRASE_LEN: usize = 12;
const MAX_PASSPHRASE_LEN: usize = 1024;
const MEMORY_KIB: u32 = 65_536;
const ITERATIONS: u32 = 3;

/// A backup passphrase as typed: wiped when dropped, never printed.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

impl Passphrase {
    /// A new passphrase: long enough to resist guessing by whoever holds the ciphertext.
    pub fn new_for_backup(text: String) -> Result<Self, AppError> {
        let p = Self::entered(text)?;
        if p.0.chars().count() < MIN_PASSPHRASE_LEN {
            return Err(AppError::validation(Msg::PassphraseTooShort {
                min: MIN_PASSPHRASE_LEN,
            }));
        }
        Ok(p)
    }

    /// Its SHA-256, to recognise it again in memory (never stored, never sent).
    pub fn sha256(&self) -> Zeroizing<[u8; 32]> {
        use sha2::Digest;
        Zeroizing::new(sha2::Sha256::digest(self.0.as_bytes()).into())
    }

    /// A passphrase typed to open an existing backup (whatever its length was).
    pub fn entered(text: String) -> Result<Self, AppError> {
        let text = Zeroizing::new(text);
        if text.is_empty() {
            return Err(AppError::validation(Msg::EnterPassphrase));
        }
        if text.len() > MAX_PASSPHRASE_LEN {
            return Err(AppError::validation(Msg::PassphraseTooLong));
        }
        Ok(Self(text))
    }
}

/// The three backup fields as IBEx stores and returns them.
#[derive(Clone, PartialEq)]
pub struct Sealed {
    pub encrypted_private_key: String,
    pub backup_salt: String,
    pub backup_kdf: Value,
}

impl Sealed {
    /// The members of the sign-up body (docs/api/gaps.md G6: names from the recover answer).
    pub fn fields(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert(
            "encryptedPrivateKey".into(),
            self.encrypted_private_key.clone().into(),
        );
        m.insert("backupSalt".into(), self.backup_salt.clone().into());
        m.insert("backupKdf".into(), self.backup_kdf.clone());
        m
    }
}

fn aad(external_user_id: &str) -> Vec<u8> {
    format!("{FORMAT}|{external_user_id}").into_bytes()
}

fn stretch(
    pass: &Passphrase,
    salt: &[u8],
    params: Params,
) -> Result<Zeroizing<[u8; 32]>, AppError> {
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pass.0.as_bytes(), salt, key.as_mut())
        .map_err(|e| {
            AppError::internal(Msg::Unexpected {
                detail: e.to_string(),
            })
        })?;
    Ok(key)
}

/// A fresh signer key (rejection-sampled: every 32 random bytes below the curve order).
pub fn new_key() -> SigningKey {
    loop {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        if let Ok(key) = SigningKey::from_slice(bytes.as_ref()) {
            return key;
        }
    }
}

/// Seals `key` for `external_user_id`. Seconds of CPU and 64 MiB: call on a blocking thread.
pub fn seal(
    key: &SigningKey,
    pass: &Passphrase,
    external_user_id: &str,
) -> Result<Sealed, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let params = Params::new(MEMORY_KIB, ITERATIONS, 1, Some(32)).map_err(|e| {
        AppError::internal(Msg::Unexpected {
            detail: e.to_string(),
        })
    })?;
    let stretched = stretch(pass, &salt, params)?;
    let cipher = Aes256Gcm::new_from_slice(stretched.as_ref()).map_err(|e| {
        AppError::internal(Msg::Unexpected {
            detail: e.to_string(),
        })
    })?;
    let secret = Zeroizing::new(key.to_bytes());
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: secret.as_slice(),
                aad: &aad(external_user_id),
            },
        )
        .map_err(|_| {
            AppError::internal(Msg::Unexpected {
                detail: "backup encryption failed".into(),
            })
        })?;
    let mut blob = nonce.to_vec();
    blob.extend_from_slice(&sealed);
    Ok(Sealed {
        encrypted_private_key: STANDARD.encode(blob),
        backup_salt: STANDARD.encode(salt),
        backup_kdf: json!({
            "algo": "argon2id", "memory": MEMORY_KIB, "iterations": ITERATIONS, "parallelism": 1,
            "cipher": "AES-256-GCM", "format": FORMAT,
        }),
    })
}

fn unreadable(detail: &str) -> AppError {
    AppError::new(
        ErrorCode::BadResponse,
        Msg::BackupUnreadable {
            detail: detail.to_owned(),
        },
    )
}

fn b64(text: &str, what: &str) -> Result<Vec<u8>, AppError> {
    STANDARD
        .decode(text.trim().trim_end_matches('='))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(text.trim().trim_end_matches('='))
        })
        .map_err(|_| unreadable(&format!("{what} is not base64")))
}

/// Opens a backup IBEx returned. The Argon2id costs come from the backup itself, so they are
/// held to the PIN signer's bounds (a forged backup cannot freeze the device). A wrong
/// passphrase is `WrongPassphrase` (nothing was sent anywhere). Call on a blocking thread.
pub fn open(
    sealed: &Sealed,
    pass: &Passphrase,
    external_user_id: &str,
) -> Result<SigningKey, AppError> {
    let format = sealed.backup_kdf.get("format").and_then(Value::as_str);
    if format != Some(FORMAT) {
        return Err(AppError::new(
            ErrorCode::BadResponse,
            Msg::BackupOtherFormat {
                format: format.unwrap_or("?").to_owned(),
            },
        ));
    }
    let kdf: ibex::models::auth::KdfParams = serde_json::from_value(sealed.backup_kdf.clone())
        .map_err(|e| unreadable(&e.to_string()))?;
    let params = crate::pin::bounded_params(&kdf).map_err(|e| unreadable(&e.message))?;
    let salt = b64(&sealed.backup_salt, "backupSalt")?;
    let blob = Zeroizing::new(b64(&sealed.encrypted_private_key, "encryptedPrivateKey")?);
    if blob.len() != 12 + 32 + 16 {
        return Err(unreadable("encryptedPrivateKey has the wrong length"));
    }
    let stretched = stretch(pass, &salt, params)?;
    let cipher =
        Aes256Gcm::new_from_slice(stretched.as_ref()).map_err(|e| unreadable(&e.to_string()))?;
    let secret = Zeroizing::new(
        cipher
            .decrypt(
                Nonce::from_slice(&blob[..12]),
                Payload {
                    msg: &blob[12..],
                    aad: &aad(external_user_id),
                },
            )
            .map_err(|_| AppError::validation(Msg::WrongPassphrase))?,
    );
    SigningKey::from_slice(&secret).map_err(|_| unreadable("the key inside is not a secp256k1 key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_opens_with_its_passphrase_and_user_only() {
        let key = new_key();
        let pass = Passphrase::new_for_backup("correct horse battery".into()).unwrap();
        let sealed = seal(&key, &pass, "user-1").unwrap();
        let raw = crate::hex::encode(&key.to_bytes());
        assert!(!sealed.encrypted_private_key.contains(&raw));
        let opened = open(&sealed, &pass, "user-1").unwrap();
        assert_eq!(opened.to_bytes(), key.to_bytes());
        let wrong = Passphrase::entered("correct horse battery!".into()).unwrap();
        let err = open(&sealed, &wrong, "user-1").unwrap_err();
        assert_eq!(err.text(), Some(&Msg::WrongPassphrase));
        let err = open(&sealed, &pass, "user-2").unwrap_err();
        assert_eq!(err.text(), Some(&Msg::WrongPassphrase));
        let mut other = sealed.clone();
        other.backup_kdf["format"] = "someone-else/1".into();
        assert_eq!(
            open(&other, &pass, "user-1").unwrap_err().code,
            ErrorCode::BadResponse
        );
        let mut runaway = sealed;
        runaway.backup_kdf["memory"] = (1u32 << 30).into();
        assert_eq!(
            open(&runaway, &pass, "user-1").unwrap_err().code,
            ErrorCode::BadResponse
        );
    }

    #[test]
    fn passphrases_are_checked_and_never_printed() {
        assert_eq!(
            Passphrase::new_for_backup("short".into())
                .unwrap_err()
                .text(),
            Some(&Msg::PassphraseTooShort {
                min: MIN_PASSPHRASE_LEN
            })
        );
        assert_eq!(
            Passphrase::entered(String::new()).unwrap_err().text(),
            Some(&Msg::EnterPassphrase)
        );
        let p = Passphrase::entered("hunter2-hunter2".into()).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
