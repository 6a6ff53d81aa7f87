//! Input distributions of a sensitivity study: each maps a point `u` of the
//! unit interval to a parameter value by its inverse CDF, so quasi-random
//! (Sobol') and Morris designs in the unit cube become parameter samples.
//! Transcendental functions come from [`crate::math`] and `libm`, so the
//! same `u` gives the same bits natively and in WebAssembly.

use crate::math;

/// The distribution of one input.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// Uniform in the value on `[lo, hi]`.
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Uniform in ln of the value on `[lo, hi]` (both > 0).
    LogUniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Normal(mean, sd²) truncated to `[lo, hi]`.
    TruncNormal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
}

impl Distribution {
    /// The value at quantile `u` in `[0, 1]` (0 gives the lower end, 1 the upper).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Distribution::Uniform { lo, hi } => {
                if u >= 1.0 {
                    hi
                } else {
                    lo + u * (hi - lo)
                }
            }
            Distribution::LogUniform { lo, hi } => {
                if u <= 0.0 {
                    lo
                } else if u >= 1.0 {
                    hi
                } else {
                    math::exp(math::ln(lo) + u * (math::ln(hi) - math::ln(lo))).clamp(lo, hi)
                }
            }
            Distribution::TruncNormal { mean, sd, lo, hi } => {
                if u <= 0.0 {
                    return lo;
                }
                if u >= 1.0 {
                    return hi;
                }
                let (pa, pb) = (normal_cdf((lo - mean) / sd), normal_cdf((hi - mean) / sd));
                let p = pa + u * (pb - pa);
                if p <= 0.0 {
                    return lo;
                }
                if p >= 1.0 {
                    return hi;
                }
                (mean + sd * normal_quantile(p)).clamp(lo, hi)
            }
        }
    }

    /// Lower and upper ends.
    pub fn ends(&self) -> (f64, f64) {
        match *self {
            Distribution::Uniform { lo, hi }
            | Distribution::LogUniform { lo, hi }
            | Distribution::TruncNormal { lo, hi, .. } => (lo, hi),
        }
    }
}

/// Standard normal CDF, Φ(x) = erfc(−x/√2)/2.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p) for p in (0, 1): Acklam's rational
/// approximation (relative error 1.2e-9) refined by one Halley step on
/// [`normal_cdf`], which brings it to about machine precision.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    let x = if p < LOW {
        let q = (-2.0 * math::ln(p)).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * math::ln(1.0 - p)).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * math::exp(x * x / 2.0);
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        // Known quantiles (tables): Φ⁻¹(0.975) = 1.959963984540054,
        // Φ⁻¹(0.5) = 0, Φ⁻¹(1e-6) = -4.753424308822899.
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        assert!(normal_quantile(0.5).abs() < 1e-15);
        assert!((normal_quantile(1e-6) + 4.753_424_308_822_899).abs() < 1e-9);
        for i in 1..100 {
            let p = i as f64 / 100.0;
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-14, "{p}");
        }
    }

    #[test]
    fn quantiles_stay_inside_and_hit_the_ends() {
        let d = Distribution::LogUniform { lo: 0.5, hi: 2.0 };
        assert_eq!(d.quantile(0.0), 0.5);
        assert_eq!(d.quantile(1.0), 2.0);
        assert!((d.quantile(0.5) - 1.0).abs() < 1e-15);
        let n = Distribution::TruncNormal {
            mean: 3.0,
            sd: 1.0,
            lo: 0.0,
            hi: 1e9,
        };
        // Truncation at 3 sd below the mean: the median moves up by a hair.
        let med = n.quantile(0.5);
        assert!(med > 3.0 && med < 3.01, "{med}");
        assert_eq!(n.quantile(1.0), 1e9);
        let u = Distribution::Uniform { lo: -1.0, hi: 3.0 };
        assert_eq!(u.quantile(0.25), 0.0);
    }
}
