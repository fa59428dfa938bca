//! The authenticator's output checked the way a relying party checks it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use passkey_soft::{prf_evaluate, Authenticator, Error};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ORIGIN: &str = "http://localhost:8787";

fn bytes(value: &Value, pointer: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(value.pointer(pointer).and_then(Value::as_str).unwrap())
        .unwrap()
}

fn creation_options() -> Value {
    // As IBEx sends it: wrapped in credentialRequestOptions, challenge with padding and `+/`.
    json!({"credentialRequestOptions": {
        "rp": {"id": "localhost", "name": "localhost"},
        "user": {"id": "dXNlci0x", "name": "jane", "displayName": "Jane"},
        "challenge": "+/+/AAECAwQFBgcICQoLDA0ODw==",
        "pubKeyCredParams": [{"alg": -7, "type": "public-key"}],
        "authenticatorSelection": {"residentKey": "preferred", "userVerification": "preferred"},
        "attestation": "none",
        "excludeCredentials": [],
        "timeout": 60000,
        "extensions": {"prf": {"eval": {"first": "c2FsdA"}}}
    }, "emailValidationRequired": false})
}

fn request_options(challenge: &str) -> Value {
    json!({"credentialRequestOptions": {
        "challenge": challenge, "rpId": "localhost", "userVerification": "required",
        "timeout": 60000, "allowCredentials": [],
        "extensions": {"prf": {"eval": {"first": "c2FsdA", "second": "b3RoZXI"}}}
    }})
}

#[test]
fn registration_then_assertion_verify_like_a_server() {
    let authenticator = Authenticator::new();
    let reg = authenticator.create(&creation_options(), ORIGIN).unwrap();
    assert_eq!(reg["id"], reg["rawId"]);
    assert_eq!(reg["type"], "public-key");
    assert_eq!(
        String::from_utf8(bytes(&reg, "/response/clientDataJSON")).unwrap(),
        r#"{"type":"webauthn.create","challenge":"-_-_AAECAwQFBgcICQoLDA0ODw","origin":"http://localhost:8787","crossOrigin":false}"#
    );

    let attestation: ciborium::Value =
        ciborium::from_reader(&bytes(&reg, "/response/attestationObject")[..]).unwrap();
    let map = attestation.as_map().unwrap();
    assert_eq!(map[0].0.as_text(), Some("fmt"));
    assert_eq!(map[0].1.as_text(), Some("none"));
    let auth_data = map[2].1.as_bytes().unwrap().clone();
    assert_eq!(auth_data[..32], Sha256::digest(b"localhost")[..]);
    assert_eq!(auth_data[32] & 0x45, 0x45, "UP, UV and AT set");
    assert_eq!(auth_data[33..37], [0, 0, 0, 0]);
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    assert_eq!(auth_data[55..55 + id_len], bytes(&reg, "/rawId")[..]);
    assert_eq!(reg["clientExtensionResults"]["prf"]["enabled"], true);

    let key = VerifyingKey::from_public_key_der(&bytes(&reg, "/response/publicKey")).unwrap();
    let mut counters = Vec::new();
    let mut prf_outputs = Vec::new();
    for challenge in ["AAAA", "AQID"] {
        let assertion = authenticator
            .get(&request_options(challenge), ORIGIN)
            .unwrap();
        assert_eq!(assertion["id"], reg["id"]);
        assert_eq!(bytes(&assertion, "/response/userHandle"), b"user-1");
        let client_data = bytes(&assertion, "/response/clientDataJSON");
        assert_eq!(
            String::from_utf8(client_data.clone()).unwrap(),
            format!(
                r#"{{"type":"webauthn.get","challenge":"{challenge}","origin":"{ORIGIN}","crossOrigin":false}}"#
            )
        );
        let auth_data = bytes(&assertion, "/response/authenticatorData");
        assert_eq!(auth_data.len(), 37);
        counters.push(u32::from_be_bytes(auth_data[33..37].try_into().unwrap()));
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature =
            DerSignature::try_from(&bytes(&assertion, "/response/signature")[..]).unwrap();
        key.verify(&signed, &signature).unwrap();
        let first = bytes(&assertion, "/clientExtensionResults/prf/results/first");
        let second = bytes(&assertion, "/clientExtensionResults/prf/results/second");
        assert_ne!(first, second);
        prf_outputs.push(first);
    }
    assert_eq!(counters, [1, 2]);
    assert_eq!(
        prf_outputs[0], prf_outputs[1],
        "PRF is deterministic per credential and salt"
    );
    assert_eq!(
        bytes(&reg, "/clientExtensionResults/prf/results/first"),
        prf_outputs[0],
        "create and get agree"
    );
    assert_ne!(prf_outputs[0], prf_evaluate(&[0; 32], b"salt"));
}

#[test]
fn eval_by_credential_wins_over_eval() {
    let authenticator = Authenticator::new();
    let reg = authenticator.create(&creation_options(), ORIGIN).unwrap();
    let id = reg["id"].as_str().unwrap();
    let plain = authenticator.get(&request_options("AAAA"), ORIGIN).unwrap();
    let mut by_credential = request_options("AAAA");
    by_credential["credentialRequestOptions"]["extensions"]["prf"]["evalByCredential"] =
        json!({ id: {"first": "b3RoZXI"} });
    let targeted = authenticator.get(&by_credential, ORIGIN).unwrap();
    assert_eq!(
        targeted["clientExtensionResults"]["prf"]["results"]["first"],
        plain["clientExtensionResults"]["prf"]["results"]["second"]
    );
}

#[test]
fn refuses_what_a_browser_refuses() {
    let authenticator = Authenticator::new();
    assert!(matches!(
        authenticator.create(&creation_options(), "https://evil.example"),
        Err(Error::Security(_))
    ));
    assert!(matches!(
        authenticator.create(&creation_options(), "http://127.0.0.1:8787"),
        Err(Error::Security(_))
    ));
    assert!(matches!(
        authenticator.get(&request_options("AAAA"), ORIGIN),
        Err(Error::NotAllowed(_))
    ));
    let reg = authenticator.create(&creation_options(), ORIGIN).unwrap();
    let mut again = creation_options();
    again["credentialRequestOptions"]["excludeCredentials"] =
        json!([{"id": reg["id"], "type": "public-key"}]);
    assert_eq!(
        authenticator.create(&again, ORIGIN),
        Err(Error::InvalidState)
    );
    let mut rsa_only = creation_options();
    rsa_only["credentialRequestOptions"]["pubKeyCredParams"] =
        json!([{"alg": -257, "type": "public-key"}]);
    assert!(matches!(
        authenticator.create(&rsa_only, ORIGIN),
        Err(Error::NotSupported(_))
    ));
    let mut other = request_options("AAAA");
    other["credentialRequestOptions"]["allowCredentials"] =
        json!([{"id": "AAAA", "type": "public-key"}]);
    assert!(matches!(
        authenticator.get(&other, ORIGIN),
        Err(Error::NotAllowed(_))
    ));
    assert_eq!(
        authenticator.credential_ids("localhost"),
        vec![reg["id"].as_str().unwrap().to_owned()]
    );
    assert!(authenticator
        .get(&request_options("AAAA"), "https://localhost")
        .is_ok());
}
