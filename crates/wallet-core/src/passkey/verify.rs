//! What the core checks in an authenticator's answer before anything is posted: the
//! authenticator data names this tenant's rpId (its SHA-256), says the user was present (and
//! verified, when the options required it), and — where the credential's public key is known —
//! the signature over `authenticatorData || SHA-256(clientDataJSON)` verifies. A wrong answer
//! fails here with a specific message instead of as an opaque refusal at IBEx.

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::passkey::cbor;
use crate::passkey::ceremony::decode_b64;

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;

fn bad(message: Msg) -> AppError {
    AppError::new(ErrorCode::PasskeyRefused, message)
}

/// `webauthn` L3 `userVerification == "required"` in creation or request options.
pub fn requires_uv(options: &serde_json::Value) -> bool {
    let uv = options
        .pointer("/authenticatorSelection/userVerification")
        .or_else(|| options.get("userVerification"));
    uv.and_then(|v| v.as_str()) == Some("required")
}

fn binary(credential: &serde_json::Value, pointer: &str) -> Result<Vec<u8>, AppError> {
    credential
        .pointer(pointer)
        .and_then(|v| v.as_str())
        .and_then(decode_b64)
        .ok_or_else(|| {
            bad(Msg::AnswerUnreadable {
                pointer: pointer.to_owned(),
            })
        })
}

/// The flags byte after checking the rpIdHash and user presence (and verification).
fn check_auth_data(auth_data: &[u8], rp_id: &str, uv_required: bool) -> Result<u8, AppError> {
    if auth_data.len() < 37 {
        return Err(bad(Msg::AuthDataTooShort));
    }
    if auth_data[..32] != Sha256::digest(rp_id.as_bytes())[..] {
        return Err(bad(Msg::PasskeyForOtherSite {
            rp_id: rp_id.to_owned(),
        }));
    }
    let flags = auth_data[32];
    if flags & FLAG_UP == 0 {
        return Err(bad(Msg::UserNotPresent));
    }
    if uv_required && flags & FLAG_UV == 0 {
        return Err(bad(Msg::UserNotVerified));
    }
    Ok(flags)
}

/// The UV flag of an assertion's authenticator data (false when unreadable).
pub fn user_verified(credential: &serde_json::Value) -> bool {
    binary(credential, "/response/authenticatorData")
        .ok()
        .and_then(|data| data.get(32).copied())
        .is_some_and(|flags| flags & FLAG_UV != 0)
}

fn signed_message(auth_data: &[u8], client_data: &[u8]) -> Vec<u8> {
    let mut message = auth_data.to_vec();
    message.extend_from_slice(&Sha256::digest(client_data));
    message
}

