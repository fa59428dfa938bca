//! The PIN signer (IBEx's KDF wallet, auth.md §13): Argon2id over the PIN with the server's salt
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
use crate::session::SessionInfo;

pub const MIN_PIN_LEN: usize = 6;
const MAX_PIN_LEN: usize = 128;
/// Argon2 memory we accept from a server (KiB): enough for the documented 64 MiB, not a DoS.
const MAX_MEMORY_KIB: u32 = 1 << 20;

/// A PIN as typed; wiped from memory when dropped, never printed.
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

/// The signer key for `external_user_id` on tenant `app_id` (the rpId).
pub fn derive_key(
    pin: &Pin,
    material: &AuthChallenge,
    app_id: &str,
    external_user_id: &str,
) -> Result<SigningKey, AppError> {
    let bad = |m: &str| {
        AppError::new(
            ErrorCode::BadResponse,
            Msg::PinParameters {
                detail: m.to_string(),
            },
        )
    };
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
    if !kdf.algo.eq_ignore_ascii_case("argon2id") {
        return Err(bad(&format!("unsupported algorithm {}", kdf.algo)));
    }
    if kdf.memory > MAX_MEMORY_KIB {
        return Err(bad("memory cost too high"));
    }
    let params = Params::new(kdf.memory, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| bad(&e.to_string()))?;
    let mut stretched = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.0.as_bytes(), &salt, stretched.as_mut())
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

/// The signed proof for one challenge (auth.md §5; the scheme the sandbox documents).
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
        public_key: hex(key.verifying_key().to_encoded_point(true).as_bytes()),
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
    proof.signature = hex(&signature.to_bytes());
    Ok(proof)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The PIN commands.
impl crate::Core {
    /// Creates a PIN wallet (the KDF signer) and remembers its account on this device.
    pub async fn pin_sign_up(&self, pin: String) -> Result<SessionInfo, AppError> {
        let pin = Pin::new(pin)?;
        let conn = self.connection().await?;
        let (info, user) = conn.auth.pin_sign_up(&pin, self.secrets.as_ref()).await?;
        self.store
            .set(
                &network_key("pin-account", &conn),
                serde_json::Value::String(user),
            )
            .map_err(|e| {
                AppError::internal(Msg::PinAccountNotRemembered {
                    error: e.to_string(),
                })
            })?;
        Ok(self.remember_signer(&conn, info))
    }

    /// Signs in to the PIN wallet this device remembers for the current network.
    pub async fn pin_sign_in(&self, pin: String) -> Result<SessionInfo, AppError> {
        let pin = Pin::new(pin)?;
        let conn = self.connection().await?;
        let user = self
            .pin_account(&conn)
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
        Ok(self.pin_account(&conn).is_some())
    }

    fn pin_account(&self, conn: &Connection) -> Option<String> {
        self.store
            .get(&network_key("pin-account", conn))
            .and_then(|v| v.as_str().map(str::to_owned))
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
        let key = |pin: &Pin, app: &str, user: &str| {
            hex(&derive_key(pin, &material(), app, user).unwrap().to_bytes())
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
    fn hostile_parameters_are_refused() {
        let pin = Pin::new("246810".into()).unwrap();
        let mut m = material();
        m.kdf.as_mut().unwrap().memory = u32::MAX;
        assert!(derive_key(&pin, &m, "localhost", "u").is_err());
        let mut m = material();
        m.kdf.as_mut().unwrap().algo = "scrypt".into();
        assert!(derive_key(&pin, &m, "localhost", "u")
            .unwrap_err()
            .message
            .contains("scrypt"));
    }
}
