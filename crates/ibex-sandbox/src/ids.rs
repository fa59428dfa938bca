//! Hashes, addresses and identifiers. Everything the ledger shows is derived from the seed and a
//! label, so the same seed gives the same world.

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use sha3::Keccak256;

pub fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// 32 bytes determined by the seed and a label.
pub fn seeded(seed: u64, label: &str) -> [u8; 32] {
    sha256(&[&seed.to_be_bytes(), label.as_bytes()])
}

/// A number in `0..modulus` determined by the seed and a label.
pub fn seeded_below(seed: u64, label: &str, modulus: u64) -> u64 {
    let bytes = seeded(seed, label);
    u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes")) % modulus.max(1)
}

/// A UUID-shaped (v4 layout) identifier from 16 bytes.
pub fn uuid(bytes: &[u8]) -> String {
    let mut b: [u8; 16] = bytes[..16].try_into().expect("at least 16 bytes");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hex_0x(bytes: &[u8]) -> String {
    format!("0x{}", hex(bytes))
}

pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.strip_prefix("0x").unwrap_or(text);
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// EIP-55 mixed-case checksum encoding of a 20-byte address.
pub fn checksum_address(address: &[u8]) -> String {
    let lower = hex(address);
    let hash = keccak(&[lower.as_bytes()]);
    let mixed: String = lower
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    format!("0x{mixed}")
}

/// The EVM address whose last 20 bytes of keccak the given bytes are.
pub fn address_from(parts: &[&[u8]]) -> String {
    checksum_address(&keccak(parts)[12..])
}

/// `0x` + 40 hex digits, any case.
pub fn is_evm_address(text: &str) -> bool {
    text.len() == 42 && text.starts_with("0x") && text[2..].chars().all(|c| c.is_ascii_hexdigit())
}

pub fn base58(bytes: &[u8]) -> String {
    bs58::encode(bytes).into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_reference_vector() {
        let raw = parse_hex("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").unwrap();
        assert_eq!(
            checksum_address(&raw),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        );
    }

    #[test]
    fn uuid_shape() {
        let id = uuid(&[0xab; 16]);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}

/// JSON with object keys sorted and no whitespace: the byte string signed KDF proofs and hashed
/// operations are computed over.
pub fn canonical_json(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let body: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), canonical_json(v)))
                .collect();
            format!("{{{}}}", body.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(canonical_json)
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod canonical_tests {
    use super::canonical_json;

    #[test]
    fn sorts_keys_recursively() {
        let v = serde_json::json!({"b": 1, "a": {"d": [true, null], "c": "x"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"x","d":[true,null]},"b":1}"#
        );
    }
}
