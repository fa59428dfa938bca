//! Exact numbers from JSON text. `serde_json` hands a JSON number with a fraction or exponent
//! (or an integer beyond 64 bits) to visitors as an `f64`, which cannot hold `0.1` or a
//! 30-digit balance. Before decoding, such numbers are rewritten as JSON strings carrying the
//! server's exact text, which [`crate::Decimal`] parses; integers that fit 64 bits stay
//! numbers for the integer fields. No model field is a float, so nothing else sees a change.
//!
//! (`serde_json`'s `arbitrary_precision` feature would do this inside the parser, but it is
//! workspace-wide through feature unification and turns every number into a map inside
//! serde's buffered content, which breaks `untagged`/`flatten` models and other crates' JSON.)

use std::borrow::Cow;

/// `bytes` with every inexact number quoted; borrowed when there is none. Malformed JSON is
/// passed through as far as it goes, for the parser to report.
pub fn quote_inexact_numbers(bytes: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'-' | b'0'..=b'9' => {
                let end = number_end(bytes, i);
                if needs_quotes(&bytes[i..end]) {
                    let buf = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 16));
                    buf.extend_from_slice(&bytes[copied..i]);
                    buf.push(b'"');
                    buf.extend_from_slice(&bytes[i..end]);
                    buf.push(b'"');
                    copied = end;
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    match out {
        Some(mut buf) => {
            buf.extend_from_slice(&bytes[copied..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(bytes),
    }
}

/// Index just past the string that opens at `start` (or the end of input).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn number_end(bytes: &[u8], start: usize) -> usize {
    let len = bytes[start..]
        .iter()
        .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        .unwrap_or(bytes.len() - start);
    start + len
}

/// A fraction, an exponent, or an integer `serde_json` would not keep exactly.
fn needs_quotes(number: &[u8]) -> bool {
    if number.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return true;
    }
    let text = std::str::from_utf8(number).unwrap_or("");
    text.parse::<u64>().is_err() && text.parse::<i64>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        String::from_utf8(quote_inexact_numbers(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn only_inexact_numbers_outside_strings_are_quoted() {
        assert_eq!(q(r#"{"a":1,"b":-2}"#), r#"{"a":1,"b":-2}"#);
        assert!(matches!(
            quote_inexact_numbers(br#"{"a":1}"#),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            q(r#"{"p":0.1,"big":123456789012345678901234567890,"e":1e5}"#),
            r#"{"p":"0.1","big":"123456789012345678901234567890","e":"1e5"}"#
        );
        assert_eq!(
            q(r#"{"s":"1.5 \" 2.5","n":[2.5, 3]}"#),
            r#"{"s":"1.5 \" 2.5","n":["2.5", 3]}"#
        );
        assert_eq!(q(r#"{"unterminated":"1.5"#), r#"{"unterminated":"1.5"#);
    }

    #[test]
    fn a_json_number_amount_keeps_every_digit() {
        // Through f64 this was 0.30000000000000004 or 1e29-ish; here it is the server's text.
        #[derive(serde::Deserialize)]
        struct Row {
            amount: crate::Decimal,
            balance: crate::Decimal,
        }
        let body =
            br#"{"amount":0.30000000000000001,"balance":123456789012345678901234567.123456789}"#;
        let row: Row = serde_json::from_slice(&quote_inexact_numbers(body)).unwrap();
        assert_eq!(row.amount.as_str(), "0.30000000000000001");
        assert_eq!(
            row.balance.as_str(),
            "123456789012345678901234567.123456789"
        );
    }
}
