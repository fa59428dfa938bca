//! Solana (docs/api/operations.md §9): `SOLANA_*` operations, one per request, authorised by a passkey
//! against the user's EVM Safe; plus the gasless JSON-RPC proxy.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::Request;
use crate::models::operations::{Operation, PrepareRequest, Prepared};
use crate::models::ChainId;
use crate::{Address, Error, Session};

/// A JSON-RPC 2.0 answer of `POST /{chainId}/rpc`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct RpcResponse {
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<Value>,
}

impl Session {
    /// Prepares one `SOLANA_*` operation on a Solana chain; `safe` is the user's EVM Safe,
    /// which IBEx requires even though no EVM transaction is built.
    pub async fn solana(
        &self,
        safe: Address,
        chain: ChainId,
        operation: Operation,
    ) -> Result<Prepared, Error> {
        let solana = matches!(
            operation,
            Operation::SolanaPrepare { .. }
                | Operation::SolanaSign { .. }
                | Operation::SolanaSend { .. }
                | Operation::SolanaConfirm { .. }
                | Operation::SolanaStatus { .. }
        );
        if !solana {
            return Err(Error::Invalid(
                "only SOLANA_* operations go through the Solana call".into(),
            ));
        }
        let mut body = PrepareRequest::new(safe, vec![operation]);
        body.chain_id = Some(chain);
        self.prepare(&body).await
    }

    /// `POST /{chainId}/rpc`: a JSON-RPC call through IBEx (fee-payer sponsoring for
    /// `sendTransaction` on Solana chains).
    pub async fn rpc(
        &self,
        chain: ChainId,
        method: &str,
        params: Value,
    ) -> Result<RpcResponse, Error> {
        let body =
            serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        self.call(Request::post(format!("/{chain}/rpc")).json(&body)?)
            .await
    }
}
