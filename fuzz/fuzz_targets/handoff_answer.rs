//! The browser hand-off's answer (what a local page POSTs back) and the credential's
//! clientDataJSON check the core applies to it.
#![no_main]

use ibex_wallet_core::fuzzing::{parse_answer, Reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Reply::Credential(credential)) = parse_answer(data, "state") {
        let _ = ibex_wallet_core::fuzzing::check_client_data(&credential, "AQID", "http://localhost:1");
    }
});
