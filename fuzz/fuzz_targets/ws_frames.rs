//! WebSocket frames as the realtime client reads them (numbers kept exact).
#![no_main]

use ibex::models::realtime::{ClientMessage, ServerFrame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ibex::decode::<ServerFrame>(data, "fuzz");
    let _ = ibex::decode::<ClientMessage>(data, "fuzz");
});
