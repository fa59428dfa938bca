//! The sandbox's WebAuthn verifier (the stand-in for IBEx's): clientDataJSON, CBOR attestation
//! objects and authenticatorData. The first byte picks which part the fuzzer writes; the
//! others are valid, so the parser under test is reached rather than an earlier check.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ibex_sandbox::webauthn::{
    credential_id, verify_assertion, verify_registration, ClientData, OriginPolicy,
};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fn client_data(kind: &str) -> Vec<u8> {
    json!({ "type": kind, "challenge": "AQID", "origin": "http://localhost:5173" })
        .to_string()
        .into_bytes()
}

fn credential(client: &[u8], attestation: &[u8], auth_data: &[u8]) -> serde_json::Value {
    let b = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    json!({
        "id": "AQ", "rawId": "AQ", "type": "public-key",
        "response": {
            "clientDataJSON": b(client),
            "attestationObject": b(attestation),
            "authenticatorData": b(auth_data),
            "signature": b(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]),
        }
    })
}

/// A valid SEC1 P-256 point (the generator), so assertions get past the key.
const KEY: [u8; 65] = [
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4,
    0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8,
    0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a,
    0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40,
    0x68, 0x37, 0xbf, 0x51, 0xf5,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let origins = OriginPolicy {
        rp_id: "localhost".into(),
        allowed: Vec::new(),
    };
    let (cred, kind) = match pick % 3 {
        0 => (credential(bytes, &[], &[]), None),
        1 => (credential(&client_data("webauthn.create"), bytes, &[]), Some(true)),
        _ => (credential(&client_data("webauthn.get"), &[], bytes), Some(false)),
    };
    let _ = credential_id(&cred);
    let Ok(client) = ClientData::from_credential(&cred) else {
        return;
    };
    match kind {
        Some(true) | None => {
            let _ = verify_registration(&cred, &client, &origins, pick & 0x80 != 0);
        }
        Some(false) => {
            let _ = verify_assertion(&cred, &client, &origins, &KEY, 0, pick & 0x80 != 0);
        }
    }
});
