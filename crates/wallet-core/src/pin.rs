//! The PIN signer (IBEx's KDF wallet, docs/api/auth.md §13): Argon2id over the PIN with the server's salt
//! and parameters, HKDF-SHA256 to a secp256k1 key, which signs the canonical proof message.
//! The PIN and every derived byte live in zeroizing buffers and are dropped after the proof.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hkdf::Hkdf;
use ibex::models::auth::{AuthChallenge, Challenge, KdfProof};
use k256::ecdsa::signature::Signer;
use k256::ecdsa::{Signature, SigningKey};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::core::network_key;
use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::network::Connection;
use crate::secrets::{load_item, store_item, SecretItem};
use crate::session::SessionInfo;

pub const MIN_PIN_LEN: usize = 6;
const MAX_PIN_LEN: usize = 128;
/// The Argon2id costs a server may ask for, both ways. Below the floor (OWASP's minimum for
/// Argon2id: 19 MiB, 2 passes) a server could make a 6-digit PIN cheap to brute-force from its
/// public key; above the ceiling (4× the documented 64 MiB × 3) it could freeze the device or
/// ask 2^32 passes. Documented: 65536 KiB, 3 iterations, parallelism 1.
pub const MIN_MEMORY_KIB: u32 = 19 * 1024;
pub const MAX_MEMORY_KIB: u32 = 256 * 1024;
pub const MIN_ITERATIONS: u32 = 2;
pub const MAX_ITERATIONS: u32 = 12;
pub const MAX_PARALLELISM: u32 = 8;

/// A PIN as typed; wiped from memory when dropped (every copy), never printed.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

impl Pin {
    pub fn new(pin: String) -> Result<Self, AppError> {
        let pin = Zeroizing::new(pin);
        let len = pin.chars().count();
        if len == 0 {
            return Err(AppError::validation(Msg::EnterPin));
        }
        if len < MIN_PIN_LEN {
            return Err(AppError::validation(Msg::PinTooShort { min: MIN_PIN_LEN }));
        }
        if len > MAX_PIN_LEN {
            return Err(AppError::validation(Msg::PinTooLong));
        }
        Ok(Self(pin))
    }
}

/// The signer key for `external_user_id` on tenant `app_id` (the rpId), with the server's
/// salt and parameters once they are checked to lie within the bounds above. Seconds of
/// CPU and up to 256 MiB: call it on a blocking thread, never on an async worker.
pub fn derive_key(
    pin: &Pin,
    material: &AuthChallenge,
    app_id: &str,
    external_user_id: &str,
) -> Result<SigningKey, AppError> {
    let (salt, params) = checked_params(material)?;
    derive_with(pin, &salt, params, app_id, external_user_id)
}

fn bad(m: &str) -> AppError {
    AppError::new(
        ErrorCode::BadResponse,
        Msg::PinParameters {
            detail: m.to_string(),
        },
    )
}

/// The salt and Argon2 parameters of a challenge, refused outside the bounds.
fn checked_params(material: &AuthChallenge) -> Result<(Vec<u8>, Params), AppError> {
    let salt = material.salt.as_deref().ok_or_else(|| bad("no salt"))?;
    let salt = STANDARD
        .decode(salt.trim_end_matches('='))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(salt.trim_end_matches('='))
        })
        .map_err(|_| bad("the salt is not base64"))?;
    let kdf = material
        .kdf
        .as_ref()
        .ok_or_else(|| bad("no KDF parameters"))?;
    Ok((salt, bounded_params(kdf)?))
}

/// Argon2id parameters a server sent, refused outside the bounds above (also the e-mail
/// wallet's backup, whose costs travel with it).
pub(crate) fn bounded_params(kdf: &ibex::models::auth::KdfParams) -> Result<Params, AppError> {
    if !kdf.algo.eq_ignore_ascii_case("argon2id") {
        return Err(bad(&format!("unsupported algorithm {}", kdf.algo)));
    }
    let out_of = |what: &str, value: u32, min: u32, max: u32| {
        bad(&format!(
            "{what} {value} is outside {min}–{max}; this wallet refuses a weaker or runaway PIN key"
        ))
    };
    if !(MIN_MEMORY_KIB..=MAX_MEMORY_KIB).contains(&kdf.memory) {
        return Err(out_of(
            "memory (KiB)",
            kdf.memory,
            MIN_MEMORY_KIB,
            MAX_MEMORY_KIB,
        ));
    }
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&kdf.iterations) {
        return Err(out_of(
            "iterations",
            kdf.iterations,
            MIN_ITERATIONS,
            MAX_ITERATIONS,
        ));
    }
    if !(1..=MAX_PARALLELISM).contains(&kdf.parallelism) {
        return Err(out_of("parallelism", kdf.parallelism, 1, MAX_PARALLELISM));
    }
    Params::new(kdf.memory, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| bad(&e.to_string()))
}

