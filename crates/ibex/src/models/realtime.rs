//! WebSocket frames (docs/api/realtime.md): `{ type, data, timestamp }` from the server, `auth` /
//! `get_balance` / `get_transactions` from the client.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::account::{Balances, Me, Transactions};
use super::recovery::RecoveryStatus;
use super::ChainId;
use crate::{Address, BaseUnits, Decimal, Secret};

/// A frame the client sends.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ClientMessage {
    /// Must be the first frame, within 30 s of opening.
    Auth {
        token: Secret,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_name: Option<String>,
    },
    GetBalance {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    GetTransactions {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        params: Option<TransactionParams>,
    },
}

#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TransactionParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

/// A frame the server sent, with its envelope timestamp.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(try_from = "RawFrame")]
pub struct ServerFrame {
    pub message: ServerMessage,
    pub timestamp: Option<String>,
}

/// Every documented server message; unknown `type`s are kept by name and ignored (G44).
#[derive(Clone, PartialEq, Debug)]
pub enum ServerMessage {
    AuthSuccess(Connected),
    /// Legacy twin of `auth_success`.
    ConnectionSuccess(Connected),
    AuthError(WsError),
    Error(WsError),
    BalanceData(Box<BalanceData>),
    TransactionData(Box<TransactionData>),
    /// Raw base units (wei), unlike REST amounts (docs/api/gaps.md G29).
    BalanceUpdate(BalanceUpdate),
    NewTransaction(NewTransaction),
    FiatBalanceUpdate(FiatBalanceUpdate),
    FiatTransactionUpdate(FiatTransactionUpdate),
    ChainidData(ChainIds),
    RecoveryData(Box<RecoveryStatus>),
    /// Same sections as `GET /v1.2/users/me`, each wrapped `{ status, data }`.
    UserData(Box<Me>),
    /// Signal only: re-fetch IBANs.
    UserIbanUpdated,
    /// Signal only: re-fetch the KYC status.
    UserKyUpdated,
    Unknown(String),
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    timestamp: Option<String>,
}

impl TryFrom<RawFrame> for ServerFrame {
    type Error = String;

    fn try_from(raw: RawFrame) -> Result<Self, String> {
        fn data<T: DeserializeOwned>(v: Value) -> Result<T, String> {
            crate::exact_json::from_value_with_path(v)
                .map_err(|m| format!("at `data.{}`: {}", m.path, m.message))
        }
        let message = match raw.kind.as_str() {
            "auth_success" => ServerMessage::AuthSuccess(data(raw.data)?),
            "connection_success" => ServerMessage::ConnectionSuccess(data(raw.data)?),
            "auth_error" => ServerMessage::AuthError(data(raw.data)?),
            "error" => ServerMessage::Error(data(raw.data)?),
            "balance_data" => ServerMessage::BalanceData(Box::new(data(raw.data)?)),
            "transaction_data" => ServerMessage::TransactionData(Box::new(data(raw.data)?)),
            "balance_update" => ServerMessage::BalanceUpdate(data(raw.data)?),
            "new_transaction" => ServerMessage::NewTransaction(data(raw.data)?),
            "fiat_balance_update" => ServerMessage::FiatBalanceUpdate(data(raw.data)?),
            "fiat_transaction_update" => ServerMessage::FiatTransactionUpdate(data(raw.data)?),
            "chainid_data" => ServerMessage::ChainidData(data(raw.data)?),
            "recovery_data" => ServerMessage::RecoveryData(Box::new(data(raw.data)?)),
            "user_data" => ServerMessage::UserData(Box::new(data(raw.data)?)),
            "user_iban_updated" => ServerMessage::UserIbanUpdated,
            "user_ky_updated" => ServerMessage::UserKyUpdated,
            _ => ServerMessage::Unknown(raw.kind),
        };
        Ok(ServerFrame {
            message,
            timestamp: raw.timestamp,
        })
    }
}

#[derive(Default, Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Connected {
    pub safe_address: Option<Address>,
    pub message: Option<String>,
}

/// `auth_error` / `error` payload.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WsError {
    pub message: String,
    #[serde(default, rename = "error_code")]
    pub error_code: Option<String>,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub existing_connection_id: Option<String>,
    #[serde(default)]
    pub error: Option<Value>,
}

/// `balance_data`: `mode: "initial"` carries `balance`; `mode: "request"` the REST payload.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceData {
    pub mode: String,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub balance: Option<Balances>,
    #[serde(flatten)]
    pub snapshot: Balances,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionData {
    pub mode: String,
    #[serde(default)]
    pub safe_address: Option<Address>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub transactions: Option<Transactions>,
    #[serde(flatten)]
    pub snapshot: Transactions,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
pub struct BalanceUpdate {
    pub address: Address,
    pub balance: BaseUnits,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTransaction {
    pub address: Address,
    pub new_transaction: WsTransaction,
    #[serde(default)]
    pub recent_transactions: Vec<WsTransaction>,
    #[serde(default)]
    pub transaction_count: Option<u64>,
    #[serde(default)]
    pub history_limit: Option<u64>,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WsTransaction {
    pub hash: String,
    #[serde(default)]
    pub block_number: Option<u64>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub from: Option<Address>,
    #[serde(default)]
    pub to: Option<Address>,
    #[serde(default)]
    pub token_address: Option<Address>,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub token_symbol: Option<String>,
    /// Human decimal.
    #[serde(default)]
    pub value: Option<Decimal>,
    #[serde(default)]
    pub direction: Option<super::account::Direction>,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FiatBalanceUpdate {
    pub iban: String,
    pub balance: Decimal,
    pub currency: String,
    #[serde(default, rename = "updated_at")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub external_user_id: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FiatTransactionUpdate {
    pub iban: String,
    pub transaction_id: String,
    pub event: String,
    pub status: String,
    #[serde(default)]
    pub previous_status: Option<String>,
    pub amount: Decimal,
    pub currency: String,
    #[serde(default)]
    pub external_user_id: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainIds {
    pub default_chain_id: ChainId,
    #[serde(default)]
    pub supported_chain_ids: Vec<ChainId>,
}
