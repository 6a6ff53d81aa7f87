//! One-dimensional densities fitted by maximum likelihood (normal,
//! log-normal) or by a Gaussian kernel density estimate, for the
//! response-probability bands of [L] Fig. 5D/6D (MODELS.md §1: cartsim must
//! name the family it uses and fit it by maximum likelihood).

use crate::math::{exp, ln, pow};
use std::f64::consts::PI;

/// A density family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Normal(μ, σ²), MLE: sample mean and the 1/n standard deviation.
    Normal,
    /// log X ~ Normal(μ, σ²), MLE on the logs; X must be > 0.
    Lognormal,
    /// Gaussian kernel density estimate (on log X when every X > 0 and
    /// `log_scale` is asked for), Silverman's rule-of-thumb bandwidth.
    Kde,
}

impl Family {
    /// Parse `normal` / `lognormal` / `kde`.
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "normal" => Some(Family::Normal),
            "lognormal" => Some(Family::Lognormal),
            "kde" => Some(Family::Kde),
            _ => None,
        }
    }
    /// Name as used on the CLI and in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Normal => "normal",
            Family::Lognormal => "lognormal",
            Family::Kde => "kde",
        }
    }
}

/// A fitted density.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Density {
    /// Family.
    pub family: Family,
    /// Location: μ (of X, or of log X for log-normal / log-scale KDE).
    pub mu: f64,
    /// Scale: σ (or the KDE bandwidth).
    pub sigma: f64,
    /// True when the density works on log X.
    pub log_scale: bool,
    /// Sample size.
    pub n: usize,
    /// Kernel centres (KDE only), in the working scale.
    #[serde(skip)]
    pub centres: Vec<f64>,
}

/// Why a density could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// Fewer than two values.
    TooFewValues(usize),
    /// A non-finite value, or a value ≤ 0 for a log-scale fit.
    BadValue(f64),
}

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FitError::TooFewValues(n) => {
                write!(f, "need at least 2 values to fit a density, got {n}")
            }
            FitError::BadValue(v) => write!(f, "cannot fit this density to the value {v}"),
        }
    }
}

impl std::error::Error for FitError {}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl Density {
    /// Fit `family` to `xs`. `log_scale` asks a KDE to work on log X.
    pub fn fit(family: Family, xs: &[f64], log_scale: bool) -> Result<Density, FitError> {
        if xs.len() < 2 {
            return Err(FitError::TooFewValues(xs.len()));
        }
        let log = matches!(family, Family::Lognormal) || (family == Family::Kde && log_scale);
        let mut w = Vec::with_capacity(xs.len());
        for &x in xs {
            if !x.is_finite() || (log && x <= 0.0) {
                return Err(FitError::BadValue(x));
            }
            w.push(if log { ln(x) } else { x });
        }
        let (mu, sd) = mean_sd(&w);
        // A degenerate sample (all equal) gets a tiny positive width so the
        // density stays defined.
        let floor = 1e-9 * mu.abs().max(1.0);
        match family {
            Family::Normal | Family::Lognormal => Ok(Density {
                family,
                mu,
                sigma: sd.max(floor),
                log_scale: log,
                n: xs.len(),
                centres: Vec::new(),
            }),
            Family::Kde => {
                let mut sorted = w.clone();
                sorted.sort_by(f64::total_cmp);
                let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
                let iqr = q(0.75) - q(0.25);
                let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
                let bw = 0.9 * spread * pow(w.len() as f64, -0.2);
                Ok(Density {
                    family,
                    mu,
                    sigma: bw.max(floor),
                    log_scale: log,
                    n: xs.len(),
                    centres: w,
                })
            }
        }
    }

    /// log p(x) for the density of X (including the 1/x Jacobian on log
    /// scale); −∞ outside the support.
    pub fn ln_pdf(&self, x: f64) -> f64 {
        if self.log_scale && x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let (u, jac) = if self.log_scale {
            (ln(x), -ln(x))
        } else {
            (x, 0.0)
        };
        let s = self.sigma;
        let norm = -ln(s * (2.0 * PI).sqrt());
        match self.family {
            Family::Normal | Family::Lognormal => {
                let z = (u - self.mu) / s;
                norm - 0.5 * z * z + jac
            }
            Family::Kde => {
                // log-sum-exp over kernels.
                let m = self
                    .centres
                    .iter()
                    .map(|c| {
                        let z = (u - c) / s;
                        -0.5 * z * z
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = self
                    .centres
                    .iter()
                    .map(|c| {
                        let z = (u - c) / s;
                        exp(-0.5 * z * z - m)
                    })
                    .sum();
                norm + m + ln(sum / self.centres.len() as f64) + jac
            }
        }
    }

    /// p(x).
    pub fn pdf(&self, x: f64) -> f64 {
        exp(self.ln_pdf(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_mle_and_pdf() {
        let d = Density::fit(Family::Normal, &[1.0, 2.0, 3.0, 4.0], false).unwrap();
        assert!((d.mu - 2.5).abs() < 1e-15);
        assert!((d.sigma - 1.25f64.sqrt()).abs() < 1e-15);
        // Standard normal density at its mean: 1/sqrt(2π).
        let s = Density {
            mu: 0.0,
            sigma: 1.0,
            ..d
        };
        assert!((s.pdf(0.0) - 0.398_942_280_401_432_7).abs() < 1e-15);
    }

    #[test]
    fn lognormal_integrates_to_one() {
        let d = Density::fit(Family::Lognormal, &[1.0, 10.0, 100.0, 30.0], false).unwrap();
        // Trapezoid on a log grid: ∫ p(x) dx = ∫ p(e^u) e^u du.
        let (a, b, n) = (-10.0f64, 20.0f64, 20_000);
        let h = (b - a) / n as f64;
        let total: f64 = (0..=n)
            .map(|i| {
                let u = a + i as f64 * h;
                let w = if i == 0 || i == n { 0.5 } else { 1.0 };
                w * d.pdf(u.exp()) * u.exp() * h
            })
            .sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        assert!(Density::fit(Family::Lognormal, &[1.0, -1.0], false).is_err());
    }

    #[test]
    fn kde_integrates_to_one() {
        let d = Density::fit(Family::Kde, &[1.0, 1.5, 2.0, 7.0, 7.5], false).unwrap();
        let (a, b, n) = (-20.0f64, 30.0f64, 50_000);
        let h = (b - a) / n as f64;
        let total: f64 = (0..=n).map(|i| d.pdf(a + i as f64 * h) * h).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        assert!(Density::fit(Family::Kde, &[1.0], false).is_err());
    }
}
