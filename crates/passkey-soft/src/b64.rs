//! Base64 as WebAuthn JSON uses it: base64url without padding on output, anything on input.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Accepts base64url or standard base64, padded or not: servers and libraries send all four.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalized).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_alphabet_and_padding() {
        let bytes = [0xfb, 0xff, 0xbe];
        for text in ["-_--", "+/++"] {
            assert_eq!(decode(text).as_deref(), Some(&bytes[..]));
        }
        assert_eq!(decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(decode("YQ").as_deref(), Some(&b"a"[..]));
        assert_eq!(encode(b"a"), "YQ");
        assert!(decode("not base64!").is_none());
    }
}
