//! Standard test functions with known Sobol' indices, to validate the
//! estimators: Ishigami (a = 7, b = 0.1; inputs uniform on [−π, π]) and the
//! Sobol' G-function (a = 0, 1, 4.5, 9, 99, 99, 99, 99; inputs uniform on
//! [0, 1]). Saltelli et al., *Global Sensitivity Analysis: The Primer*
//! (2008), §4.7 and §3.6; Ishigami & Homma (1990); Sobol' (1993).

use super::design::Input;
use super::dist::Distribution;
use std::f64::consts::PI;

/// Ishigami's a.
pub const ISHIGAMI_A: f64 = 7.0;
/// Ishigami's b.
pub const ISHIGAMI_B: f64 = 0.1;
/// The G-function's coefficients.
pub const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

/// A test function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestFunction {
    /// f = sin x1 + a sin² x2 + b x3⁴ sin x1.
    Ishigami,
    /// f = Π (|4 x_i − 2| + a_i) / (1 + a_i).
    SobolG,
}

impl TestFunction {
    /// Name as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TestFunction::Ishigami => "ishigami",
            TestFunction::SobolG => "sobol-g",
        }
    }
    /// The function named `s`.
    pub fn parse(s: &str) -> Option<TestFunction> {
        [TestFunction::Ishigami, TestFunction::SobolG]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    /// Its inputs `x1 … xk` with their distributions; the nominal point
    /// (for the local method) is x = 1 (Ishigami), x = 0.25 (G).
    pub fn inputs(self) -> Vec<Input> {
        let (k, lo, hi, nominal) = match self {
            TestFunction::Ishigami => (3, -PI, PI, 1.0),
            TestFunction::SobolG => (G_A.len(), 0.0, 1.0, 0.25),
        };
        (1..=k)
            .map(|i| Input {
                name: format!("x{i}"),
                nominal,
                dist: Distribution::Uniform { lo, hi },
                range: (lo, hi),
            })
            .collect()
    }

    /// The function at `x`.
    pub fn eval(self, x: &[f64]) -> f64 {
        match self {
            TestFunction::Ishigami => {
                let s1 = libm::sin(x[0]);
                let s2 = libm::sin(x[1]);
                s1 + ISHIGAMI_A * s2 * s2 + ISHIGAMI_B * x[2].powi(4) * s1
            }
            TestFunction::SobolG => x
                .iter()
                .zip(G_A)
                .map(|(xi, a)| ((4.0 * xi - 2.0).abs() + a) / (1.0 + a))
                .product(),
        }
    }

    /// Analytic (first-order, total) indices of every input.
    pub fn analytic(self) -> Vec<(f64, f64)> {
        match self {
            TestFunction::Ishigami => {
                let (a, b) = (ISHIGAMI_A, ISHIGAMI_B);
                let pi4 = PI.powi(4);
                let pi8 = PI.powi(8);
                let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
                let v2 = a * a / 8.0;
                let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
                let v = v1 + v2 + v13;
                vec![(v1 / v, (v1 + v13) / v), (v2 / v, v2 / v), (0.0, v13 / v)]
            }
            TestFunction::SobolG => {
                let vi: Vec<f64> = G_A
                    .iter()
                    .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
                    .collect();
                let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
                let v = prod - 1.0;
                vi.iter()
                    .map(|&x| (x / v, x * prod / (1.0 + x) / v))
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytic_ishigami_matches_the_primer() {
        // Saltelli et al. (2008), Table 4.? / SALib docs: S1 = 0.3139,
        // S2 = 0.4424, S3 = 0; ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
        let s = TestFunction::Ishigami.analytic();
        let want = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
        for (got, w) in s.iter().zip(want) {
            assert!(
                (got.0 - w.0).abs() < 1e-4 && (got.1 - w.1).abs() < 1e-4,
                "{got:?} {w:?}"
            );
        }
    }

    #[test]
    fn g_function_has_mean_one() {
        // E[|4x − 2|] = 1 on [0, 1], so every factor has mean 1: a midpoint
        // rule on a fine grid over x1 alone (others at 0.25 give |4x−2| = 1).
        let n = 100_000;
        let m: f64 = (0..n)
            .map(|i| {
                let mut x = [0.25; 8];
                x[0] = (i as f64 + 0.5) / n as f64;
                TestFunction::SobolG.eval(&x)
            })
            .sum::<f64>()
            / n as f64;
        assert!((m - 1.0).abs() < 1e-9, "{m}");
    }
}
