//! Bitcoin endpoints (docs/api/operations.md §8). Amounts are satoshis; the server never signs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Decimal;

/// `network=` of the Bitcoin calls.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Mainnet,
    Testnet,
}

impl Network {
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Mainnet => "mainnet",
            Network::Testnet => "testnet",
        }
    }
}

/// `GET /v1.2/safes/bitcoin/info`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct BitcoinInfo {
    pub network: Network,
    #[serde(default)]
    pub rpc: Value,
}

/// `GET /v1.2/safes/bitcoin/fees` (sat/vB for 1, 6, 12 blocks).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BitcoinFees {
    pub fee_rate_sat_vb: FeeRates,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct FeeRates {
    pub fast: Decimal,
    pub standard: Decimal,
    pub slow: Decimal,
}

/// `GET /v1.2/safes/bitcoin/utxos`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Utxos {
    pub address: String,
    #[serde(default)]
    pub network: Option<Network>,
    pub utxos: Vec<Utxo>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Utxo {
    pub txid: String,
    pub vout: u32,
    /// Satoshis.
    pub value: u64,
    #[serde(default)]
    pub script_pub_key: Option<String>,
}

/// `POST /v1.2/safes/bitcoin/send/prepare` body and the `BITCOIN_SEND` operation fields.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BitcoinSend {
    pub from: String,
    pub to: String,
    /// Required unless `send_all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_sat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_all: Option<bool>,
    /// `slow`, `standard` (default) or `fast`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_fee_sponsor: Option<bool>,
}

/// What `send/prepare` (and `BITCOIN_SEND`'s `prepared`) planned.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPlan {
    pub from: String,
    pub to: String,
    pub amount_sat: u64,
    pub fee_sat: u64,
    #[serde(default)]
    pub inputs_used: Value,
    #[serde(default)]
    pub outputs: Value,
    #[serde(default)]
    pub change: Value,
    #[serde(default)]
    pub network: Option<Network>,
    #[serde(default)]
    pub external_fee_sponsor: Option<bool>,
    #[serde(default)]
    pub sponsor_shortfall_sat: Option<u64>,
}

/// `POST /v1.2/safes/bitcoin/tx/broadcast` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BroadcastRequest {
    /// Signed transaction hex.
    pub rawtx: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
}

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Broadcast {
    pub txid: String,
}
