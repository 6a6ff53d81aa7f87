//! Seeded random draws that give the same bits natively and in wasm.
//!
//! Uniform bits come from ChaCha8 (`rand_chacha`), which is specified bit for
//! bit. Normal deviates use Marsaglia's polar method with `libm`'s `log` —
//! not `rand_distr`, whose ziggurat calls the platform's `exp`/`ln`, which
//! may differ in the last ulp between glibc and wasm and so break the
//! "same seed, same cohort" guarantee.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random stream used everywhere in cartsim.
#[derive(Debug, Clone)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// A stream from a seed.
    pub fn new(seed: u64) -> Self {
        Stream(ChaCha8Rng::seed_from_u64(seed))
    }

    /// An independent stream for sub-task `index` of a seeded job (e.g.
    /// patient `index`), so work can be split across threads or workers and
    /// still give the same draws.
    pub fn substream(seed: u64, index: u64) -> Self {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(index);
        Stream(r)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Standard normal deviate (polar method).
    pub fn standard_normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * crate::math::ln(s) / s).sqrt();
            }
        }
    }

    /// Normal(mean, sd²).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.standard_normal()
    }
}

/// σ of log-measurements for a given CV.
pub fn log_sigma(cv: f64) -> f64 {
    crate::math::ln(1.0 + cv * cv).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_substreams_differ() {
        let a: Vec<f64> = {
            let mut s = Stream::new(7);
            (0..5).map(|_| s.standard_normal()).collect()
        };
        let b: Vec<f64> = {
            let mut s = Stream::new(7);
            (0..5).map(|_| s.standard_normal()).collect()
        };
        assert_eq!(a, b);
        let mut s1 = Stream::substream(7, 1);
        let mut s2 = Stream::substream(7, 2);
        assert_ne!(s1.uniform(), s2.uniform());
    }

    #[test]
    fn normal_moments_are_right() {
        let mut s = Stream::new(42);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal(3.0, 2.0)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // Standard errors: 2/sqrt(n) ≈ 0.0045 for the mean, ≈ 0.013 for the variance.
        assert!((mean - 3.0).abs() < 0.02, "{mean}");
        assert!((var - 4.0).abs() < 0.06, "{var}");
        let frac_within_1sd =
            xs.iter().filter(|x| (**x - 3.0).abs() < 2.0).count() as f64 / n as f64;
        assert!(
            (frac_within_1sd - 0.6827).abs() < 0.005,
            "{frac_within_1sd}"
        );
    }
}
