//! Exact amounts: decimal text, base units and JSON numbers. Properties, not just "no panic":
//! a decimal that converts to base units converts back to the same value.
#![no_main]

use ibex::{BaseUnits, Decimal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&decimals, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    if let Ok(amount) = text.parse::<Decimal>() {
        if let Ok(units) = amount.to_base_units(decimals) {
            let back = Decimal::from_base_units(units, decimals);
            assert_eq!(back.to_base_units(decimals).ok(), Some(units), "{text}");
        }
    }
    // The same text as a JSON body: strings, numbers (exact, never through f64), anything.
    if let Ok(amount) = ibex::decode::<Decimal>(text.as_bytes(), "fuzz") {
        let _ = amount.to_base_units(decimals);
    }
    let _ = ibex::decode::<BaseUnits>(text.as_bytes(), "fuzz");
});
