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
}
