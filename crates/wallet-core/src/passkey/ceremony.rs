//! Checks on a ceremony's result before anything is sent: the credential must answer the
//! challenge this core handed out, for the right ceremony type.

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;
use serde::Deserialize;

use crate::error::AppError;
use crate::messages::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientDataType {
    Create,
    Get,
}

impl ClientDataType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Create => "webauthn.create",
            Self::Get => "webauthn.get",
        }
    }
}

/// Decodes base64url, tolerating padding and the standard alphabet (docs/api/auth.md §3.3, gaps G34).
pub(crate) fn decode_b64(value: &str) -> Option<Vec<u8>> {
    let trimmed = value.trim().trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
        .ok()
}

#[derive(Deserialize)]
struct ClientData {
    #[serde(rename = "type")]
    kind: String,
    challenge: String,
    #[serde(default)]
    origin: String,
}

/// `credential.response.clientDataJSON` must name `expected`, carry `challenge` and, for a
/// provider the core ran (which knows its page), come from exactly `origin`. Returns the
/// origin the passkey signed for.
pub(crate) fn check_client_data(
    credential: &serde_json::Value,
    expected: ClientDataType,
    challenge: &str,
    origin: Option<&str>,
) -> Result<String, AppError> {
    let encoded = credential
        .pointer("/response/clientDataJSON")
        .and_then(|v| v.as_str())
        .ok_or_else(|| AppError::validation(Msg::NoClientData))?;
    let bytes =
        decode_b64(encoded).ok_or_else(|| AppError::validation(Msg::ClientDataNotBase64))?;
    let data: ClientData = serde_json::from_slice(&bytes).map_err(|e| {
        AppError::validation(Msg::ClientDataUnreadable {
            error: e.to_string(),
        })
    })?;
    if data.kind != expected.as_str() {
        return Err(AppError::validation(Msg::WrongCeremony {
            got: data.kind,
            expected: expected.as_str().to_owned(),
        }));
    }
    let same = matches!((decode_b64(&data.challenge), decode_b64(challenge)), (Some(a), Some(b)) if a == b);
    if !same {
        return Err(AppError::validation(Msg::OtherChallenge));
    }
    if let Some(origin) = origin.filter(|o| *o != data.origin) {
        return Err(AppError::validation(Msg::OtherOrigin {
            got: if data.origin.is_empty() {
                "(none)".to_owned()
            } else {
                data.origin
            },
            origin: origin.to_owned(),
        }));
    }
    Ok(data.origin)
}

/// An unguessable identifier for a pending ceremony.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credential(client_data: &str) -> serde_json::Value {
        json!({"id": "AQ", "rawId": "AQ", "type": "public-key",
               "response": {"clientDataJSON": URL_SAFE_NO_PAD.encode(client_data)}})
    }

    #[test]
    fn accepts_the_challenge_it_issued_in_any_base64_form() {
        let c = credential(
            r#"{"type":"webauthn.get","challenge":"_-8","origin":"http://localhost:1","crossOrigin":false}"#,
        );
        assert!(check_client_data(&c, ClientDataType::Get, "_-8", None).is_ok());
        assert!(check_client_data(&c, ClientDataType::Get, "/+8=", None).is_ok());
        assert!(
            check_client_data(&c, ClientDataType::Get, "_-8", Some("http://localhost:1")).is_ok()
        );
        let e = check_client_data(&c, ClientDataType::Get, "_-8", Some("http://localhost:2"))
            .unwrap_err();
        assert!(e
            .message
            .contains("page http://localhost:1, not for http://localhost:2"));
    }

    #[test]
    fn rejects_wrong_challenge_type_or_shape_specifically() {
        let c = credential(r#"{"type":"webauthn.get","challenge":"AAAA"}"#);
        let e = check_client_data(&c, ClientDataType::Get, "AAAB", None).unwrap_err();
        assert!(e.message.contains("different challenge"));
        let e = check_client_data(&c, ClientDataType::Create, "AAAA", None).unwrap_err();
        assert!(e.message.contains("expected webauthn.create"));
        let e = check_client_data(&json!({}), ClientDataType::Get, "AAAA", None).unwrap_err();
        assert!(e.message.contains("clientDataJSON"));
        let e = check_client_data(&credential("not json"), ClientDataType::Get, "AAAA", None)
            .unwrap_err();
        assert!(e.message.contains("unreadable"));
    }

    #[test]
    fn decode_is_tolerant_but_not_lax() {
        assert_eq!(decode_b64("AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode_b64("AQI=").unwrap(), vec![1, 2]);
        assert_eq!(decode_b64("+/8").unwrap(), vec![0xfb, 0xff]);
        assert!(decode_b64("a$b").is_none());
    }
}
