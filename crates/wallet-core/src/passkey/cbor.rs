//! The CBOR in passkey answers (attestation objects, COSE keys), through ciborium. Its maps
//! are lists of pairs, so looking a key up is written once, here.

use ciborium::Value;

/// A whole CBOR document: one item and nothing after it.
pub fn decode(bytes: &[u8]) -> Option<Value> {
    let mut rest = bytes;
    let value = ciborium::from_reader(&mut rest).ok()?;
    rest.is_empty().then_some(value)
}

/// The CBOR item at the start of `bytes`; what follows it is left alone (in authenticator
/// data, extensions may follow the credential's COSE key).
pub fn decode_first(bytes: &[u8]) -> Option<Value> {
    ciborium::from_reader(bytes).ok()
}

/// The value under `key` when `map` is a CBOR map that has it.
pub fn get(map: &Value, key: impl Into<Value>) -> Option<&Value> {
    let key = key.into();
    map.as_map()?
        .iter()
        .find_map(|(k, v)| (*k == key).then_some(v))
}

/// Byte string values, e.g. `authData`.
pub fn bytes(map: &Value, key: impl Into<Value>) -> Option<&[u8]> {
    get(map, key)?.as_bytes().map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(value: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(value, &mut out).unwrap();
        out
    }

    #[test]
    fn maps_are_read_by_text_and_integer_keys() {
        let map = Value::Map(vec![
            (Value::from("authData"), Value::from(&[1u8, 2][..])),
            (Value::from(-7), Value::from("es256")),
        ]);
        let encoded = encode(&map);
        let decoded = decode(&encoded).unwrap();
        assert_eq!(bytes(&decoded, "authData"), Some(&[1u8, 2][..]));
        assert_eq!(get(&decoded, -7).and_then(Value::as_text), Some("es256"));
        assert_eq!(get(&decoded, "fmt"), None);
        assert_eq!(get(&Value::from(3), "authData"), None, "not a map");
    }

    #[test]
    fn a_document_is_one_item_but_a_prefix_may_be_followed() {
        let mut encoded = encode(&Value::from(1));
        encoded.push(0x02);
        assert_eq!(decode(&encoded), None, "trailing bytes");
        assert_eq!(decode_first(&encoded), Some(Value::from(1)));
        assert_eq!(decode(b"\xff"), None);
        assert_eq!(decode_first(&[]), None);
    }
}
