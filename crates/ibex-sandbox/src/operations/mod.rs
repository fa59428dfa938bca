//! Safe operations: validating each documented operation type into a [`Plan`], the userOpHash,
//! and the clock-driven lifecycle CREATED → SIGNED → EXECUTED → CONFIRMED (or FAILED) that
//! applies plans to the ledger atomically, like a MultiSend.

mod lifecycle;
mod validate;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::clock::iso;
use crate::ids;
use crate::store::{Operation, Safe};

pub use lifecycle::{check_executable, tick};
pub use validate::{bitcoin_prepared, plan};

/// What one item of `operations[]` will do once executed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Plan {
    Transfer {
        token: String,
        to: String,
        amount: u128,
    },
    SignMessage,
    EnableRecovery {
        identity: Value,
    },
    CancelRecovery,
    AddOwner {
        owner: String,
        threshold: u32,
    },
    RemoveOwner {
        owner: String,
        threshold: u32,
    },
    ChangeThreshold {
        threshold: u32,
    },
    AaveSupply {
        token: String,
        amount: u128,
    },
    AaveWithdraw {
        token: String,
        amount: u128,
    },
    Swap {
        sell: String,
        sell_amount: u128,
        buy: String,
        buy_amount: u128,
    },
    CreateIban,
    EnableAutomation {
        config: Value,
    },
    /// Bitcoin / Solana: authorised by the passkey, no EVM effect.
    OffChain,
}
/// keccak256 over the chain, the Safe, its nonce and the canonical JSON of the operations: a
/// stand-in for the ERC-4337 userOpHash with the same property (any change → another hash).
pub fn user_op_hash(chain: u64, safe: &str, nonce: u64, items: &[Value]) -> [u8; 32] {
    let body = ids::canonical_json(&Value::Array(items.to_vec()));
    ids::keccak(&[
        b"ibex-sandbox/userop/v1",
        &chain.to_be_bytes(),
        safe.to_ascii_lowercase().as_bytes(),
        &nonce.to_be_bytes(),
        body.as_bytes(),
    ])
}
/// `GET /v1.2/safes/operations/{userOpHash}/status` (docs/api/operations.md §1.4).
pub fn status_json(op: &Operation, safe: Option<&Safe>) -> Value {
    let kinds: Vec<Value> = op
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| json!({ "index": i, "type": item.get("type") }))
        .collect();
    json!({
        "userOpHash": op.user_op_hash,
        "safeAddress": safe.map_or(op.safe.clone(), |s| s.address.clone()),
        "chainId": op.chain,
        "status": op.status,
        "transactionHash": op.transaction_hash,
        "createdAt": iso(op.created_at),
        "updatedAt": iso(op.updated_at),
        "operations": kinds,
        "error": op.error,
    })
}
