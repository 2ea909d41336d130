//! Exact decimal arithmetic for Sprig's float functions (`addf`, `subf`, `mulf`, `divf`), which go through
//! `shopspring/decimal`: each float becomes the decimal of its shortest text, so `addf 0.1 0.2` is `0.3`.

/// A decimal `mantissa × 10^exp`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Decimal {
    mantissa: i128,
    exp: i32,
}

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `f`. `None` when `f` is not finite
    /// or needs more digits than fit.
    pub(crate) fn from_f64(f: f64) -> Option<Self> {
        if !f.is_finite() {
            return None;
        }
        let text = format!("{f:e}");
        let (m, e) = text.split_once('e')?;
        let mut exp: i32 = e.parse().ok()?;
        let (int, frac) = m.split_once('.').unwrap_or((m, ""));
        exp -= frac.len() as i32;
        let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Self { mantissa, exp })
    }

    /// The nearest float.
    pub(crate) fn to_f64(self) -> f64 {
        format!("{}e{}", self.mantissa, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn align(self, other: Self) -> Option<(i128, i128, i32)> {
        let exp = self.exp.min(other.exp);
        let scale = |d: Self| {
            10i128
                .checked_pow((d.exp - exp) as u32)
                .and_then(|p| d.mantissa.checked_mul(p))
        };
        Some((scale(self)?, scale(other)?, exp))
    }

    /// The exact sum.
    pub(crate) fn add(self, other: Self) -> Option<Self> {
        let (a, b, exp) = self.align(other)?;
        Some(Self {
            mantissa: a.checked_add(b)?,
            exp,
        })
    }

    /// The exact difference.
    pub(crate) fn sub(self, other: Self) -> Option<Self> {
        self.add(Self {
            mantissa: -other.mantissa,
            exp: other.exp,
        })
    }

    /// The exact product.
    pub(crate) fn mul(self, other: Self) -> Option<Self> {
        Some(Self {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            exp: self.exp.checked_add(other.exp)?,
        })
    }

    /// `decimal.Div`: the quotient rounded half away from zero to 16 decimal places.
    pub(crate) fn div(self, other: Self) -> Option<Self> {
        if other.mantissa == 0 {
            return None;
        }
        // self / other = (m1 / m2) * 10^(e1 - e2); scale to 17 places, then round to 16.
        let shift = 17 + self.exp - other.exp;
        let (num, den) = if shift >= 0 {
            (
                self.mantissa
                    .checked_mul(10i128.checked_pow(shift as u32)?)?,
                other.mantissa,
            )
        } else {
            (
                self.mantissa,
                other
                    .mantissa
                    .checked_mul(10i128.checked_pow((-shift) as u32)?)?,
            )
        };
        let q = num / den;
        let rounded = q.checked_add(q.signum() * 5)? / 10;
        Some(Self {
            mantissa: rounded,
            exp: -16,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(f: f64) -> Decimal {
        Decimal::from_f64(f).unwrap()
    }

    #[test]
    fn decimal_sums_avoid_binary_rounding() {
        assert_eq!(d(0.1).add(d(0.2)).unwrap().to_f64(), 0.3);
        assert_eq!(d(1.1).mul(d(3.0)).unwrap().to_f64(), 3.3);
        assert_eq!(d(1.0).div(d(3.0)).unwrap().to_f64(), 0.3333333333333333);
        assert_eq!(d(2.0).div(d(3.0)).unwrap().to_f64(), 0.6666666666666667);
        assert!(d(1.0).div(d(0.0)).is_none());
    }
}
