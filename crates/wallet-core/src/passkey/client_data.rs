//! The clientDataJSON a native ceremony signs, built by the core byte for byte as a browser on
//! the tenant's page builds it (passkeys.md §3): `type`, `challenge`, `origin`, `crossOrigin`,
//! in that order, no spaces, the challenge as unpadded base64url, the origin without a
//! trailing slash. No library builds it for us (some write `https://<rpId>/`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::passkey::ceremony::{decode_b64, ClientDataType};

/// The bytes and their SHA-256 (what CTAP2 authenticators take).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientData {
    pub json: Vec<u8>,
    pub hash: [u8; 32],
}

impl ClientData {
    /// For `challenge` as the server sent it (base64url, padding or the standard alphabet
    /// tolerated), on `origin`.
    pub fn build(kind: ClientDataType, challenge: &str, origin: &str) -> Result<Self, AppError> {
        let bytes = decode_b64(challenge)
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::PasskeyChallengeNotBase64))?;
        let json = format!(
            r#"{{"type":{},"challenge":{},"origin":{},"crossOrigin":false}}"#,
            serde_json::Value::from(kind.as_str()),
            serde_json::Value::from(URL_SAFE_NO_PAD.encode(bytes)),
            serde_json::Value::from(origin),
        )
        .into_bytes();
        let hash = Sha256::digest(&json).into();
        Ok(Self { json, hash })
    }

    /// The bytes an OS API built itself (macOS's ASAuthorization takes only the challenge);
    /// the core checks them like any page's (`check_client_data`).
    #[cfg_attr(not(target_os = "macos"), allow(dead_code))] // called by macos.rs; tested here
    pub fn from_os(json: Vec<u8>) -> Self {
        let hash = Sha256::digest(&json).into();
        Self { json, hash }
    }

    pub fn encoded(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_a_browsers() {
        // Chromium 156 on https://wallet.example.test, challenge bytes 0xfb 0xff 0x01.
        let data =
            ClientData::build(ClientDataType::Get, "+/8B", "https://wallet.example.test").unwrap();
        assert_eq!(
            String::from_utf8(data.json.clone()).unwrap(),
            r#"{"type":"webauthn.get","challenge":"-_8B","origin":"https://wallet.example.test","crossOrigin":false}"#
        );
        assert_eq!(data.hash, <[u8; 32]>::from(Sha256::digest(&data.json)));
        let create = ClientData::build(
            ClientDataType::Create,
            "AQID",
            "https://wallet.example.test",
        )
        .unwrap();
        assert!(String::from_utf8(create.json)
            .unwrap()
            .starts_with(r#"{"type":"webauthn.create","challenge":"AQID","#));
    }

    #[test]
    fn a_challenge_that_is_not_base64_is_refused() {
        let e = ClientData::build(ClientDataType::Get, "a$b", "https://x.test").unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
    }
}
