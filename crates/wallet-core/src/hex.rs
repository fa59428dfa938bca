//! Lower-case hex without `0x` (keys in the keychain, proofs), read with or without `0x`.

pub(crate) fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `None` unless every pair is a hex byte.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let hex = text.strip_prefix("0x").unwrap_or(text);
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