fn derive_with(
    pin: &Pin,
    salt: &[u8],
    params: Params,
    app_id: &str,
    external_user_id: &str,
) -> Result<SigningKey, AppError> {
    let mut stretched = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.0.as_bytes(), salt, stretched.as_mut())
        .map_err(|e| bad(&e.to_string()))?;
    let info = format!("ibex-safe-signer|{app_id}|v1|{external_user_id}");
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, stretched.as_ref())
        .expand(info.as_bytes(), key.as_mut())
        .map_err(|e| {
            AppError::internal(Msg::Unexpected {
                detail: e.to_string(),
            })
        })?;
    SigningKey::from_slice(key.as_ref()).map_err(|e| {
        AppError::internal(Msg::Unexpected {
            detail: e.to_string(),
        })
    })
}

/// The signed proof for one challenge (docs/api/auth.md §5; the scheme the sandbox documents).
pub fn proof(
    key: &SigningKey,
    material: &AuthChallenge,
    app_id: &str,
    external_user_id: &str,
    now_unix: u64,
) -> Result<KdfProof, AppError> {
    let missing = |f: &str| {
        AppError::new(
            ErrorCode::BadResponse,
            Msg::PinChallengeField {
                field: f.to_string(),
            },
        )
    };
    let challenge = match &material.challenge {
        Some(Challenge::Nonce(c)) => c.clone(),
        _ => return Err(missing("challenge")),
    };
    let mut proof = KdfProof {
        public_key: crate::hex::encode(key.verifying_key().to_encoded_point(true).as_bytes()),
        challenge,
        challenge_expires_at: material
            .challenge_expires_at
            .clone()
            .ok_or_else(|| missing("expiry"))?,
        salt_version: material.salt_version.unwrap_or(1),
        kdf_params_version: material.kdf_params_version.unwrap_or(1),
        nonce: crate::passkey::ceremony::random_id(),
        timestamp: now_unix,
        server_signature: material
            .server_signature
            .clone()
            .ok_or_else(|| missing("server signature"))?,
        server_key_id: material
            .server_key_id
            .clone()
            .ok_or_else(|| missing("server key id"))?,
        ..KdfProof::default()
    };
    let signature: Signature = key.sign(proof.signing_message(app_id, external_user_id).as_bytes());
    proof.signature = crate::hex::encode(&signature.to_bytes());
    Ok(proof)
}

/// The PIN commands.
impl crate::Core {
    /// Creates a PIN wallet (the KDF signer) and remembers its account on this device.
    pub async fn pin_sign_up(&self, pin: String) -> Result<SessionInfo, AppError> {
        let pin = Pin::new(pin)?;
        let conn = self.connection().await?;
        let (info, user) = conn.auth.pin_sign_up(&pin, self.secrets.as_ref()).await?;
        // Twice: the settings file (fast to read) and the keychain (survives losing that file).
        // Without both, one interrupted write or one missing keychain loses nothing.
        let in_file = self.store.set(
            &network_key("pin-account", &conn),
            serde_json::Value::String(user.clone()),
        );
        let rp_id = conn.client.config().rp_id.clone();
        let item = SecretItem::PinAccount;
        let account = Some(ibex::Secret::new(user));
        let in_keychain =
            store_item(self.secrets.clone(), item, &conn.identity, &rp_id, account).await;
        match (in_file, in_keychain) {
            (Err(file), Err(keychain)) => {
                return Err(AppError::internal(Msg::PinAccountNotRemembered {
                    error: format!("{file}; {keychain}"),
                }))
            }
            (Err(why), Ok(())) | (Ok(()), Err(why)) => {
                tracing::warn!(%why, "the PIN account is remembered in one place only");
            }
            (Ok(()), Ok(())) => {}
        }
        Ok(self.remember_signer(&conn, info))
    }

