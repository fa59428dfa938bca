//! Relying-party verification of WebAuthn registrations and assertions (WebAuthn L3 §7), strict
//! where browsers are exact: clientDataJSON type, challenge and origin, rpIdHash, UP/UV flags,
//! ES256 signatures over `authenticatorData || SHA-256(clientDataJSON)`, and the sign counter.
//! Attestation formats: `none` and `packed` self-attestation (what platform authenticators and
//! Chromium send for `attestation: "none"`).

use axum::http::StatusCode;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;
use serde_json::Value;

use crate::b64;
use crate::error::ApiError;
use crate::ids::sha256;

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebauthnError {
    #[error("malformed credential: {0}")]
    Malformed(&'static str),
    #[error("clientDataJSON.type is not {0}")]
    Type(&'static str),
    #[error("unknown or already used challenge")]
    ChallengeUnknown,
    #[error("challenge expired")]
    ChallengeExpired,
    #[error("origin {0} is not allowed for this rpId")]
    Origin(String),
    #[error("rpIdHash does not match the rpId")]
    RpIdHash,
    #[error("user presence flag not set")]
    UserPresence,
    #[error("user verification required but not performed")]
    UserVerification,
    #[error("signature does not verify")]
    Signature,
    #[error("sign counter did not increase (cloned authenticator?)")]
    Counter,
    #[error("unsupported attestation: {0}")]
    Attestation(&'static str),
    #[error("unknown credential")]
    UnknownCredential,
}

impl From<WebauthnError> for ApiError {
    fn from(e: WebauthnError) -> Self {
        let code = match &e {
            WebauthnError::Malformed(_) => "VALIDATION",
            WebauthnError::Type(_) => "WEBAUTHN_TYPE",
            WebauthnError::ChallengeUnknown => "CHALLENGE_UNKNOWN",
            WebauthnError::ChallengeExpired => "CHALLENGE_EXPIRED",
            WebauthnError::Origin(_) => "ORIGIN_MISMATCH",
            WebauthnError::RpIdHash => "RPID_MISMATCH",
            WebauthnError::UserPresence | WebauthnError::UserVerification => "USER_VERIFICATION",
            WebauthnError::Signature => "INVALID_SIGNATURE",
            WebauthnError::Counter => "COUNTER_REPLAY",
            WebauthnError::Attestation(_) => "ATTESTATION_UNSUPPORTED",
            WebauthnError::UnknownCredential => "UNKNOWN_CREDENTIAL",
        };
        // Failed ceremonies are client errors (400) in IBEx's SimpleWebAuthn-style server.
        ApiError::new(StatusCode::BAD_REQUEST, code, e.to_string())
    }
}

/// Which page origins may use credentials for the rpId.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    pub rp_id: String,
    /// Exact origins to accept. Empty: `https://<rpId>[:port]`, plus `http://localhost[:port]`
    /// when the rpId is `localhost`.
    pub allowed: Vec<String>,
}

impl OriginPolicy {
    pub fn allows(&self, origin: &str) -> bool {
        if !self.allowed.is_empty() {
            return self.allowed.iter().any(|o| o == origin);
        }
        let host_port = |scheme: &str| origin.strip_prefix(scheme);
        let matches_host = |rest: &str| {
            let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
            host == self.rp_id && port.chars().all(|c| c.is_ascii_digit()) && !rest.ends_with(':')
        };
        host_port("https://").is_some_and(matches_host)
            || (self.rp_id == "localhost" && host_port("http://").is_some_and(matches_host))
    }
}

#[derive(Debug, Deserialize)]
struct RawClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: bool,
}

/// The parsed `response.clientDataJSON` of a credential, and its raw bytes.
#[derive(Debug)]
pub struct ClientData {
    pub challenge: Vec<u8>,
    kind: String,
    origin: String,
    cross_origin: bool,
    raw: Vec<u8>,
}

impl ClientData {
    pub fn from_credential(credential: &Value) -> Result<Self, WebauthnError> {
        let raw = field(credential, "/response/clientDataJSON")?;
        let parsed: RawClientData =
            serde_json::from_slice(&raw).map_err(|_| WebauthnError::Malformed("clientDataJSON"))?;
        Ok(Self {
            challenge: b64::decode(&parsed.challenge)
                .ok_or(WebauthnError::Malformed("clientDataJSON.challenge"))?,
            kind: parsed.kind,
            origin: parsed.origin,
            cross_origin: parsed.cross_origin,
            raw,
        })
    }

    fn check(&self, kind: &'static str, origins: &OriginPolicy) -> Result<(), WebauthnError> {
        if self.kind != kind {
            return Err(WebauthnError::Type(kind));
        }
        if self.cross_origin || !origins.allows(&self.origin) {
            return Err(WebauthnError::Origin(self.origin.clone()));
        }
        Ok(())
    }

    fn signed_over(&self, auth_data: &[u8]) -> Vec<u8> {
        let mut message = auth_data.to_vec();
        message.extend_from_slice(&sha256(&[&self.raw]));
        message
    }
}

/// A credential accepted at registration.
#[derive(Debug)]
pub struct NewCredential {
    pub id: Vec<u8>,
    /// SEC1 uncompressed P-256 point.
    pub public_key: Vec<u8>,
    pub counter: u32,
    pub prf_enabled: bool,
}

/// Verifies `navigator.credentials.create()` output whose challenge the caller already matched.
pub fn verify_registration(
    credential: &Value,
    client: &ClientData,
    origins: &OriginPolicy,
    require_uv: bool,
) -> Result<NewCredential, WebauthnError> {
    client.check("webauthn.create", origins)?;
    let raw_id = field(credential, "/rawId")?;
    let attestation: Cbor =
        ciborium::from_reader(&field(credential, "/response/attestationObject")?[..])
            .map_err(|_| WebauthnError::Malformed("attestationObject"))?;
    let map = attestation
        .as_map()
        .ok_or(WebauthnError::Malformed("attestationObject"))?;
    let get = |name: &str| {
        map.iter()
            .find(|(k, _)| k.as_text() == Some(name))
            .map(|(_, v)| v)
    };
    let fmt = get("fmt")
        .and_then(Cbor::as_text)
        .ok_or(WebauthnError::Malformed("fmt"))?;
    let statement = get("attStmt")
        .and_then(Cbor::as_map)
        .ok_or(WebauthnError::Malformed("attStmt"))?;
    let auth_data = get("authData")
        .and_then(Cbor::as_bytes)
        .ok_or(WebauthnError::Malformed("authData"))?;

    let parsed = AuthData::parse(auth_data, &origins.rp_id, require_uv)?;
    if parsed.flags & FLAG_AT == 0 {
        return Err(WebauthnError::Malformed(
            "authenticatorData has no attested credential",
        ));
    }
    let (id, key) = parsed.attested_credential()?;
    if id != raw_id {
        return Err(WebauthnError::Malformed("credential id differs from rawId"));
    }
    match fmt {
        "none" if statement.is_empty() => {}
        "packed" => {
            let entry = |name: &str| {
                statement
                    .iter()
                    .find(|(k, _)| k.as_text() == Some(name))
                    .map(|(_, v)| v)
            };
            if entry("x5c").is_some() {
                return Err(WebauthnError::Attestation(
                    "packed with a certificate chain",
                ));
            }
            if entry("alg").and_then(|a| a.as_integer()) != Some((-7).into()) {
                return Err(WebauthnError::Attestation(
                    "packed self-attestation must use ES256",
                ));
            }
            let sig = entry("sig")
                .and_then(Cbor::as_bytes)
                .ok_or(WebauthnError::Malformed("attStmt.sig"))?;
            verify_signature(&key, &client.signed_over(auth_data), sig)?;
        }
        "none" => return Err(WebauthnError::Malformed("fmt none with a statement")),
        _ => return Err(WebauthnError::Attestation("format other than none/packed")),
    }
    let prf = credential.pointer("/clientExtensionResults/prf");
    Ok(NewCredential {
        id,
        public_key: key.to_encoded_point(false).as_bytes().to_vec(),
        counter: parsed.counter,
        prf_enabled: prf.is_some_and(|p| {
            p.get("enabled") == Some(&Value::Bool(true)) || p.get("results").is_some()
        }),
    })
}

/// What an accepted assertion does to the stored sign counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterUpdate {
    /// The authenticator counted up: store this value.
    Advanced(u32),
    /// The authenticator reported 0 (it does not count, as synced passkeys and some keys do).
    /// IBEx accepts this; after a non-zero count it is worth a warning, and the stored value
    /// stays, so a later non-zero count must still exceed it.
    NotCounting { after_nonzero: bool },
}

