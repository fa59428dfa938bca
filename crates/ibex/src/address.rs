//! EVM addresses: `0x` + 40 hex digits, EIP-55 checksum verified when the input is mixed-case.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha3::{Digest, Keccak256};

use crate::Error;

/// A validated 20-byte EVM address. Displays and serialises in EIP-55 checksum form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address([u8; 20]);

impl Address {
    /// The zero address, which IBEx uses as the native-coin sentinel in `TRANSFER_TOKEN`.
    pub const ZERO: Address = Address([0; 20]);

    pub fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The EIP-55 checksummed text form.
    pub fn to_checksum(&self) -> String {
        let lower: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        let hash = Keccak256::digest(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            out.push(if c.is_ascii_alphabetic() && nibble >= 8 {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        out
    }
}

impl FromStr for Address {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let hex = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or_else(|| Error::Invalid(format!("address `{s}` must start with 0x")))?;
        if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Invalid(format!(
                "address `{s}` must be 0x followed by 40 hex digits"
            )));
        }
        let mut bytes = [0u8; 20];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|e| Error::Invalid(format!("address `{s}`: {e}")))?;
        }
        let address = Address(bytes);
        // All-lower or all-upper carries no checksum; mixed case must be exact EIP-55.
        let mixed = hex.bytes().any(|b| b.is_ascii_lowercase())
            && hex.bytes().any(|b| b.is_ascii_uppercase());
        if mixed && address.to_checksum()[2..] != *hex {
            return Err(Error::Invalid(format!(
                "address `{s}` has an invalid EIP-55 checksum"
            )));
        }
        Ok(address)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksum())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_checksum())
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A recipient or token on any chain the operations accept: an EVM [`Address`] when the text
/// starts with `0x` (validated), otherwise a base58 account (Solana `TRANSFER_TOKEN`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ChainAddress {
    Evm(Address),
    Base58(String),
}

impl FromStr for ChainAddress {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        if s.starts_with("0x") || s.starts_with("0X") {
            return s.parse().map(ChainAddress::Evm);
        }
        const ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        if (32..=44).contains(&s.len()) && s.chars().all(|c| ALPHABET.contains(c)) {
            Ok(ChainAddress::Base58(s.to_owned()))
        } else {
            Err(Error::Invalid(format!(
                "`{s}` is neither an EVM nor a base58 address"
            )))
        }
    }
}

impl From<Address> for ChainAddress {
    fn from(a: Address) -> Self {
        ChainAddress::Evm(a)
    }
}

impl fmt::Display for ChainAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainAddress::Evm(a) => a.fmt(f),
            ChainAddress::Base58(s) => f.write_str(s),
        }
    }
}

impl Serialize for ChainAddress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChainAddress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_vectors_round_trip() {
        // Vectors from the EIP-55 specification.
        for s in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let a: Address = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
    }

    #[test]
    fn case_rules() {
        let lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
        let upper = "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED";
        assert_eq!(lower.parse::<Address>().unwrap(), upper.parse().unwrap());
        let bad = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
        assert!(bad.parse::<Address>().is_err());
        for s in [
            "",
            "0x",
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "0x12",
            "0x....",
        ] {
            assert!(s.parse::<Address>().is_err(), "{s}");
        }
    }

    #[test]
    fn chain_address_accepts_base58_and_rejects_bad_evm() {
        assert!(matches!(
            "So11111111111111111111111111111111111111112".parse(),
            Ok(ChainAddress::Base58(_))
        ));
        assert!("0xNotHex".parse::<ChainAddress>().is_err());
        assert!("0OIl-bad".parse::<ChainAddress>().is_err());
    }
}
