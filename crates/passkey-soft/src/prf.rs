//! The WebAuthn PRF extension as CTAP2 `hmac-secret` computes it.

use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::b64;

/// `HMAC-SHA256(secret, SHA-256("WebAuthn PRF" || 0x00 || input))` (WebAuthn L3 §10.1.4).
pub fn evaluate(secret: &[u8; 32], input: &[u8]) -> [u8; 32] {
    let salt = Sha256::new()
        .chain_update(b"WebAuthn PRF")
        .chain_update([0u8])
        .chain_update(input)
        .finalize();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&salt);
    mac.finalize().into_bytes().into()
}

/// `{first, second?}` results for one `{first, second?}` input object; `None` if it has no
/// decodable `first`.
pub fn results(secret: &[u8; 32], inputs: &Value) -> Option<Value> {
    let mut out = Map::new();
    for name in ["first", "second"] {
        if let Some(input) = inputs.get(name).and_then(Value::as_str) {
            out.insert(
                name.into(),
                json!(b64::encode(&evaluate(secret, &b64::decode(input)?))),
            );
        }
    }
    out.contains_key("first").then_some(Value::Object(out))
}

/// The inputs that apply to one credential: `evalByCredential[<id>]` wins over `eval`.
pub fn inputs_for<'a>(prf: &'a Value, credential_id_b64: &str) -> Option<&'a Value> {
    prf.get("evalByCredential")
        .and_then(Value::as_object)
        .and_then(|by| {
            by.iter()
                .find(|(id, _)| b64::decode(id) == b64::decode(credential_id_b64))
                .map(|(_, v)| v)
        })
        .or_else(|| prf.get("eval"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_secret_and_input() {
        let a = evaluate(&[1; 32], b"salt");
        assert_eq!(a, evaluate(&[1; 32], b"salt"));
        assert_ne!(a, evaluate(&[2; 32], b"salt"));
        assert_ne!(a, evaluate(&[1; 32], b"other"));
    }
}