fn check_signature(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> Result<(), AppError> {
    let signature = Signature::from_der(signature)
        .or_else(|_| Signature::from_slice(signature))
        .map_err(|_| bad(Msg::SignatureNotEcdsa))?;
    key.verify(message, &signature)
        .map_err(|_| bad(Msg::SignatureInvalid))
}

/// A registration's checks; returns the new credential's ES256 key when it has one (other
/// algorithms, e.g. RS256 from Windows Hello, pass without a key to remember).
pub fn registration(
    credential: &serde_json::Value,
    rp_id: &str,
    uv_required: bool,
) -> Result<Option<VerifyingKey>, AppError> {
    let object = binary(credential, "/response/attestationObject")?;
    let object = cbor::decode(&object).ok_or_else(|| bad(Msg::AttestationNotCbor))?;
    if !object.is_map() {
        return Err(bad(Msg::AttestationNotMap));
    }
    let auth_data =
        cbor::bytes(&object, "authData").ok_or_else(|| bad(Msg::AttestationNoAuthData))?;
    let flags = check_auth_data(auth_data, rp_id, uv_required)?;
    if flags & FLAG_AT == 0 {
        return Err(bad(Msg::RegistrationNoCredential));
    }
    let (id, key) = attested(&auth_data[37..])?;
    let raw_id = binary(credential, "/rawId")?;
    if id != raw_id {
        return Err(bad(Msg::CredentialIdDiffers));
    }
    let client_data = binary(credential, "/response/clientDataJSON")?;
    let fmt = cbor::get(&object, "fmt").and_then(|f| f.as_text());
    if let (Some(fmt), Some(statement), Some(key)) =
        (fmt, cbor::get(&object, "attStmt"), key.as_ref())
    {
        let self_attested = cbor::get(statement, "x5c").is_none();
        if fmt == "packed" && self_attested {
            let sig = cbor::bytes(statement, "sig")
                .ok_or_else(|| bad(Msg::SelfAttestationNoSignature))?;
            check_signature(key, &signed_message(auth_data, &client_data), sig)?;
        }
    }
    Ok(key)
}

/// The ES256 key an attestation carries, unchecked (the answer was checked when it was made):
/// how the core learns this device's passkey key at sign-up.
pub fn attested_key(credential: &serde_json::Value) -> Option<VerifyingKey> {
    let object = binary(credential, "/response/attestationObject").ok()?;
    let object = cbor::decode(&object)?;
    let auth_data = cbor::bytes(&object, "authData")?;
    attested(auth_data.get(37..)?).ok()?.1
}

/// An assertion's checks, with the signature verified when `key` (the credential's, from its
/// registration on this device) is known.
pub fn assertion(
    credential: &serde_json::Value,
    rp_id: &str,
    uv_required: bool,
    key: Option<&VerifyingKey>,
) -> Result<(), AppError> {
    let auth_data = binary(credential, "/response/authenticatorData")?;
    check_auth_data(&auth_data, rp_id, uv_required)?;
    if let Some(key) = key {
        let client_data = binary(credential, "/response/clientDataJSON")?;
        let signature = binary(credential, "/response/signature")?;
        check_signature(key, &signed_message(&auth_data, &client_data), &signature)?;
    }
    Ok(())
}

/// `aaguid(16) || idLen(2) || id || COSE key` → (id, the key if it is ES256 on P-256).
fn attested(rest: &[u8]) -> Result<(Vec<u8>, Option<VerifyingKey>), AppError> {
    let malformed = || bad(Msg::AttestedDataMalformed);
    let len = rest.get(16..18).ok_or_else(malformed)?;
    let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
    let id = rest.get(18..18 + len).ok_or_else(malformed)?.to_vec();
    let cose = cbor::decode_first(&rest[18 + len..]).ok_or_else(malformed)?;
    if !cose.is_map() {
        return Err(malformed());
    }
    let int = |label: i64| {
        cbor::get(&cose, label)
            .and_then(|v| v.as_integer())
            .map(i128::from)
    };
    let bytes = |label: i64| cbor::bytes(&cose, label).filter(|b| b.len() == 32);
    if int(1) != Some(2) || int(3) != Some(-7) || int(-1) != Some(1) {
        return Ok((id, None));
    }
    let (x, y) = bytes(-2).zip(bytes(-3)).ok_or_else(malformed)?;
    let mut point = vec![0x04];
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    let key = VerifyingKey::from_sec1_bytes(&point).map_err(|_| malformed())?;
    Ok((id, Some(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{DerSignature, SigningKey};
    use serde_json::json;

    fn auth_data(rp_id: &str, flags: u8) -> Vec<u8> {
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&1u32.to_be_bytes());
        data
    }

    fn assertion_json(key: &SigningKey, auth: &[u8], client_data: &[u8]) -> serde_json::Value {
        let signature: DerSignature = key.sign(&signed_message(auth, client_data));
        json!({"id": "AQ", "rawId": "AQ", "response": {
            "authenticatorData": URL_SAFE_NO_PAD.encode(auth),
            "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
            "signature": URL_SAFE_NO_PAD.encode(signature.as_bytes()),
        }})
    }

    #[test]
    fn an_assertion_is_checked_for_rp_presence_verification_and_signature() {
        let key = SigningKey::from_slice(&[7; 32]).unwrap();
        let other = SigningKey::from_slice(&[8; 32]).unwrap();
        let cd = br#"{"type":"webauthn.get"}"#;
        let rp = "wallet.example.test";
        let good = assertion_json(&key, &auth_data(rp, FLAG_UP | FLAG_UV), cd);
        assert!(assertion(&good, rp, true, Some(key.verifying_key())).is_ok());
        assert!(assertion(&good, rp, true, None).is_ok());

        let e = assertion(&good, rp, true, Some(other.verifying_key())).unwrap_err();
        assert!(e.message.contains("does not verify"), "{}", e.message);
        let e = assertion(&good, "evil.test", true, None).unwrap_err();
        assert!(e.message.contains("another site than evil.test"));
        let unverified = assertion_json(&key, &auth_data(rp, FLAG_UP), cd);
        assert!(assertion(&unverified, rp, false, Some(key.verifying_key())).is_ok());
        let e = assertion(&unverified, rp, true, None).unwrap_err();
        assert!(e.message.contains("did not verify you"));
        let absent = assertion_json(&key, &auth_data(rp, FLAG_UV), cd);
        let e = assertion(&absent, rp, false, None).unwrap_err();
        assert!(e.message.contains("present"));
        assert_eq!(e.code, ErrorCode::PasskeyRefused);
    }

    #[test]
    fn uv_requirement_is_read_from_either_options_shape() {
        assert!(requires_uv(&json!({"userVerification": "required"})));
        assert!(requires_uv(
            &json!({"authenticatorSelection": {"userVerification": "required"}})
        ));
        assert!(!requires_uv(
            &json!({"authenticatorSelection": {"userVerification": "preferred"}})
        ));
    }
}
