//! HS256 JWTs with the claims IBEx documents: `iss` = `aud` = rpId, `sub` = externalUserId,
//! `sid` = signer id, `roles`. `jti` is a per-sandbox sequence number, which lets the
//! forced-expiry fault revoke "every access token issued so far".

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::b64;
use crate::clock::Millis;

pub const ACCESS_TTL_S: i64 = 3600;
pub const REFRESH_TTL_S: i64 = 24 * 3600;
pub const SAFE_PROVISION_TTL_S: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Access,
    Refresh,
    /// The short-lived, single-use grant for an extra Safe (docs/api/auth.md §9).
    #[serde(rename = "safe_provision")]
    SafeProvision,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub roles: Vec<String>,
    pub iat: i64,
    pub exp: i64,
    pub jti: u64,
    pub typ: Kind,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("malformed token")]
    Malformed,
    #[error("bad token signature")]
    Signature,
    #[error("token expired")]
    Expired,
    #[error("wrong token type")]
    WrongType,
    #[error("token issuer does not match the rpId")]
    Issuer,
}

/// The HMAC key. Its bytes never appear in Debug output.
#[derive(Clone)]
pub struct Key(pub [u8; 32]);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    pub fn sign(&self, claims: &Claims) -> String {
        let header = b64::url(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = b64::url(&serde_json::to_vec(claims).expect("claims serialise"));
        let signing_input = format!("{header}.{payload}");
        let signature = b64::url(&self.mac(signing_input.as_bytes()));
        format!("{signing_input}.{signature}")
    }

    /// Checks signature, type, issuer and expiry at `now`.
    pub fn verify(
        &self,
        token: &str,
        kind: Kind,
        rp_id: &str,
        now: Millis,
    ) -> Result<Claims, JwtError> {
        let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
        let (_, payload) = signing_input.split_once('.').ok_or(JwtError::Malformed)?;
        let signature = b64::decode(signature).ok_or(JwtError::Malformed)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| JwtError::Signature)?;
        let claims: Claims = b64::decode(payload)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(JwtError::Malformed)?;
        if claims.typ != kind {
            return Err(JwtError::WrongType);
        }
        if claims.iss != rp_id {
            return Err(JwtError::Issuer);
        }
        if claims.exp * 1000 <= now {
            return Err(JwtError::Expired);
        }
        Ok(claims)
    }

    fn mac(&self, input: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: "localhost".into(),
            aud: "localhost".into(),
            sub: "user".into(),
            sid: "signer".into(),
            roles: vec!["USER".into()],
            iat: 0,
            exp,
            jti: 1,
            typ: Kind::Access,
        }
    }

    #[test]
    fn verifies_and_rejects() {
        let key = Key([7; 32]);
        let token = key.sign(&claims(100));
        assert!(key
            .verify(&token, Kind::Access, "localhost", 99_000)
            .is_ok());
        assert_eq!(
            key.verify(&token, Kind::Access, "localhost", 100_000)
                .unwrap_err(),
            JwtError::Expired
        );
        assert_eq!(
            key.verify(&token, Kind::Refresh, "localhost", 0)
                .unwrap_err(),
            JwtError::WrongType
        );
        assert_eq!(
            key.verify(&token, Kind::Access, "other", 0).unwrap_err(),
            JwtError::Issuer
        );
        assert_eq!(
            Key([8; 32])
                .verify(&token, Kind::Access, "localhost", 0)
                .unwrap_err(),
            JwtError::Signature
        );
        assert_eq!(format!("{key:?}"), "Key(<redacted>)");
    }
}