/// Verifies `navigator.credentials.get()` output against the stored key.
pub fn verify_assertion(
    credential: &Value,
    client: &ClientData,
    origins: &OriginPolicy,
    public_key: &[u8],
    stored_counter: u32,
    require_uv: bool,
) -> Result<CounterUpdate, WebauthnError> {
    client.check("webauthn.get", origins)?;
    let auth_data = field(credential, "/response/authenticatorData")?;
    let parsed = AuthData::parse(&auth_data, &origins.rp_id, require_uv)?;
    let key = VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| WebauthnError::Malformed("stored key"))?;
    verify_signature(
        &key,
        &client.signed_over(&auth_data),
        &field(credential, "/response/signature")?,
    )?;
    counter_update(parsed.counter, stored_counter)
}

/// Authenticators that do not count report 0 (even after counting once, e.g. a passkey that
/// became synced); any other value must grow, or the key may be cloned.
fn counter_update(reported: u32, stored: u32) -> Result<CounterUpdate, WebauthnError> {
    match reported {
        0 => Ok(CounterUpdate::NotCounting {
            after_nonzero: stored != 0,
        }),
        n if n > stored => Ok(CounterUpdate::Advanced(n)),
        _ => Err(WebauthnError::Counter),
    }
}

/// The credential id (`rawId`, else `id`) a credential JSON names.
pub fn credential_id(credential: &Value) -> Result<Vec<u8>, WebauthnError> {
    field(credential, "/rawId").or_else(|_| field(credential, "/id"))
}

