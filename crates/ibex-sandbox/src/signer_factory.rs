//! Safe's `SafeWebAuthnSignerFactory` (docs/api/auth.md §3.5: "the Safe itself is derived from the
//! passkey's P-256 public key (x, y) … through `SafeWebAuthnSignerFactory`"): a passkey owns a
//! Safe through a signer contract whose address `getSigner(x, y, verifiers)` answers, deployed
//! or not. The sandbox gives each passkey Safe that owner and answers `getSigner` through
//! `POST /{chainId}/rpc`, so a wallet can tell which owner its own passkey is and compute the
//! owner address of a new passkey before `ADD_OWNER`.
//!
//! The real address is a CREATE2 of the signer proxy's bytecode; the sandbox's is a keccak of
//! the same inputs (as distinct per key, and as stable). Which P-256 verifiers IBEx configures is
//! not documented: the sandbox uses Safe's FCLP256Verifier with no precompile (the passkey
//! module's default), and answers any other `verifiers` with another address, as the chain would.

use crate::ids;

/// SafeWebAuthnSignerFactory v0.2.1 (safe-modules deployments), lower case.
pub const FACTORY: &str = "0x1d31f259ee307358a26dfb23eb365939e8641195";
/// `getSigner(uint256,uint256,uint176)`.
pub const GET_SIGNER: &str = "a541d91a";
/// `P256.Verifiers` (uint176: precompile << 160 | fallback verifier): FCLP256Verifier v0.2.1.
pub const VERIFIERS: &str = "445a0683e494ea0c5af3e83c5159fbe47cf9e765";

/// `getSigner(x, y, verifiers)` with each argument as its 32-byte ABI word (hex, no `0x`).
pub fn signer(x: &str, y: &str, verifiers: &str) -> String {
    let bytes = |word: &str| ids::parse_hex(word).unwrap_or_default();
    ids::address_from(&[
        b"SafeWebAuthnSignerProxy",
        &bytes(x),
        &bytes(y),
        &bytes(verifiers),
    ])
}

/// The owner address of a passkey with this uncompressed SEC1 P-256 key (`04 ‖ x ‖ y`).
pub fn owner_of_key(sec1: &[u8]) -> Option<String> {
    let (x, y) = (sec1.get(1..33)?, sec1.get(33..65)?);
    Some(signer(
        &ids::hex(x),
        &ids::hex(y),
        &format!("{VERIFIERS:0>64}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_depends_on_the_key_and_the_verifiers() {
        let mut key = vec![4u8];
        key.extend([1u8; 32]);
        key.extend([2u8; 32]);
        let owner = owner_of_key(&key).unwrap();
        let (x, y) = (ids::hex(&[1u8; 32]), ids::hex(&[2u8; 32]));
        assert_eq!(owner, signer(&x, &y, &format!("{VERIFIERS:0>64}")));
        assert_ne!(owner, signer(&x, &y, &format!("{:0>64}", "100")));
        assert_ne!(owner, signer(&y, &x, &format!("{VERIFIERS:0>64}")));
        assert!(owner_of_key(&key[..40]).is_none());
    }
}
