//! One-dimensional densities fitted by maximum likelihood (normal,
//! log-normal, each with its own variance or with one variance pooled over
//! the classes) or by a Gaussian kernel density estimate, for the
//! response-probability bands of [L] Fig. 5D/6D (MODELS.md §1: cartsim must
//! name the family it uses and fit it by maximum likelihood).
//!
//! The bands' defaults are the pooled families ([`Family::PooledNormal`],
//! [`Family::PooledLognormal`]); [`crate::analysis::bands`] says why. The
//! pooled fit is [`fit_classes`]: each class's own mean, and one standard
//! deviation for all, both maximum-likelihood estimates of the model
//! "class i ~ Normal(μ_i, σ²)".

use crate::math::{exp, ln, pow};
use std::f64::consts::PI;

/// A density family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Normal(μ, σ²), MLE: sample mean and the 1/n standard deviation.
    Normal,
    /// log X ~ Normal(μ, σ²), MLE on the logs; X must be > 0.
    Lognormal,
    /// Gaussian kernel density estimate (on log X when every X > 0 and
    /// `log_scale` is asked for), Silverman's rule-of-thumb bandwidth.
    Kde,
    /// Normal(μ_i, σ²) with one σ shared by every class fitted together
    /// ([`fit_classes`]), MLE: each class's mean and the pooled 1/N
    /// within-class standard deviation. Fitted alone, it is [`Family::Normal`].
    PooledNormal,
    /// log X ~ Normal(μ_i, σ²) with one σ shared by the classes, MLE on the
    /// logs; X must be > 0. Fitted alone, it is [`Family::Lognormal`].
    PooledLognormal,
}

impl Family {
    /// Every family, in the order the CLI lists them.
    pub const ALL: [Family; 5] = [
        Family::PooledNormal,
        Family::PooledLognormal,
        Family::Normal,
        Family::Lognormal,
        Family::Kde,
    ];

    /// Parse `pooled-normal` / `pooled-lognormal` / `normal` / `lognormal` / `kde`.
    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == s)
    }
    /// Name as used on the CLI and in the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Normal => "normal",
            Family::Lognormal => "lognormal",
            Family::Kde => "kde",
            Family::PooledNormal => "pooled-normal",
            Family::PooledLognormal => "pooled-lognormal",
        }
    }
    /// One line for people: what is fitted to each class.
    pub fn describe(self) -> &'static str {
        match self {
            Family::Normal => "normal, each class its own mean and variance",
            Family::Lognormal => "log-normal, each class its own mean and variance of log X",
            Family::Kde => "Gaussian kernel density estimate, Silverman bandwidth",
            Family::PooledNormal => "normal, each class its own mean, one pooled variance",
            Family::PooledLognormal => {
                "log-normal, each class its own mean of log X, one pooled variance"
            }
        }
    }
    /// True for the families whose variance is shared by the classes.
    pub fn is_pooled(self) -> bool {
        matches!(self, Family::PooledNormal | Family::PooledLognormal)
    }
    /// True when the family works on log X whatever the axis.
    fn is_log(self) -> bool {
        matches!(self, Family::Lognormal | Family::PooledLognormal)
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
        let log = family.is_log() || (family == Family::Kde && log_scale);
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
            Family::Normal | Family::Lognormal | Family::PooledNormal | Family::PooledLognormal => {
                Ok(Density {
                    family,
                    mu,
                    sigma: sd.max(floor),
                    log_scale: log,
                    n: xs.len(),
                    centres: Vec::new(),
                })
            }
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
            Family::Normal | Family::Lognormal | Family::PooledNormal | Family::PooledLognormal => {
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

/// Fit `family` to each sample (one per class) together. For a pooled
/// family every fit then gets the pooled standard deviation
/// σ = √(Σ_i Σ_k (x_ik − μ_i)² / N), N = Σ_i n_i: the maximum-likelihood σ
/// of "class i ~ Normal(μ_i, σ²)" (on log X for the log-normal), whose
/// density ratios are monotone in X (MODELS.md §1, response bands). Other
/// families are fitted class by class. A failure names the sample's index.
pub fn fit_classes(
    family: Family,
    samples: &[&[f64]],
    log_scale: bool,
) -> Result<Vec<Density>, (usize, FitError)> {
    let mut fits = samples
        .iter()
        .enumerate()
        .map(|(i, xs)| Density::fit(family, xs, log_scale).map_err(|e| (i, e)))
        .collect::<Result<Vec<_>, _>>()?;
    if family.is_pooled() && !fits.is_empty() {
        // Σ n_i σ_i² is the within-class sum of squares (σ_i is the 1/n_i
        // MLE). Each σ_i is > 0 (a degenerate class has a tiny floor), so the
        // pooled σ is too. `sqrt` is correctly rounded on every target.
        let n: usize = fits.iter().map(|d| d.n).sum();
        let ss: f64 = fits.iter().map(|d| d.n as f64 * d.sigma * d.sigma).sum();
        let sigma = (ss / n as f64).sqrt();
        for d in &mut fits {
            d.sigma = sigma;
        }
    }
    Ok(fits)
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

    #[test]
    fn pooled_fit_shares_the_mle_sigma_and_keeps_each_mean() {
        let a = [0.0, 2.0]; // mean 1, SS 2
        let b = [10.0, 14.0, 12.0, 16.0]; // mean 13, SS 20
        let fits = fit_classes(Family::PooledNormal, &[&a, &b], false).unwrap();
        assert_eq!((fits[0].mu, fits[1].mu), (1.0, 13.0));
        let sigma = (22.0f64 / 6.0).sqrt();
        assert!(fits.iter().all(|d| (d.sigma - sigma).abs() < 1e-15));
        // Per-class families keep their own σ.
        let own = fit_classes(Family::Normal, &[&a, &b], false).unwrap();
        assert_eq!((own[0].sigma, own[1].sigma), (1.0, 5.0f64.sqrt()));
        // Log-normal: pooled on the logs, whatever the axis.
        let l = fit_classes(
            Family::PooledLognormal,
            &[&[1.0, 100.0], &[10.0, 10.0]],
            false,
        )
        .unwrap();
        assert!(l[0].log_scale && l[1].log_scale);
        assert!((l[0].sigma - l[1].sigma).abs() == 0.0);
        assert!((l[0].sigma - (2.0f64.ln() + 5.0f64.ln()) / 2.0f64.sqrt()).abs() < 1e-12);
        assert_eq!(
            fit_classes(Family::PooledNormal, &[&a, &[1.0]], false).unwrap_err(),
            (1, FitError::TooFewValues(1))
        );
    }

    #[test]
    fn family_names_round_trip() {
        for f in Family::ALL {
            assert_eq!(Family::parse(f.as_str()), Some(f));
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.as_str()));
        }
        assert_eq!(Family::parse("pooled"), None);
    }
}