fn verify_signature(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), WebauthnError> {
    // WebAuthn mandates DER; accept raw r||s too, as some native stacks emit it.
    let signature = Signature::from_der(signature)
        .or_else(|_| Signature::from_slice(signature))
        .map_err(|_| WebauthnError::Signature)?;
    key.verify(message, &signature)
        .map_err(|_| WebauthnError::Signature)
}

fn field(credential: &Value, pointer: &str) -> Result<Vec<u8>, WebauthnError> {
    credential
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(b64::decode)
        .ok_or(WebauthnError::Malformed(
            "missing or non-base64 binary field",
        ))
}

struct AuthData<'a> {
    flags: u8,
    counter: u32,
    rest: &'a [u8],
}

impl<'a> AuthData<'a> {
    fn parse(bytes: &'a [u8], rp_id: &str, require_uv: bool) -> Result<Self, WebauthnError> {
        if bytes.len() < 37 {
            return Err(WebauthnError::Malformed("authenticatorData too short"));
        }
        if bytes[..32] != sha256(&[rp_id.as_bytes()]) {
            return Err(WebauthnError::RpIdHash);
        }
        let flags = bytes[32];
        if flags & FLAG_UP == 0 {
            return Err(WebauthnError::UserPresence);
        }
        if require_uv && flags & FLAG_UV == 0 {
            return Err(WebauthnError::UserVerification);
        }
        Ok(Self {
            flags,
            counter: u32::from_be_bytes(bytes[33..37].try_into().expect("4 bytes")),
            rest: &bytes[37..],
        })
    }