    /// Signs in to the PIN wallet this device remembers for the current network.
    pub async fn pin_sign_in(&self, pin: String) -> Result<SessionInfo, AppError> {
        let pin = Pin::new(pin)?;
        let conn = self.connection().await?;
        let user = self
            .pin_account(&conn)
            .await
            .ok_or_else(|| AppError::validation(Msg::NoPinWallet))?;
        let info = conn
            .auth
            .pin_sign_in(&pin, &user, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Whether this device has a PIN wallet for the current network.
    pub async fn pin_remembered(&self) -> Result<bool, AppError> {
        let conn = self.connection().await?;
        Ok(self.pin_account(&conn).await.is_some())
    }

    /// From the settings file, else from the keychain (then written back to the file).
    async fn pin_account(&self, conn: &Connection) -> Option<String> {
        let key = network_key("pin-account", conn);
        if let Some(user) = self
            .store
            .get(&key)
            .and_then(|v| v.as_str().map(str::to_owned))
        {
            return Some(user);
        }
        let rp_id = &conn.client.config().rp_id;
        let user = load_item(
            self.secrets.clone(),
            SecretItem::PinAccount,
            &conn.identity,
            rp_id,
        )
        .await?
        .expose()
        .to_owned();
        tracing::info!("PIN account restored from the keychain");
        if let Err(e) = self
            .store
            .set(&key, serde_json::Value::String(user.clone()))
        {
            tracing::warn!(error = %e, "PIN account not written back to the settings file");
        }
        Some(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ibex::models::auth::KdfParams;

    fn material() -> AuthChallenge {
        AuthChallenge {
            salt: Some("c2FsdHNhbHRzYWx0c2FsdA==".into()),
            kdf: Some(KdfParams {
                algo: "argon2id".into(),
                memory: 1024,
                iterations: 2,
                parallelism: 1,
            }),
            ..AuthChallenge::default()
        }
    }

    #[test]
    fn pins_are_checked_with_specific_messages() {
        assert!(Pin::new(String::new())
            .unwrap_err()
            .message
            .contains("Enter a PIN"));
        assert!(Pin::new("12345".into())
            .unwrap_err()
            .message
            .contains("at least 6"));
        assert!(Pin::new("123456".into()).is_ok());
    }

    /// Cross-checked with Python's argon2-cffi (Argon2id v1.3, t=2, m=1024 KiB, p=1) and
    /// cryptography's HKDF-SHA256 (no salt, info `ibex-safe-signer|localhost|v1|user-1`).
    const FIXED_KEY: &str = "1f483a27d66afb7855654f96d3a403d2d221ee75e06902c75a512769a756eccf";

    /// Fixed vector: the same PIN, salt, parameters and user always give the same key, and any
    /// change gives another.
    #[test]
    fn derivation_is_deterministic_and_bound_to_every_input() {
        let pin = Pin::new("246810".into()).unwrap();
        // The vector's 1 MiB is below the floor a server may ask for; it checks the
        // derivation itself, past the bounds check.
        let params = Params::new(1024, 2, 1, Some(32)).unwrap();
        let key = |pin: &Pin, app: &str, user: &str| {
            crate::hex::encode(
                &derive_with(pin, b"saltsaltsaltsalt", params.clone(), app, user)
                    .unwrap()
                    .to_bytes(),
            )
        };
        let a = key(&pin, "localhost", "user-1");
        assert_eq!(a, key(&pin, "localhost", "user-1"));
        assert_eq!(a, FIXED_KEY);
        assert_ne!(
            a,
            key(&Pin::new("246811".into()).unwrap(), "localhost", "user-1")
        );
        assert_ne!(a, key(&pin, "wallet.example", "user-1"));
        assert_ne!(a, key(&pin, "localhost", "user-2"));
    }

    #[test]
    fn hostile_parameters_are_refused_both_ways() {
        let pin = Pin::new("246810".into()).unwrap();
        let documented = |m: &mut KdfParams| {
            (m.memory, m.iterations, m.parallelism) = (65536, 3, 1);
        };
        let mut ok = material();
        documented(ok.kdf.as_mut().unwrap());
        assert!(
            checked_params(&ok).is_ok(),
            "the documented parameters pass"
        );
        for (memory, iterations, parallelism, needle) in [
            (u32::MAX, 3, 1, "memory"),
            (1024, 3, 1, "memory"),
            (8, 1, 1, "memory"),
            (65536, u32::MAX, 1, "iterations"),
            (65536, 1, 1, "iterations"),
            (65536, 3, 0, "parallelism"),
            (65536, 3, 255, "parallelism"),
        ] {
            let mut m = ok.clone();
            let kdf = m.kdf.as_mut().unwrap();
            (kdf.memory, kdf.iterations, kdf.parallelism) = (memory, iterations, parallelism);
            let e = derive_key(&pin, &m, "localhost", "u").unwrap_err();
            assert!(
                e.message.contains(needle),
                "{memory}/{iterations}/{parallelism}: {}",
                e.message
            );
        }
        let mut m = material();
        m.kdf.as_mut().unwrap().algo = "scrypt".into();
        assert!(derive_key(&pin, &m, "localhost", "u")
            .unwrap_err()
            .message
            .contains("scrypt"));
    }
}
