//! Exact integer arithmetic for token amounts, shared by the wallet's core and the sandbox
//! (neither depends on the other, so it lives in a crate of its own). Amounts are base units in
//! `u128`; an 18-decimal amount times a 10^18 rate overflows a `u128` product, so rates, fees
//! and minimums go through [`mul_div`]. Never a float.
#![no_std]

/// `a × b / c` rounded down, exact for any `u128` inputs (a 256-bit product); `None` when `c`
/// is zero or the quotient does not fit in a `u128`.
pub fn mul_div(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let (hi, lo) = mul_wide(a, b);
    if hi == 0 {
        return Some(lo / c);
    }
    if hi >= c {
        return None;
    }
    // Long division of the 256-bit (hi, lo) by c, one bit at a time; the remainder stays < c
    // (`carry` is the bit shifted out of it, which makes it ≥ c whatever the rest).
    let (mut rem, mut quotient) = (hi, 0u128);
    for bit in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((lo >> bit) & 1);
        quotient <<= 1;
        if carry == 1 || rem >= c {
            rem = rem.wrapping_sub(c);
            quotient |= 1;
        }
    }
    Some(quotient)
}

/// The 256-bit product of `a` and `b` as (high, low) halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & MASK, b >> 64, b & MASK);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let middle = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let lo = (p00 & MASK) | (middle << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
    (hi, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_products_round_down() {
        assert_eq!(mul_div(10, 3, 4), Some(7));
        assert_eq!(mul_div(6, 7, 4), Some(10));
        assert_eq!(mul_div(0, u128::MAX, 1), Some(0));
        assert_eq!(mul_div(1, 1, 0), None);
    }

    #[test]
    fn products_beyond_u128_are_exact() {
        let e18 = 10u128.pow(18);
        // A million 18-decimal tokens at a rate of 10^18 / 10^24: the product needs 140 bits.
        assert_eq!(mul_div(1_000_000 * e18, e18, 10u128.pow(24)), Some(e18));
        // 10^30 × 10^22 / 10^20 = 10^32: the product (10^52) needs 173 bits.
        assert_eq!(
            mul_div(e18 * 10u128.pow(12), 10u128.pow(22), 10u128.pow(20)),
            Some(10u128.pow(32))
        );
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some(u128::MAX));
        assert_eq!(mul_div(u128::MAX, 2, 2), Some(u128::MAX));
        assert_eq!(mul_div(u128::MAX, 3, 4), Some(u128::MAX / 4 * 3 + 2));
        // The remainder's top bit set during the division (the `carry` path).
        assert_eq!(
            mul_div(u128::MAX, u128::MAX - 1, u128::MAX),
            Some(u128::MAX - 1)
        );
    }

    #[test]
    fn quotients_that_do_not_fit_are_refused() {
        assert_eq!(mul_div(u128::MAX, 2, 1), None);
        assert_eq!(mul_div(u128::MAX, 3, 2), None);
    }

    #[test]
    fn agrees_with_plain_arithmetic_where_it_fits() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            // xorshift: deterministic inputs, products within u128.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (a, b, c) = (
                u128::from(x >> 1),
                u128::from(x.rotate_left(21) >> 3),
                u128::from(x % 9_973 + 1),
            );
            assert_eq!(mul_div(a, b, c), Some(a * b / c), "{a} × {b} / {c}");
        }
    }
}
