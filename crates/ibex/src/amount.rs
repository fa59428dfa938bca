//! Exact amounts. IBEx sends human-readable decimals (`"1.5"`, sometimes a JSON number) and raw
//! base-unit integers (`"1250000000000000000"`); neither ever goes through `f64` here.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// An exact decimal number kept as its canonical text (`-?digits[.digits]`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Converts to integer base units with `decimals` fraction digits; more fraction digits
    /// than the token has, negatives and overflow are errors (never rounded).
    pub fn to_base_units(&self, decimals: u8) -> Result<u128, Error> {
        if self.0.starts_with('-') {
            return Err(Error::Invalid(format!("amount {} is negative", self.0)));
        }
        let (int, frac) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let frac = frac.trim_end_matches('0');
        if frac.len() > decimals as usize {
            return Err(Error::Invalid(format!(
                "amount {} has more than {decimals} decimals",
                self.0
            )));
        }
        let digits = format!("{int}{frac:0<width$}", width = decimals as usize);
        digits
            .parse::<u128>()
            .map_err(|_| Error::Invalid(format!("amount {} is too large", self.0)))
    }

    /// The decimal text of `units` base units of a token with `decimals` decimals.
    pub fn from_base_units(units: u128, decimals: u8) -> Self {
        let s = format!("{units:0>width$}", width = decimals as usize + 1);
        let (int, frac) = s.split_at(s.len() - decimals as usize);
        let frac = frac.trim_end_matches('0');
        Decimal(if frac.is_empty() {
            int.to_owned()
        } else {
            format!("{int}.{frac}")
        })
    }
}

impl FromStr for Decimal {
    type Err = Error;

    /// Accepts `-?digits[.digits]` only: no exponent, no sign `+`, no empty parts.
    fn from_str(s: &str) -> Result<Self, Error> {
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        let (int, frac) = match unsigned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (unsigned, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if digits(int) && frac.is_none_or(digits) {
            Ok(Decimal(s.to_owned()))
        } else {
            Err(Error::Invalid(format!("`{s}` is not a decimal number")))
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    /// Strings are parsed exactly. JSON numbers (prices, rates, some amounts) are taken from
    /// their integer value or their shortest round-trip text, which is the text the server
    /// wrote for every value with ≤ 15 significant digits; exponent forms are rejected.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal string or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                serde_json::Number::from_f64(v)
                    .ok_or_else(|| E::custom("non-finite number"))?
                    .to_string()
                    .parse()
                    .map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// For the few fields the API documents as JSON numbers (swap `slippage`, Hyperliquid
/// `amount`): serialise the decimal as a number.
pub mod as_number {
    use super::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let n: serde_json::Number = v.as_str().parse().map_err(serde::ser::Error::custom)?;
        n.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        Decimal::deserialize(d)
    }

    /// The same for an optional field.
    pub mod option {
        use super::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            Option::<Decimal>::deserialize(d)
        }
    }
}

/// A raw integer amount in base units (wei, satoshi), sent as a decimal-digit string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct BaseUnits(pub u128);

impl Serialize for BaseUnits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BaseUnits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map(BaseUnits)
            .map_err(|_| de::Error::custom(format!("`{s}` is not an integer amount")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn base_units_are_exact() {
        assert_eq!(
            d("1.5").to_base_units(18).unwrap(),
            1_500_000_000_000_000_000
        );
        assert_eq!(d("0.000001").to_base_units(6).unwrap(), 1);
        assert_eq!(d("10.50").to_base_units(2).unwrap(), 1050);
        assert!(d("0.0000001").to_base_units(6).is_err());
        assert!(d("-1").to_base_units(6).is_err());
        assert_eq!(Decimal::from_base_units(1_250_000, 6).as_str(), "1.25");
        assert_eq!(Decimal::from_base_units(5, 3).as_str(), "0.005");
        assert_eq!(Decimal::from_base_units(7, 0).as_str(), "7");
    }

    #[test]
    fn rejects_non_decimals() {
        for s in ["", "1e5", "+1", ".5", "1.", "1,5", "NaN", "0x10"] {
            assert!(s.parse::<Decimal>().is_err(), "{s}");
        }
    }

    #[test]
    fn numbers_keep_their_text() {
        let v: Decimal = serde_json::from_str("1.1797").unwrap();
        assert_eq!(v.as_str(), "1.1797");
        let v: Decimal = serde_json::from_str("100").unwrap();
        assert_eq!(v.as_str(), "100");
        assert!(serde_json::from_str::<Decimal>("1e-7").is_err());
    }
}