    /// `aaguid(16) || idLen(2) || id || COSE key` → (id, ES256 key).
    fn attested_credential(&self) -> Result<(Vec<u8>, VerifyingKey), WebauthnError> {
        let malformed = WebauthnError::Malformed("attested credential data");
        let len_bytes = self
            .rest
            .get(16..18)
            .ok_or(WebauthnError::Malformed("attested credential data"))?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        let id = self
            .rest
            .get(18..18 + len)
            .ok_or(WebauthnError::Malformed("credential id"))?
            .to_vec();
        let mut cose = &self.rest[18 + len..];
        let key: Cbor =
            ciborium::from_reader(&mut cose).map_err(|_| WebauthnError::Malformed("COSE key"))?;
        let map = key.as_map().ok_or(malformed)?;
        let get = |label: i64| {
            map.iter()
                .find(|(k, _)| k.as_integer() == Some(label.into()))
                .map(|(_, v)| v)
        };
        let int = |label: i64| get(label).and_then(Cbor::as_integer).map(i128::from);
        if int(1) != Some(2) || int(3) != Some(-7) || int(-1) != Some(1) {
            return Err(WebauthnError::Attestation(
                "credential key is not ES256 on P-256",
            ));
        }
        let coord = |label: i64| {
            get(label)
                .and_then(Cbor::as_bytes)
                .filter(|b| b.len() == 32)
        };
        let (x, y) = coord(-2)
            .zip(coord(-3))
            .ok_or(WebauthnError::Malformed("COSE coordinates"))?;
        let mut point = vec![0x04];
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        let key = VerifyingKey::from_sec1_bytes(&point)
            .map_err(|_| WebauthnError::Malformed("COSE point"))?;
        Ok((id, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::{DerSignature, SigningKey};
    use serde_json::json;

    /// A registration as an authenticator with `fmt` would produce it (self-attested if packed).
    fn registration(fmt: &str, signer: &SigningKey, key: &SigningKey) -> Value {
        let id = [9u8; 16];
        let point = key.verifying_key().to_encoded_point(false);
        let cose = Cbor::Map(vec![
            (1.into(), 2.into()),
            (3.into(), (-7).into()),
            ((-1).into(), 1.into()),
            ((-2).into(), Cbor::Bytes(point.x().unwrap().to_vec())),
            ((-3).into(), Cbor::Bytes(point.y().unwrap().to_vec())),
        ]);
        let mut auth_data = sha256(&[b"localhost"]).to_vec();
        auth_data.extend_from_slice(&[FLAG_UP | FLAG_UV | FLAG_AT, 0, 0, 0, 0]);
        auth_data.extend_from_slice(&[0; 16]);
        auth_data.extend_from_slice(&[0, 16]);
        auth_data.extend_from_slice(&id);
        ciborium::into_writer(&cose, &mut auth_data).unwrap();
        let client_data = br#"{"type":"webauthn.create","challenge":"AQID","origin":"http://localhost:5173","crossOrigin":false}"#;
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&sha256(&[client_data]));
        let signature: DerSignature = signer.sign(&signed);
        let statement = match fmt {
            "packed" => vec![
                (Cbor::from("alg"), Cbor::from(-7)),
                (
                    Cbor::from("sig"),
                    Cbor::Bytes(signature.as_bytes().to_vec()),
                ),
            ],
            _ => vec![],
        };
        let mut object = Vec::new();
        let attestation = Cbor::Map(vec![
            (Cbor::from("fmt"), Cbor::from(fmt)),
            (Cbor::from("attStmt"), Cbor::Map(statement)),
            (Cbor::from("authData"), Cbor::Bytes(auth_data)),
        ]);
        ciborium::into_writer(&attestation, &mut object).unwrap();
        json!({ "id": b64::url(&id), "rawId": b64::url(&id), "type": "public-key",
                "response": { "clientDataJSON": b64::url(client_data), "attestationObject": b64::url(&object) } })
    }

    #[test]
    fn packed_self_attestation_is_verified() {
        let policy = OriginPolicy {
            rp_id: "localhost".into(),
            allowed: vec![],
        };
        let key = SigningKey::from_slice(&[5; 32]).unwrap();
        let verify = |credential: Value| {
            let client = ClientData::from_credential(&credential).unwrap();
            verify_registration(&credential, &client, &policy, true).map(|c| c.id)
        };
        assert_eq!(verify(registration("none", &key, &key)), Ok(vec![9; 16]));
        assert_eq!(verify(registration("packed", &key, &key)), Ok(vec![9; 16]));
        let other = SigningKey::from_slice(&[6; 32]).unwrap();
        assert_eq!(
            verify(registration("packed", &other, &key)),
            Err(WebauthnError::Signature)
        );
        assert!(matches!(
            verify(registration("tpm", &key, &key)),
            Err(WebauthnError::Attestation(_))
        ));
    }

    #[test]
    fn a_zero_counter_is_accepted_a_stale_non_zero_one_is_not() {
        assert_eq!(
            counter_update(0, 0),
            Ok(CounterUpdate::NotCounting {
                after_nonzero: false
            })
        );
        assert_eq!(
            counter_update(0, 1),
            Ok(CounterUpdate::NotCounting {
                after_nonzero: true
            })
        );
        assert_eq!(counter_update(2, 1), Ok(CounterUpdate::Advanced(2)));
        assert_eq!(counter_update(1, 0), Ok(CounterUpdate::Advanced(1)));
        assert_eq!(counter_update(1, 1), Err(WebauthnError::Counter));
        assert_eq!(counter_update(3, 5), Err(WebauthnError::Counter));
    }

    #[test]
    fn localhost_origins() {
        let policy = OriginPolicy {
            rp_id: "localhost".into(),
            allowed: vec![],
        };
        for ok in [
            "http://localhost",
            "http://localhost:5173",
            "https://localhost",
            "https://localhost:8443",
        ] {
            assert!(policy.allows(ok), "{ok}");
        }
        for bad in [
            "http://localhost/",
            "http://127.0.0.1:5173",
            "https://evil.localhost",
            "http://localhost:",
            "tauri://localhost",
        ] {
            assert!(!policy.allows(bad), "{bad}");
        }
        let tenant = OriginPolicy {
            rp_id: "foo.domain".into(),
            allowed: vec![],
        };
        assert!(tenant.allows("https://foo.domain"));
        assert!(!tenant.allows("http://foo.domain"));
        let explicit = OriginPolicy {
            rp_id: "foo.domain".into(),
            allowed: vec!["https://tauri.localhost".into()],
        };
        assert!(explicit.allows("https://tauri.localhost"));
        assert!(!explicit.allows("https://foo.domain"));
    }
}
