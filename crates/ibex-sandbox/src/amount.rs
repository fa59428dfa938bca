//! Token amounts as integers of base units; decimal strings only at the edges. No floats touch
//! money.

/// `"1.5"` with 18 decimals → 1_500_000_000_000_000_000. Rejects signs, exponents, more
/// fractional digits than `decimals`, and empty input.
pub fn parse(text: &str, decimals: u32) -> Option<u128> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if (whole.is_empty() && fraction.is_empty())
        || fraction.len() > decimals as usize
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let scale = 10u128.checked_pow(decimals)?;
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    let fraction: u128 = if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    };
    whole.checked_mul(scale)?.checked_add(fraction)
}

/// Base units → the shortest decimal string with at least one fractional digit (`"2.0"`,
/// `"0.005"`), as IBEx prints balances.
pub fn format(base_units: u128, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let whole = base_units / scale;
    let fraction = format!("{:0width$}", base_units % scale, width = decimals as usize);
    let fraction = fraction.trim_end_matches('0');
    format!(
        "{whole}.{}",
        if fraction.is_empty() { "0" } else { fraction }
    )
}

/// A fiat price or value in hundredths of a cent (4 decimals), e.g. 1.18 → 11_800.
pub type Fiat4 = u128;

/// Fiat value of `base_units` at `price` per whole token, in 4-decimal fixed point.
pub fn value(base_units: u128, decimals: u32, price: Fiat4) -> Fiat4 {
    base_units.saturating_mul(price) / 10u128.pow(decimals)
}

/// 4-decimal fixed point → `"12.34"` (rounded half up to cents).
pub fn fiat_string(value: Fiat4) -> String {
    let cents = (value + 50) / 100;
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// 4-decimal fixed point → a JSON number with up to 4 decimals, for the `price_*` fields that
/// the documentation shows as numbers.
pub fn fiat_number(value: Fiat4) -> serde_json::Value {
    let text = format(value, 4);
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(parse("1.5", 18), Some(1_500_000_000_000_000_000));
        assert_eq!(parse("10", 6), Some(10_000_000));
        assert_eq!(parse(".5", 1), Some(5));
        assert_eq!(parse("0.0000001", 6), None);
        assert_eq!(parse("-1", 6), None);
        assert_eq!(parse("1e3", 6), None);
        assert_eq!(parse("", 6), None);
        assert_eq!(format(2_000_000_000_000_000_000, 18), "2.0");
        assert_eq!(format(5_000_000_000_000_000, 18), "0.005");
        assert_eq!(format(1_234_567, 6), "1.234567");
    }

    #[test]
    fn fiat() {
        assert_eq!(value(2_000_000, 6, 11_800), 23_600);
        assert_eq!(fiat_string(23_600), "2.36");
        assert_eq!(fiat_number(11_800), serde_json::json!(1.18));
    }
}
