//! `POST /{chainId}/rpc`: the JSON-RPC proxy (docs/api/operations.md §10) over the sandbox ledger, for
//! what a wallet reads on-chain and the REST API does not give: a Safe's owners and threshold
//! (`getOwners()`, `getThreshold()`, `isOwner(address)`), EIP-1271 `isValidSignature` of
//! messages the Safe signed, ERC-20 `balanceOf`, `eth_getBalance`, `eth_chainId`,
//! `eth_blockNumber`; Safe's WebAuthn signer factory `getSigner(x, y, verifiers)` (the owner
//! address of a passkey). Other methods answer JSON-RPC error -32601. Solana chains speak
//! Solana's JSON-RPC (`solana.rs`).

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::ids;
use crate::ledger;
use crate::routes::extract::Body;
use crate::signer_factory;
use crate::solana;
use crate::state::Shared;
use crate::store::Store;

const GET_OWNERS: &str = "a0e67e2b";
const GET_THRESHOLD: &str = "e75235b8";
const IS_OWNER: &str = "2f54bf6e";
const IS_VALID_SIGNATURE: &str = "1626ba7e";
const BALANCE_OF: &str = "70a08231";
/// EIP-1271 magic value.
const MAGIC: &str = "1626ba7e";

fn word(value: u128) -> String {
    format!("{value:064x}")
}

fn address_word(address: &str) -> String {
    format!(
        "{:0>64}",
        address.trim_start_matches("0x").to_ascii_lowercase()
    )
}

/// The 20-byte address in ABI word `index` of `args` (hex without selector).
fn arg_address(args: &str, index: usize) -> Option<String> {
    let word = args.get(index * 64..(index + 1) * 64)?;
    Some(format!("0x{}", &word[24..]))
}

pub(crate) fn error(id: &Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn call(store: &Store, chain: u64, to: &str, data: &str) -> Result<String, String> {
    let data = data.trim_start_matches("0x").to_ascii_lowercase();
    let (selector, args) = data.split_at(data.len().min(8));
    if selector == BALANCE_OF {
        let token = ledger::token(chain, to).ok_or("execution reverted: not a token")?;
        let holder = arg_address(args, 0).ok_or("execution reverted: bad argument")?;
        let balance = store
            .safes
            .get(&holder)
            .map_or(0, |s| s.balance(chain, token.address));
        return Ok(word(balance));
    }
    if to.eq_ignore_ascii_case(signer_factory::FACTORY) {
        if selector != signer_factory::GET_SIGNER {
            return Err("execution reverted".into());
        }
        let word = |i: usize| args.get(i * 64..(i + 1) * 64);
        let (Some(x), Some(y), Some(verifiers)) = (word(0), word(1), word(2)) else {
            return Err("execution reverted: bad argument".into());
        };
        return Ok(address_word(&signer_factory::signer(x, y, verifiers)));
    }
    // A Safe that is not deployed has no code: calls return empty data, as on-chain.
    let Some(safe) = store.safes.get(&to.to_ascii_lowercase()) else {
        return Ok(String::new());
    };
    Ok(match selector {
        GET_OWNERS => {
            let mut out = word(32) + &word(safe.owners.len() as u128);
            for owner in &safe.owners {
                out += &address_word(owner);
            }
            out
        }
        GET_THRESHOLD => word(u128::from(safe.threshold)),
        IS_OWNER => {
            let who = arg_address(args, 0).ok_or("execution reverted: bad argument")?;
            word(u128::from(
                safe.owners.iter().any(|o| o.eq_ignore_ascii_case(&who)),
            ))
        }
        IS_VALID_SIGNATURE => {
            let hash = args.get(..64).ok_or("execution reverted: bad argument")?;
            let signed = safe.signed_messages.contains(&format!("0x{hash}"));
            // Safe's CompatibilityFallbackHandler: magic value, or revert "Hash not approved".
            if !signed {
                return Err("execution reverted: Hash not approved".into());
            }
            format!("{MAGIC:0<64}")
        }
        _ => return Err("execution reverted".into()),
    })
}

pub async fn rpc(
    State(state): State<Shared>,
    Path(chain): Path<String>,
    Body(body): Body,
) -> Json<Value> {
    let id = body.get("id").cloned().unwrap_or(Value::Null);
    if let Some(chain) = chain
        .parse::<u64>()
        .ok()
        .filter(|c| solana::CHAINS.contains(c))
    {
        return Json(solana::rpc(&state, chain, &id, &body));
    }
    let Some(chain) = chain
        .parse::<u64>()
        .ok()
        .filter(|c| ledger::chain(*c).is_some())
    else {
        return Json(error(&id, -32602, "unknown chain"));
    };
    let params = body.get("params").cloned().unwrap_or(json!([]));
    let store = state.store();
    let result = match body.get("method").and_then(Value::as_str) {
        Some("eth_chainId") => Ok(json!(format!("0x{chain:x}"))),
        Some("eth_blockNumber") => Ok(json!(format!(
            "0x{:x}",
            10_000_000 + state.now() / 1000 % 1_000_000
        ))),
        Some("eth_getBalance") => {
            let address = params[0].as_str().unwrap_or_default().to_ascii_lowercase();
            let balance = store
                .safes
                .get(&address)
                .map_or(0, |s| s.balance(chain, ledger::NATIVE));
            Ok(json!(format!("0x{balance:x}")))
        }
        Some("eth_call") => {
            let (to, data) = (
                params[0]["to"].as_str().unwrap_or_default(),
                params[0]["data"]
                    .as_str()
                    .or(params[0]["input"].as_str())
                    .unwrap_or_default(),
            );
            if !ids::is_evm_address(to) {
                return Json(error(&id, -32602, "invalid params: to must be an address"));
            }
            call(&store, chain, to, data).map(|hex| json!(format!("0x{hex}")))
        }
        Some(_) => {
            return Json(error(
                &id,
                -32601,
                "the method does not exist / is not available",
            ))
        }
        None => return Json(error(&id, -32600, "invalid request: method is required")),
    };
    Json(match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(message) => error(&id, 3, &message),
    })
}
