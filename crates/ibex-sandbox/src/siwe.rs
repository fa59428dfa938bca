//! EIP-7702 wallets: the SIWE-style (EIP-4361) challenge and EIP-191 `personal_sign`
//! verification by public-key recovery on secp256k1.

use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};

use crate::clock::{iso, Millis};
use crate::ids;

/// `SafeEIP7702Proxy`, the delegation target reported after 7702 sign-up (EIP-55 cased).
pub const DELEGATION_PROXY: &str = "0x7702fa5e0000000000000000000000000000cafe";

/// The message the EOA signs; its first line is the documented one (docs/api/auth.md §4).
pub fn message(
    rp_id: &str,
    address: &str,
    chain_id: u64,
    nonce: &str,
    issued: Millis,
    expires: Millis,
) -> String {
    format!(
        "IBEx Wallet wants you to sign in with your Ethereum account: {address}\n\n\
         URI: https://{rp_id}\nVersion: 1\nChain ID: {chain_id}\nNonce: {nonce}\n\
         Issued At: {}\nExpiration Time: {}",
        iso(issued),
        iso(expires)
    )
}

/// keccak256("\x19Ethereum Signed Message:\n" + len + message).
pub fn personal_hash(message: &str) -> [u8; 32] {
    let prefix = format!("\x19Ethereum Signed Message:\n{}", message.len());
    ids::keccak(&[prefix.as_bytes(), message.as_bytes()])
}

/// The address that produced a 65-byte `r || s || v` signature (v = 27/28 or 0/1).
pub fn recover(message: &str, signature_hex: &str) -> Option<String> {
    let bytes = ids::parse_hex(signature_hex)?;
    if bytes.len() != 65 {
        return None;
    }
    let signature = Signature::from_slice(&bytes[..64]).ok()?;
    let v = bytes[64];
    let recovery = RecoveryId::from_byte(if v >= 27 { v - 27 } else { v })?;
    let key =
        VerifyingKey::recover_from_prehash(&personal_hash(message), &signature, recovery).ok()?;
    Some(eth_address(&key))
}

pub fn eth_address(key: &VerifyingKey) -> String {
    let point = key.to_encoded_point(false);
    ids::address_from(&[&point.as_bytes()[1..]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::SigningKey;

    #[test]
    fn recovers_the_signer() {
        let key = SigningKey::from_slice(&[7; 32]).unwrap();
        let msg = message("localhost", "0xabc", 1, "n", 0, 1);
        let (sig, rec) = key.sign_prehash_recoverable(&personal_hash(&msg)).unwrap();
        let mut bytes = sig.to_bytes().to_vec();
        bytes.push(27 + rec.to_byte());
        let expected = eth_address(key.verifying_key());
        assert_eq!(recover(&msg, &ids::hex_0x(&bytes)), Some(expected.clone()));
        assert_ne!(
            recover(&format!("{msg}!"), &ids::hex_0x(&bytes)),
            Some(expected)
        );
    }
}
