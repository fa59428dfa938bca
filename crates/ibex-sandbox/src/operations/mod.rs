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

pub use lifecycle::{check_executable, route_status, tick};
pub use validate::plan;

/// What one item of `operations[]` will do once executed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Plan {
    Transfer {
        token: String,
        to: String,
        amount: u128,
    },
    SignMessage {
        /// EIP-191 hash of the message, recorded on the Safe once executed.
        #[serde(default)]
        hash: String,
    },
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
    /// Aave supply or Morpho deposit: assets in, vault shares out.
    VaultDeposit {
        vault: String,
        amount: u128,
    },
    /// Aave or Morpho withdrawal of exactly `amount` assets, or of all of `shares`.
    VaultWithdraw {
        vault: String,
        amount: Option<u128>,
        shares: Option<u128>,
    },
    /// USDC from the Safe to its Hyperliquid account (the bridge).
    HyperliquidDeposit {
        amount: u128,
    },
    /// Hyperliquid account → HLP vault.
    HyperliquidEnterVault {
        amount: u128,
    },
    /// HLP vault → Hyperliquid account.
    HyperliquidWithdrawVault {
        amount: u128,
    },
    /// Hyperliquid account → `to` on the bridge's chain.
    HyperliquidWithdraw {
        to: String,
        amount: u128,
    },
    Swap {
        sell: String,
        sell_amount: u128,
        buy: String,
        /// What the quote promised.
        buy_amount: u128,
        /// The least the order accepts (the quote less the slippage); 0 = `buy_amount`.
        #[serde(default)]
        min_out: u128,
        #[serde(default = "cow")]
        aggregator: crate::market::Aggregator,
    },
    /// `ROUTE_FROM_QUOTE`: the source leg of a route-engine quote.
    Route {
        route_id: String,
    },
    CreateIban,
    EnableAutomation {
        config: Value,
    },
    /// Bitcoin / Solana: authorised by the passkey, no EVM effect.
    OffChain,
}
fn cow() -> crate::market::Aggregator {
    crate::market::Aggregator::CowSwap
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
