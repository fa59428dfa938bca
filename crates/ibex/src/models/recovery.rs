//! Recovery status (`/v1.2/recovery/status/{safe}`, `/v1.1` in the guide) and module flags.

use serde::{Deserialize, Serialize};

use crate::Address;

/// Recovery state of a Safe; also the WebSocket `recovery_data` payload (without history).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryStatus {
    pub safe_address: Address,
    pub recovery_enabled: bool,
    /// Guardian (guide) or module (mirror) address (docs/api/gaps.md G11).
    #[serde(default)]
    pub recovery_address: Option<Address>,
    /// Seconds; `null` when disabled.
    #[serde(default)]
    pub delay: Option<u64>,
    #[serde(default)]
    pub pending_recovery: bool,
    /// Informational: documented as currently always false.
    #[serde(default)]
    pub can_execute: bool,
    /// ISO time when the recovery becomes executable — the deadline the wallet warns about.
    #[serde(default)]
    pub execute_after: Option<String>,
    #[serde(default)]
    pub data_recovery: Option<bool>,
    #[serde(default)]
    pub pending: Vec<RecoveryOperation>,
    #[serde(default)]
    pub executed: Vec<RecoveryOperation>,
    #[serde(default)]
    pub user_op_hash: Option<String>,
    #[serde(default)]
    pub transaction_hash: Option<String>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryOperation {
    pub user_op_hash: String,
    pub status: super::operations::OperationStatus,
    #[serde(default)]
    pub transaction_hash: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// The recovery module on one chain of a wallet (`/users/me/address`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryModule {
    pub enabled: bool,
    #[serde(default)]
    pub module_address: Option<Address>,
}
