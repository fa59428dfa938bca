//! Exact fiat arithmetic on decimal text: sums of `value_eur`/`value_usd` and the EUR→USD
//! conversion, as integers scaled by a power of ten. No float ever touches money.

use std::str::FromStr;

use ibex::Decimal;

/// `units × 10^-scale`, exact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exact {
    units: i128,
    scale: u32,
}

/// Enough for any fiat total; more fraction digits than this are an unreadable value.
const MAX_SCALE: u32 = 30;

impl Exact {
    pub const ZERO: Self = Self { units: 0, scale: 0 };

    pub fn parse(text: &str) -> Option<Self> {
        let d = Decimal::from_str(text).ok()?;
        let (negative, digits) = match d.as_str().strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, d.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let scale = u32::try_from(frac.len()).ok().filter(|s| *s <= MAX_SCALE)?;
        let units: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Self {
            units: if negative { -units } else { units },
            scale,
        })
    }

    /// `units × 10^-scale`.
    pub fn from_units(units: i128, scale: u32) -> Self {
        Self { units, scale }
    }

    /// The value in units of `10^-places`, rounded half away from zero.
    pub fn scaled(self, places: u32) -> Option<i128> {
        self.round(places).rescaled(places)
    }

    fn rescaled(self, scale: u32) -> Option<i128> {
        self.units
            .checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        let scale = self.scale.max(other.scale);
        Some(Self {
            units: self.rescaled(scale)?.checked_add(other.rescaled(scale)?)?,
            scale,
        })
    }

    pub fn checked_mul(self, other: Self) -> Option<Self> {
        let scale = self.scale + other.scale;
        (scale <= MAX_SCALE).then_some(())?;
        Some(Self {
            units: self.units.checked_mul(other.units)?,
            scale,
        })
    }

    /// Rounded half away from zero to `places` fraction digits.
    pub fn round(self, places: u32) -> Self {
        if self.scale <= places {
            return self;
        }
        let factor = 10i128.pow(self.scale - places);
        let half = factor / 2;
        let units = if self.units >= 0 {
            (self.units + half) / factor
        } else {
            (self.units - half) / factor
        };
        Self {
            units,
            scale: places,
        }
    }

    /// Decimal text with at least `min_places` fraction digits (`"12.30"` for cents).
    pub fn to_text(self, min_places: u32) -> String {
        let scale = self.scale.max(min_places);
        let units = self.rescaled(scale).unwrap_or(self.units);
        let digits = format!(
            "{:0>width$}",
            units.unsigned_abs(),
            width = scale as usize + 1
        );
        let (int, frac) = digits.split_at(digits.len() - scale as usize);
        let sign = if units < 0 { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    pub fn is_zero(self) -> bool {
        self.units == 0
    }
}

impl Ord for Exact {
    /// Numeric order; values too large to compare at a common scale count as equal.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        match (self.rescaled(scale), other.rescaled(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => std::cmp::Ordering::Equal,
        }
    }
}

impl PartialEq for Exact {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The exact sum of decimal texts; `None` if one is unreadable or the sum overflows.
pub(crate) fn sum<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Exact> {
    values
        .into_iter()
        .try_fold(Exact::ZERO, |acc, v| acc.checked_add(Exact::parse(v)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_where_floats_are_not() {
        // 0.1 + 0.2 is 0.30000000000000004 in f64.
        assert_eq!(sum(["0.1", "0.2"]).unwrap().to_text(2), "0.30");
        assert_eq!(
            sum(["1000000000000.01", "0.000000000000000001"])
                .unwrap()
                .to_text(2),
            "1000000000000.010000000000000001"
        );
        assert_eq!(sum(["2.36", "-0.36", "10"]).unwrap().to_text(2), "12.00");
        assert_eq!(sum([]).unwrap().to_text(2), "0.00");
        assert!(sum(["1e3"]).is_none());
    }

    #[test]
    fn conversion_rounds_half_away_from_zero() {
        let eur = Exact::parse("720.75").unwrap();
        let rate = Exact::parse("1.1797").unwrap();
        // 720.75 × 1.1797 = 850.268775
        assert_eq!(eur.checked_mul(rate).unwrap().round(2).to_text(2), "850.27");
        assert_eq!(Exact::parse("0.005").unwrap().round(2).to_text(2), "0.01");
        assert_eq!(Exact::parse("-0.005").unwrap().round(2).to_text(2), "-0.01");
        assert_eq!(Exact::parse("7").unwrap().to_text(0), "7");
        assert!(Exact::parse("12.715").unwrap() > Exact::parse("2.00").unwrap());
        assert!(Exact::parse("0.10").unwrap() == Exact::parse("0.1").unwrap().round(2));
    }
}
