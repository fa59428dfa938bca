//! Authenticator data, COSE keys and the "none" attestation object (WebAuthn L3 §6.1, §6.5).

use ciborium::Value as Cbor;
use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};

pub const FLAG_UP: u8 = 0x01;
pub const FLAG_UV: u8 = 0x04;
/// Backup eligible / backed up: what synced platform passkeys report.
pub const FLAG_BE: u8 = 0x08;
pub const FLAG_BS: u8 = 0x10;
pub const FLAG_AT: u8 = 0x40;

/// This authenticator's AAGUID (random, fixed, so servers can tell it apart).
pub const AAGUID: [u8; 16] = [
    0x70, 0x61, 0x73, 0x73, 0x6b, 0x65, 0x79, 0x2d, 0x73, 0x6f, 0x66, 0x74, 0x00, 0x00, 0x00, 0x01,
];

/// `rpIdHash || flags || signCount` plus, when `attested` is given, the attested credential data.
pub fn build(
    rp_id: &str,
    flags: u8,
    counter: u32,
    attested: Option<(&[u8], &VerifyingKey)>,
) -> Vec<u8> {
    let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
    data.push(flags | if attested.is_some() { FLAG_AT } else { 0 });
    data.extend_from_slice(&counter.to_be_bytes());
    if let Some((credential_id, key)) = attested {
        data.extend_from_slice(&AAGUID);
        let len = u16::try_from(credential_id.len()).expect("credential ids are short");
        data.extend_from_slice(&len.to_be_bytes());
        data.extend_from_slice(credential_id);
        data.extend_from_slice(&cose_key(key));
    }
    data
}

/// The EC2 / P-256 / ES256 COSE key in CTAP2 canonical key order (1, 3, -1, -2, -3).
pub fn cose_key(key: &VerifyingKey) -> Vec<u8> {
    let point = key.to_encoded_point(false);
    let coord = |c: Option<&p256::FieldBytes>| Cbor::Bytes(c.expect("uncompressed point").to_vec());
    let map = Cbor::Map(vec![
        (Cbor::from(1), Cbor::from(2)),
        (Cbor::from(3), Cbor::from(-7)),
        (Cbor::from(-1), Cbor::from(1)),
        (Cbor::from(-2), coord(point.x())),
        (Cbor::from(-3), coord(point.y())),
    ]);
    to_bytes(&map)
}

/// `{"fmt": "none", "attStmt": {}, "authData": …}`, keys in canonical (length-first) order.
pub fn none_attestation(auth_data: Vec<u8>) -> Vec<u8> {
    to_bytes(&Cbor::Map(vec![
        (Cbor::from("fmt"), Cbor::from("none")),
        (Cbor::from("attStmt"), Cbor::Map(vec![])),
        (Cbor::from("authData"), Cbor::Bytes(auth_data)),
    ]))
}

fn to_bytes(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing CBOR to memory cannot fail");
    out
}
