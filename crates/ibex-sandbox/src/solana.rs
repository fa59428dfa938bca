//! Solana's JSON-RPC behind `POST /{chainId}/rpc` on the Solana chains (docs/api/operations.md §9–10:
//! the gasless path posts `sendTransaction` there, so the proxy speaks Solana's JSON-RPC):
//! `getBalance` (lamports; the sandbox gives each derived Solana address a seeded balance, other
//! addresses hold none), `getLatestBlockhash`, `getSlot`. Other methods answer -32601; a
//! `sendTransaction` is refused (-32002) since the sandbox keeps no Solana ledger.

use serde_json::{json, Value};

use crate::ids;
use crate::routes::rpc::error;
use crate::state::AppState;

/// Solana chain ids: the mirror's `900` / `901` and the Solana guide's example `1399811149`.
pub const CHAINS: [u64; 3] = [900, 901, 1_399_811_149];

/// Lamports of `address`: 0.1 to 5 SOL for a derived Solana address, none otherwise.
fn balance(state: &AppState, address: &str) -> u64 {
    let store = state.store();
    if !crate::views::is_derived(&store, &["SOLANA"], address) {
        return 0;
    }
    100_000_000 + ids::seeded_below(store.seed, &format!("lamports|{address}"), 4_900_000_000)
}

fn is_address(text: &str) -> bool {
    bs58::decode(text).into_vec().is_ok_and(|b| b.len() == 32)
}

pub fn rpc(state: &AppState, chain: u64, id: &Value, body: &Value) -> Value {
    let slot = 300_000_000 + state.now() / 400;
    let context = json!({ "slot": slot, "apiVersion": "2.0" });
    let params = body.get("params").cloned().unwrap_or(json!([]));
    let result = match body.get("method").and_then(Value::as_str) {
        Some("getBalance") => {
            let address = params[0].as_str().unwrap_or_default();
            if !is_address(address) {
                return error(id, -32602, "Invalid param: Invalid");
            }
            json!({ "context": context, "value": balance(state, address) })
        }
        Some("getLatestBlockhash") => {
            let hash = ids::base58(&ids::seeded(chain, &format!("blockhash|{}", slot / 150)));
            json!({ "context": context, "value": { "blockhash": hash, "lastValidBlockHeight": slot + 150 } })
        }
        Some("getSlot") => json!(slot),
        Some("sendTransaction") => {
            return error(
                id,
                -32002,
                "Transaction simulation failed: the sandbox keeps no Solana ledger",
            )
        }
        Some(_) => return error(id, -32601, "Method not found"),
        None => return error(id, -32600, "invalid request: method is required"),
    };
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}
