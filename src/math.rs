//! Portable elementary functions: the same bits on every target.
//!
//! `f64::powf`, `exp`, `ln` call the platform's maths library natively
//! (glibc on Linux) but Rust's own `libm` port on WebAssembly, and the two
//! can differ in the last bit. Code whose results must agree bit for bit
//! between the `cartsim` CLI and the web page (the solver's step control,
//! model right-hand sides, seeded cohorts; see [`crate::parity`]) calls
//! these instead. They are pure Rust (the `libm` crate) on every target.

/// `x` raised to the power `y`.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// e raised to the power `x`.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm of `x`.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// Base-10 logarithm of `x`.
#[inline]
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// Base-2 logarithm of `x`.
#[inline]
pub fn log2(x: f64) -> f64 {
    libm::log2(x)
}

/// Intervals of the mantissa in [`PowTable`].
const MANTISSA_INTERVALS: usize = 128;

/// `x^a` for one fixed exponent `a`, by tables: the step-size controller's
/// power (issue 19). The controller's power of the error lies on every
/// step's critical path (the next step's second stage waits for the step
/// size), where `exp2(a · log2 x)` took two dependent table-and-series
/// evaluations; here one series of three terms runs while the tables give
/// the rest.
///
/// With `x = 2^(e−1023) · m`, `m` in `[1, 2)`, and `c` the centre of `m`'s
/// interval (one of 128): `x^a = 2^(a(e−1023)) · (1/c)^(−a) · (m/c)^a`,
/// where `2^(a(e−1023))` is a product of two table entries (split on the
/// bits of `e`), `(1/c)^(−a)` a third, and `(m/c)^a = (1 + r)^a` with
/// `|r| ≤ 1/256` three terms of the binomial series. Within 1e-10 relative
/// for `|a| ≤ 1/2` and every positive, normal, finite `x` (unit test); for
/// 0 and subnormal `x` a value of the order of `2^(−1023a)` (a floor, not
/// their power). Tables are built with the portable [`pow`], and the
/// evaluation is IEEE operations only: the same bits on every target.
#[derive(Clone, PartialEq)]
pub struct PowTable {
    /// The exponent `a`.
    a: f64,
    /// Per mantissa interval: `1/c` (rounded) and `(1/c)^(−a)` of that
    /// rounded reciprocal, so `m · (1/c)` and the table agree.
    mantissa: [(f64, f64); MANTISSA_INTERVALS],
    /// `2^(a(32 j − 1023))` for the high five bits `j` of the biased exponent.
    exp_hi: [f64; 64],
    /// `2^(a l)` for its low five bits `l`.
    exp_lo: [f64; 32],
    /// Binomial series coefficients: `a`, `a(a−1)/2`, `a(a−1)(a−2)/6`.
    series: [f64; 3],
}

impl std::fmt::Debug for PowTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PowTable {{ a: {} }}", self.a)
    }
}

impl PowTable {
    /// The tables for `x^a` (224 calls of [`pow`]: build once, reuse).
    pub fn new(a: f64) -> PowTable {
        let mut mantissa = [(0.0, 0.0); MANTISSA_INTERVALS];
        for (i, slot) in mantissa.iter_mut().enumerate() {
            let c = 1.0 + (i as f64 + 0.5) / MANTISSA_INTERVALS as f64;
            let inv = 1.0 / c;
            *slot = (inv, pow(inv, -a));
        }
        let exp_hi = std::array::from_fn(|j| pow(2.0, a * (32 * j as i64 - 1023) as f64));
        let exp_lo = std::array::from_fn(|l| pow(2.0, a * l as f64));
        PowTable {
            a,
            mantissa,
            exp_hi,
            exp_lo,
            series: [a, a * (a - 1.0) / 2.0, a * (a - 1.0) * (a - 2.0) / 6.0],
        }
    }

    /// The exponent the table was built for.
    pub fn exponent(&self) -> f64 {
        self.a
    }

    /// `x^a` for a non-negative finite `x` (see the type's accuracy).
    #[inline]
    pub fn pow(&self, x: f64) -> f64 {
        debug_assert!(x.is_finite() && x >= 0.0, "PowTable::pow({x})");
        let bits = x.to_bits();
        // Masks keep every index in range whatever the bits (no panic).
        let scale =
            self.exp_hi[((bits >> 57) & 63) as usize] * self.exp_lo[((bits >> 52) & 31) as usize];
        let (inv, inv_pow) = self.mantissa[((bits >> 45) & 0x7f) as usize];
        let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
        let r = m * inv - 1.0;
        let [c1, c2, c3] = self.series;
        let series = (1.0 + c1 * r) + (r * r) * (c2 + c3 * r);
        (scale * inv_pow) * series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_with_std_to_an_ulp_or_two() {
        for &(x, y) in &[(2.0, 10.0), (0.37, 0.2), (123.456, -0.75), (1e-8, 0.25)] {
            let (a, b) = (pow(x, y), f64::powf(x, y));
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * b.abs(),
                "pow({x},{y})"
            );
        }
        assert_eq!(pow(2.0, 10.0), 1024.0);
        assert!((exp(1.0) - std::f64::consts::E).abs() < 1e-15);
        assert!((ln(std::f64::consts::E) - 1.0).abs() < 1e-15);
        assert_eq!(log10(1000.0), 3.0);
    }

    #[test]
    fn pow_table_is_accurate_over_the_range_of_floats() {
        // Against libm (correct to an ulp or so): a log-spaced sweep over
        // 600 decades, and the mantissa's interval boundaries, for the
        // controller's exponents (error orders 1 to 8, and β/2).
        let mut exponents: Vec<f64> = (1..=8).map(|q| -0.5 * (1.0 / q as f64 - 0.03)).collect();
        exponents.push(0.02);
        for a in exponents {
            let t = PowTable::new(a);
            assert_eq!(t.exponent(), a);
            let mut worst = 0.0f64;
            let mut check = |x: f64| {
                let want = pow(x, a);
                worst = worst.max(((t.pow(x) - want) / want).abs());
            };
            for i in 0..=60_000 {
                check(10f64.powf(-300.0 + i as f64 * 0.01) * (1.0 + 1e-3 * (i % 7) as f64));
            }
            for i in 0..=1024 {
                check(1.0 + i as f64 / 1024.0);
                check(f64::MIN_POSITIVE * (1.0 + i as f64 / 1024.0));
            }
            check(f64::MAX);
            assert!(worst < 1e-10, "x^{a} off by {worst:e}");
            assert!((t.pow(1.0) - 1.0).abs() < 1e-10);
            // 0 and subnormals: finite, of the order of the smallest normal's power.
            for x in [0.0, f64::MIN_POSITIVE / 3.0, 4.9e-324] {
                let (got, floor) = (t.pow(x), pow(f64::MIN_POSITIVE, a));
                assert!(
                    got.is_finite() && got / floor > 0.4 && got / floor < 2.5,
                    "{x}: {got}"
                );
            }
        }
    }
}
