//! Addresses: EVM (EIP-55 checksums) and base58. An accepted EVM address round-trips through
//! its checksum form.
#![no_main]

use ibex::{Address, ChainAddress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(address) = text.parse::<Address>() {
        let checksummed = address.to_checksum();
        assert_eq!(checksummed.parse::<Address>().ok(), Some(address));
    }
    let _ = text.parse::<ChainAddress>();
});
