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

/// Entries of the tables of [`log2_approx`] and [`exp2_approx`].
const TABLE: usize = 128;

/// For the mantissa interval `[1 + i/128, 1 + (i+1)/128)`: the reciprocal
/// of its centre `c` (rounded) and `−log2` of that reciprocal, computed
/// when compiling (IEEE arithmetic, the same bits on every target).
const LOG_TABLE: [(f64, f64); TABLE] = {
    let mut t = [(0.0, 0.0); TABLE];
    let mut i = 0;
    while i < TABLE {
        let c = 1.0 + (i as f64 + 0.5) / TABLE as f64;
        let inv = 1.0 / c;
        // ln(inv) = 2 atanh(s), s = (inv − 1)/(inv + 1), |s| < 1/3.
        let s = (inv - 1.0) / (inv + 1.0);
        let (s2, mut term, mut sum, mut k) = (s * s, s, 0.0, 0);
        while k < 40 {
            sum += term / (2 * k + 1) as f64;
            term *= s2;
            k += 1;
        }
        t[i] = (inv, -2.0 * sum * std::f64::consts::LOG2_E);
        i += 1;
    }
    t
};

/// `2^(j/128)` for `j` in `0..128`, computed when compiling.
const EXP2_TABLE: [f64; TABLE] = {
    let mut t = [0.0; TABLE];
    let mut j = 0;
    while j < TABLE {
        // e^x by its Taylor series, x = j ln2 / 128 < ln 2.
        let x = j as f64 * std::f64::consts::LN_2 / TABLE as f64;
        let (mut term, mut sum, mut k) = (1.0, 0.0, 1);
        while k < 30 {
            sum += term;
            term *= x / k as f64;
            k += 1;
        }
        t[j] = sum;
        j += 1;
    }
    t
};

/// Base-2 logarithm of a positive, normal, finite `x`, to within 1e-12
/// (absolute); for 0 and subnormal `x` a value in [−1023, −1022) (a floor,
/// not their logarithm). The step-size controller's, for speed (a table of
/// 128 intervals and four terms of a series, no division: the controller's
/// logarithm lies on every step's critical path; libm's `ln` and `exp`
/// there were 18% of a `cr` solve under `perf`, issue 19). The same bits
/// on every target.
#[inline]
pub fn log2_approx(x: f64) -> f64 {
    debug_assert!(x.is_finite() && x >= 0.0, "log2_approx({x})");
    let bits = x.to_bits();
    let e = (bits >> 52) as i64 - 1023;
    let (inv, log_c) = LOG_TABLE[((bits >> 45) & 0x7f) as usize];
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    // |r| ≤ 1/256; log2(1 + r) = (r − r²/2 + r³/3 − r⁴/4 + …)/ln 2.
    let r = m * inv - 1.0;
    const A1: f64 = std::f64::consts::LOG2_E;
    const A2: f64 = -std::f64::consts::LOG2_E / 2.0;
    const A3: f64 = std::f64::consts::LOG2_E / 3.0;
    const A4: f64 = -std::f64::consts::LOG2_E / 4.0;
    let r2 = r * r;
    let p = r * (A1 + A2 * r) + r2 * r * (A3 + A4 * r);
    (e as f64 + log_c) + p
}

/// `2^v` for `|v| ≤ 1000`, to within 1e-13 relative: the step-size
/// controller's, for speed (see [`log2_approx`]). The same bits on every
/// target.
#[inline]
pub fn exp2_approx(v: f64) -> f64 {
    debug_assert!(v.abs() <= 1000.0, "exp2_approx({v})");
    // k = round(128 v) by the 1.5·2^52 shift; s = 128 v − k exactly
    // (|s| ≤ 1/2), and 2^v = 2^(k/128) · 2^(s/128).
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let v128 = v * TABLE as f64;
    let shifted = v128 + SHIFT;
    let k = shifted.to_bits() as i64 - SHIFT.to_bits() as i64;
    let r = v128 - (shifted - SHIFT);
    // 2^(r/128) = e^(r ln 2 / 128) by four terms of its series, ln 2 / 128
    // folded into the coefficients.
    const L1: f64 = std::f64::consts::LN_2 / TABLE as f64;
    const L2: f64 = L1 * L1 / 2.0;
    const L3: f64 = L2 * L1 / 3.0;
    const L4: f64 = L3 * L1 / 4.0;
    let r2 = r * r;
    let p = (1.0 + L1 * r) + r2 * (L2 + L3 * r + L4 * r2);
    let scale = f64::from_bits((((k >> 7) + 1023) as u64) << 52);
    EXP2_TABLE[(k & 0x7f) as usize] * scale * p
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
    fn the_controllers_log2_and_exp2_are_accurate_over_their_range() {
        // Checked against libm (correct to an ulp or so) on a log-spaced
        // sweep over 600 decades and on the mantissa's table boundaries.
        let mut worst = (0.0f64, 0.0f64);
        for i in 0..=60_000 {
            let x = 10f64.powf(-300.0 + i as f64 * 0.01) * (1.0 + 1e-3 * (i % 7) as f64);
            worst.0 = worst.0.max((log2_approx(x) - log2(x)).abs());
        }
        for i in 0..=1024 {
            let m = 1.0 + i as f64 / 1024.0;
            worst.0 = worst.0.max((log2_approx(m) - log2(m)).abs());
        }
        for i in 0..200_000 {
            let v = -1000.0 + i as f64 * 0.01 + 1e-4 * (i % 13) as f64;
            let want = pow(2.0, v);
            worst.1 = worst.1.max(((exp2_approx(v) - want) / want).abs());
        }
        assert!(worst.0 < 1e-12, "log2 off by {:e}", worst.0);
        assert!(worst.1 < 1e-13, "exp2 off by {:e}", worst.1);
        assert!(log2_approx(1.0).abs() < 1e-12);
        for x in [0.0, f64::MIN_POSITIVE / 3.0, 4.9e-324] {
            assert!((-1023.0..-1022.0).contains(&log2_approx(x)), "{x}");
        }
        assert_eq!(exp2_approx(0.0), 1.0);
        assert_eq!(exp2_approx(-3.0), 0.125);
    }
}
