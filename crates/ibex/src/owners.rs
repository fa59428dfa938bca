//! A Safe's owners and threshold, whether it signed a message, and the owner address of a
//! passkey: read on-chain through the JSON-RPC proxy (`POST /{chainId}/rpc`, `eth_call`), since
//! no REST route lists owners.

use serde_json::json;

use crate::models::ChainId;
use crate::{Address, Error, Session};

/// `getOwners()`, `getThreshold()` and EIP-1271 `isValidSignature(bytes32,bytes)`.
const GET_OWNERS: &str = "0xa0e67e2b";
const GET_THRESHOLD: &str = "0xe75235b8";
const IS_VALID_SIGNATURE: &str = "1626ba7e";
/// `getSigner(uint256 x, uint256 y, uint176 verifiers)` of Safe's WebAuthn signer factory.
const GET_SIGNER: &str = "0xa541d91a";

/// Safe's `SafeWebAuthnSignerFactory` (v0.2.1 deployment): a passkey owns a Safe through the
/// signer contract whose address this factory computes from the key (docs/api/auth.md §3.5).
pub const WEBAUTHN_SIGNER_FACTORY: &str = "0x1d31F259eE307358a26dFb23EB365939E8641195";
/// The P-256 verifiers of IBEx's signers (`uint176`: precompile << 160 | fallback). IBEx does not
/// document them; Safe's FCLP256Verifier without a precompile is the passkey module's default.
pub const WEBAUTHN_VERIFIERS: &str = "445a0683e494ea0c5af3e83c5159fbe47cf9e765";

/// The owners and threshold of a Safe on one chain.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SafeOwners {
    pub owners: Vec<Address>,
    pub threshold: u32,
}

/// `0x`-hex return data → 32-byte words.
fn words(hex: &str) -> Result<Vec<&str>, Error> {
    let hex = hex.strip_prefix("0x").unwrap_or(hex);
    if !hex.len().is_multiple_of(64) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(decode_error("not ABI-encoded words"));
    }
    Ok((0..hex.len() / 64)
        .map(|i| &hex[i * 64..(i + 1) * 64])
        .collect())
}

fn decode_error(message: impl Into<String>) -> Error {
    Error::Decode {
        endpoint: "eth_call".into(),
        path: "result".into(),
        message: message.into(),
    }
}

/// A word holding a number below 2^64.
fn number(word: &str) -> Result<u64, Error> {
    let (high, low) = word.split_at(48);
    if !high.bytes().all(|b| b == b'0') {
        return Err(decode_error(format!("{word} is not a small number")));
    }
    u64::from_str_radix(low, 16).map_err(|e| decode_error(e.to_string()))
}

/// A word holding an address (its low 20 bytes).
fn address(word: &str) -> Result<Address, Error> {
    let mut bytes = [0u8; 20];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&word[24 + 2 * i..26 + 2 * i], 16)
            .map_err(|e| decode_error(e.to_string()))?;
    }
    Ok(Address::from_bytes(bytes))
}

/// ABI `address[]` return data.
pub fn decode_owners(hex: &str) -> Result<Vec<Address>, Error> {
    let w = words(hex)?;
    let count = w.get(1).map(|c| number(c)).transpose()?.unwrap_or(0) as usize;
    (0..count)
        .map(|i| {
            let word = w
                .get(2 + i)
                .ok_or_else(|| decode_error("fewer owners than announced"))?;
            address(word)
        })
        .collect()
}

impl Session {
    async fn eth_call(
        &self,
        chain: ChainId,
        to: &Address,
        data: String,
    ) -> Result<Option<String>, Error> {
        let answer = self
            .rpc(
                chain,
                "eth_call",
                json!([{ "to": to.to_string(), "data": data }, "latest"]),
            )
            .await?;
        if let Some(error) = answer.error {
            if error.to_string().contains("revert") {
                return Ok(None);
            }
            // A JSON-RPC error other than a revert, inside an HTTP 200.
            let message = error
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_owned);
            return Err(Error::Status {
                status: 200,
                error: crate::ApiError {
                    code: error.get("code").map(|c| c.to_string()),
                    message,
                    details: Some(error),
                },
            });
        }
        Ok(answer.result.and_then(|r| r.as_str().map(str::to_owned)))
    }

    /// The Safe's owners and threshold on `chain` (empty when the Safe is not deployed there).
    pub async fn safe_owners(&self, chain: ChainId, safe: &Address) -> Result<SafeOwners, Error> {
        let owners = match self.eth_call(chain, safe, GET_OWNERS.into()).await? {
            Some(hex) if hex.len() > 2 => decode_owners(&hex)?,
            _ => Vec::new(),
        };
        let threshold = match self.eth_call(chain, safe, GET_THRESHOLD.into()).await? {
            Some(hex) if hex.len() > 2 => words(&hex)?
                .first()
                .map(|w| number(w))
                .transpose()?
                .unwrap_or(0) as u32,
            _ => 0,
        };
        Ok(SafeOwners { owners, threshold })
    }

    /// The owner address of the passkey with P-256 public key (`x`, `y`): the factory's
    /// `getSigner`, deployed or not.
    pub async fn webauthn_signer(
        &self,
        chain: ChainId,
        x: &[u8; 32],
        y: &[u8; 32],
    ) -> Result<Address, Error> {
        let hex = |b: &[u8; 32]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let data = format!("{GET_SIGNER}{}{}{WEBAUTHN_VERIFIERS:0>64}", hex(x), hex(y));
        let factory: Address = WEBAUTHN_SIGNER_FACTORY
            .parse()
            .map_err(|_| decode_error("factory address"))?;
        match self.eth_call(chain, &factory, data).await? {
            Some(result) if result.len() > 2 => address(
                words(&result)?
                    .first()
                    .ok_or_else(|| decode_error("getSigner returned nothing"))?,
            ),
            _ => Err(decode_error("getSigner returned nothing")),
        }
    }

    /// Whether the Safe approved the 32-byte `hash` (EIP-1271 with the empty signature a
    /// `SIGN_MESSAGE` operation leaves on-chain).
    pub async fn is_message_signed(
        &self,
        chain: ChainId,
        safe: &Address,
        hash: &[u8; 32],
    ) -> Result<bool, Error> {
        let hash: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let data = format!("0x{IS_VALID_SIGNATURE}{hash}{:064x}{:064x}", 64, 0);
        Ok(self
            .eth_call(chain, safe, data)
            .await?
            .is_some_and(|r| r.trim_start_matches("0x").starts_with(IS_VALID_SIGNATURE)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_lists_decode() {
        let hex = format!(
            "0x{:064x}{:064x}{:0>64}{:0>64}",
            32,
            2,
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "1111111111111111111111111111111111111111"
        );
        let owners = decode_owners(&hex).unwrap();
        assert_eq!(owners.len(), 2);
        assert_eq!(
            owners[0].to_string(),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        );
        assert!(decode_owners("0x12").is_err());
    }
}
