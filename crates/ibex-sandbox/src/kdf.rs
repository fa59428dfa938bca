//! The PIN/KDF signer (docs/api/auth.md §13). The client runs Argon2id with the server's salt and
//! parameters, derives a secp256k1 key, and proves possession by signing the canonical JSON of
//! `{appId, challenge, challengeExpiresAt, challengeId?, externalUserId, kdfParamsVersion, nonce,
//! saltVersion, timestamp}` (keys sorted, no whitespace) with ECDSA over SHA-256. `publicKey`
//! is hex SEC1 (33 or 65 bytes); `signature` is hex `r || s` (64 bytes; a 65th recovery byte
//! is ignored) or DER. `timestamp` is Unix seconds and must be within 5 minutes of the server
//! clock. The server's `serverSignature` = base64 HMAC-SHA256 over
//! `challenge|challengeExpiresAt|externalUserId|appId`, so only challenges it issued verify.

use hmac::{Hmac, Mac};
use k256::ecdsa::signature::Verifier;
use k256::ecdsa::{Signature, VerifyingKey};
use serde_json::{json, Map, Value};
use sha2::Sha256;

use crate::b64;
use crate::clock::Millis;
use crate::ids;

pub const SERVER_KEY_ID: &str = "pin-kdf-hmac-v1";
pub const MAX_SKEW_S: i64 = 300;

pub fn params() -> Value {
    json!({ "algo": "argon2id", "memory": 65536, "iterations": 3, "parallelism": 1 })
}

pub fn server_signature(
    key: &[u8],
    challenge: &str,
    expires_at: &str,
    external_user_id: &str,
    app_id: &str,
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{challenge}|{expires_at}|{external_user_id}|{app_id}").as_bytes());
    b64::standard(&mac.finalize().into_bytes())
}

/// The exact bytes the client signs.
pub fn proof_message(body: &Value, app_id: &str) -> String {
    let mut fields = Map::new();
    fields.insert("appId".into(), json!(app_id));
    for key in [
        "challenge",
        "challengeExpiresAt",
        "challengeId",
        "externalUserId",
        "kdfParamsVersion",
        "nonce",
        "saltVersion",
        "timestamp",
    ] {
        if let Some(v) = body.get(key) {
            fields.insert(key.into(), v.clone());
        }
    }
    ids::canonical_json(&Value::Object(fields))
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KdfError {
    #[error("publicKey is not a secp256k1 SEC1 key")]
    PublicKey,
    #[error("signature is malformed")]
    Malformed,
    #[error("signature does not verify")]
    Signature,
    #[error("timestamp is missing or more than 5 minutes off")]
    Timestamp,
}

/// Verifies the proof in `body` and returns the normalised (compressed hex) public key.
pub fn verify(body: &Value, app_id: &str, now: Millis) -> Result<String, KdfError> {
    let key_bytes = body
        .get("publicKey")
        .and_then(Value::as_str)
        .and_then(ids::parse_hex)
        .ok_or(KdfError::PublicKey)?;
    let key = VerifyingKey::from_sec1_bytes(&key_bytes).map_err(|_| KdfError::PublicKey)?;
    let timestamp = body
        .get("timestamp")
        .and_then(Value::as_i64)
        .ok_or(KdfError::Timestamp)?;
    if (timestamp - now / 1000).abs() > MAX_SKEW_S {
        return Err(KdfError::Timestamp);
    }
    let sig_bytes = body
        .get("signature")
        .and_then(Value::as_str)
        .and_then(ids::parse_hex)
        .ok_or(KdfError::Malformed)?;
    let signature = match sig_bytes.len() {
        64 | 65 => Signature::from_slice(&sig_bytes[..64]),
        _ => Signature::from_der(&sig_bytes),
    }
    .map_err(|_| KdfError::Malformed)?;
    key.verify(proof_message(body, app_id).as_bytes(), &signature)
        .map_err(|_| KdfError::Signature)?;
    Ok(ids::hex_0x(key.to_encoded_point(true).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;
    use k256::ecdsa::SigningKey;

    #[test]
    fn verifies_the_canonical_proof() {
        let key = SigningKey::from_slice(&[3; 32]).unwrap();
        let mut body = json!({
            "externalUserId": "u", "challenge": "c", "challengeExpiresAt": "e", "saltVersion": 1,
            "kdfParamsVersion": 1, "nonce": "n", "timestamp": 1000,
            "publicKey": ids::hex_0x(key.verifying_key().to_encoded_point(false).as_bytes()),
        });
        let sig: Signature = key.sign(proof_message(&body, "localhost").as_bytes());
        body["signature"] = json!(ids::hex_0x(&sig.to_bytes()));
        assert!(verify(&body, "localhost", 1_000_000).is_ok());
        assert_eq!(verify(&body, "other", 1_000_000), Err(KdfError::Signature));
        assert_eq!(
            verify(&body, "localhost", 2_000_000),
            Err(KdfError::Timestamp)
        );
    }
}
