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

use serde::de::DeserializeOwned;

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

/// Why a JSON text did not decode into `T`: the JSON path of the value that did not fit
/// (`signers[0].safesCount`, `.` for the root) and serde's message.
#[derive(Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub message: String,
}

/// Decodes `bytes` into `T`; on failure names the JSON path where it failed. The path comes
/// from the error's line and column, read back against the text by [`path_at`], rather than
/// from `serde_path_to_error`, which wraps every visitor of every decoded type (~400 KiB of
/// the release binary, scripts/bench-bundle.sh) to track a path that is only read on failure.
pub fn from_slice_with_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Mismatch> {
    serde_json::from_slice(bytes).map_err(|e| {
        let offset = offset_of(bytes, e.line(), e.column());
        Mismatch {
            path: path_at(bytes, offset),
            message: strip_position(&e.to_string()),
        }
    })
}

/// [`from_slice_with_path`] for a value already parsed (a WebSocket frame's `data`). The value is
/// written out again only to explain a failure.
pub fn from_value_with_path<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Mismatch> {
    let text = serde_json::to_vec(&value).unwrap_or_default();
    serde_json::from_value(value).map_err(|e| {
        from_slice_with_path::<T>(&text).err().unwrap_or(Mismatch {
            path: ".".into(),
            message: e.to_string(),
        })
    })
}

/// serde_json's messages end in " at line L column C"; the path replaces that.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The byte index just past the one serde_json's 1-based line and column point at.
fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    (line_start + column).min(bytes.len())
}

/// The JSON path of the value being read when the parser had consumed `bytes[..offset]`.
/// A closing bracket just consumed still counts as inside its container (serde reports a
/// missing field there, and the path names the object that lacks it).
pub fn path_at(bytes: &[u8], offset: usize) -> String {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut end = offset.min(bytes.len());
    let at_close = end > 0 && matches!(bytes[end - 1], b'}' | b']');
    if at_close {
        end -= 1;
    }
    let text = &bytes[..end];
    let mut stack: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expecting_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expecting_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(_)) => expecting_key = true,
                None => {}
            },
            b':' => expecting_key = false,
            b'"' => {
                let close = string_end(text, i);
                if expecting_key {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        let raw = &text[i + 1..close.saturating_sub(1).max(i + 1)];
                        *key = Some(String::from_utf8_lossy(raw).into_owned());
                    }
                }
                i = close;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    // At a closing bracket the container is complete: no member of it is being read.
    if at_close {
        match stack.last_mut() {
            Some(Frame::Object(key)) => *key = None,
            Some(Frame::Array(_)) => {
                stack.pop();
                stack.push(Frame::Object(None));
            }
            None => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Signer {
        id: String,
        #[serde(rename = "safesCount")]
        safes_count: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct List {
        count: u32,
        signers: Vec<Signer>,
    }

    fn mismatch(body: &str) -> Mismatch {
        from_slice_with_path::<List>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn a_mismatch_names_the_path_of_the_value_that_did_not_fit() {
        let m = mismatch(
            r#"{"count":2,"signers":[{"id":"a","safesCount":1},{"id":"b","safesCount":"two"}]}"#,
        );
        assert_eq!(m.path, "signers[1].safesCount");
        assert!(
            m.message.starts_with("invalid type: string \"two\""),
            "{}",
            m.message
        );
        assert!(!m.message.contains(" at line "), "{}", m.message);
        // Across lines, with keys that contain brackets, commas and escaped quotes.
        let m = mismatch("{\"count\": 1,\n \"x[,\\\"]\": {},\n \"signers\": [\n  {\"id\": 7}]}");
        assert_eq!(m.path, "signers[0].id");
    }

    #[test]
    fn a_missing_field_names_the_object_that_lacks_it() {
        let m = mismatch(r#"{"count":1,"signers":[{"id":"a"}]}"#);
        assert_eq!(m.path, "signers[0]");
        assert_eq!(m.message, "missing field `safesCount`");
        assert_eq!(mismatch(r#"{"signers":[]}"#).path, ".");
        assert_eq!(mismatch(r#"[1]"#).path, ".");
    }

    #[test]
    fn a_parsed_value_is_explained_the_same_way() {
        let v = serde_json::json!({"count": 1, "signers": [{"id": "a", "safesCount": -1}]});
        let m = from_value_with_path::<List>(v).unwrap_err();
        assert_eq!(m.path, "signers[0].safesCount");
        let v = serde_json::json!({"count": 1, "signers": [{"id": "a", "safesCount": 3}]});
        assert_eq!(
            from_value_with_path::<List>(v).unwrap().signers[0].safes_count,
            3
        );
    }

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
