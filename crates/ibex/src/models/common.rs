//! Small types shared by several API groups.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A chain id. IBEx writes it as a number (`421614`) or a numeric string (`"421614"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ChainId(pub u64);

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for ChainId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for ChainId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ChainId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a chain id (number or numeric string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ChainId, E> {
                Ok(ChainId(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ChainId, E> {
                u64::try_from(v).map(ChainId).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ChainId, E> {
                v.parse().map(ChainId).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A per-chain module availability flag: `true`, `false` or `"N/A"` (docs/api/gaps.md G13).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ModuleFlag {
    Enabled,
    #[default]
    Disabled,
    NotAvailable,
}

impl<'de> Deserialize<'de> for ModuleFlag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ModuleFlag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or \"N/A\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ModuleFlag, E> {
                Ok(if v {
                    ModuleFlag::Enabled
                } else {
                    ModuleFlag::Disabled
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ModuleFlag, E> {
                match v {
                    "N/A" => Ok(ModuleFlag::NotAvailable),
                    other => Err(E::unknown_variant(other, &["N/A"])),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for ModuleFlag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ModuleFlag::Enabled => s.serialize_bool(true),
            ModuleFlag::Disabled => s.serialize_bool(false),
            ModuleFlag::NotAvailable => s.serialize_str("N/A"),
        }
    }
}

/// How a signer's account executes: a Safe via ERC-4337, or an EOA delegated via EIP-7702.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum WalletMode {
    #[serde(rename = "SAFE_4337")]
    Safe4337,
    #[serde(rename = "EOA_7702")]
    Eoa7702,
    /// A mode this client does not know (schema placeholders included).
    #[serde(other)]
    Unknown,
}

/// A derived address of a family (`EVM`, `SOLANA`, `BITCOIN_P2WPKH`…); the list of families is
/// open-ended (docs/api/gaps.md G22), so `type` stays text.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct EoaAddress {
    #[serde(rename = "type")]
    pub family: String,
    pub address: String,
}

/// One address added by a derivation call.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DerivedAddress {
    pub family: String,
    pub index: u32,
    pub address: String,
}

/// `{ success?, message? }` — the passthrough acknowledgements (`{}` is valid).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Ack {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A page of rows with the indexer's pagination counters.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub page: Option<u64>,
    #[serde(default)]
    pub limit: Option<u64>,
    #[serde(default)]
    pub total_pages: Option<u64>,
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// Serde helpers for fields where `null` and "absent" mean different things
/// (`fixedAmount: null` clears, absent leaves unchanged; `userHandle: null`).
pub(crate) mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        v: &Option<Option<T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Reads a `GET /v1.2/users/me` section that may arrive compact (HTTP) or wrapped as
/// `{ status, data }` (WebSocket `user_data`, docs/api/gaps.md G12).
pub(crate) mod section {
    use serde::de::{DeserializeOwned, Error};
    use serde::Deserializer;
    use serde_json::Value;

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        let value: Value = serde::Deserialize::deserialize(d)?;
        let inner = match value {
            Value::Object(mut map)
                if map.len() == 2 && map.contains_key("status") && map.contains_key("data") =>
            {
                map.remove("data").unwrap_or(Value::Null)
            }
            other => other,
        };
        if inner.is_null() {
            return Ok(None);
        }
        crate::exact_json::from_value_with_path(inner)
            .map(Some)
            .map_err(|m| D::Error::custom(format!("at `{}`: {}", m.path, m.message)))
    }
}
