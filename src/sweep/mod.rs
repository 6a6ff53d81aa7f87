//! Parameter sweeps for any model: a [`Grid`] of points over one or more
//! [`Axis`] (linear or log spacing), and a function from a point to an
//! outcome ([`Evaluate`]), run over the whole grid or over a slice of grid
//! indices ([`run_range`]) so a front end without threads (the browser) can
//! split the work into chunks for workers and report progress.
//!
//! Natively, with the `parallel` feature, [`run`] spreads points over rayon's
//! threads; each worker builds one [`Evaluate::Scratch`] (its own solver
//! workspace and observer) and reuses it for every point it takes, so the
//! inner loop does not allocate per solve beyond what the solver's
//! [`Outcome`](crate::solver::Outcome) itself carries. Without the feature
//! (and in WebAssembly) the same call runs serially.
//!
//! Grid points are numbered row-major: the last axis varies fastest.
//!
//! [`stats`] holds the Wilcoxon rank-sum test used to compare groups;
//! [`marrow`] the bone-marrow model's outcomes and the Fig. 7 experiment.

pub mod marrow;
pub mod stats;

use std::fmt;
use std::ops::Range;

/// Most axes a grid may have.
pub const MAX_AXES: usize = 4;

/// How values are spread between the ends of an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Spacing {
    /// Evenly in the value.
    Lin,
    /// Evenly in log10 of the value (both ends must be > 0).
    Log,
}

/// A sweep failure as a value.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepError(pub String);

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SweepError {}

/// One swept parameter: `n` values from `lo` to `hi` inclusive.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Axis {
    /// Parameter name (as the model knows it).
    pub name: String,
    /// First value.
    pub lo: f64,
    /// Last value.
    pub hi: f64,
    /// Spacing.
    pub spacing: Spacing,
    /// Number of values (≥ 1; with 1, the axis is just `lo`).
    pub n: usize,
}

impl Axis {
    /// A checked axis.
    pub fn new(
        name: &str,
        lo: f64,
        hi: f64,
        spacing: Spacing,
        n: usize,
    ) -> Result<Axis, SweepError> {
        let err = |m: String| Err(SweepError(format!("axis '{name}': {m}")));
        if name.is_empty() {
            return Err(SweepError("an axis needs a parameter name".into()));
        }
        if !(lo.is_finite() && hi.is_finite()) {
            return err("the ends must be finite numbers".into());
        }
        if spacing == Spacing::Log && !(lo > 0.0 && hi > 0.0) {
            return err(format!("log spacing needs ends > 0, got {lo} and {hi}"));
        }
        if n == 0 || n > 1_000_000 {
            return err(format!(
                "the number of values must be 1 to 1000000, got {n}"
            ));
        }
        Ok(Axis {
            name: name.to_string(),
            lo,
            hi,
            spacing,
            n,
        })
    }

    /// Parse `NAME:LO:HI:lin|log:N`.
    pub fn parse(text: &str) -> Result<Axis, SweepError> {
        let parts: Vec<&str> = text.split(':').map(str::trim).collect();
        if parts.len() != 5 {
            return Err(SweepError(format!(
                "axis '{text}': expected NAME:LO:HI:lin|log:N"
            )));
        }
        let num = |s: &str| {
            s.parse::<f64>()
                .map_err(|_| SweepError(format!("axis '{text}': '{s}' is not a number")))
        };
        let spacing = match parts[3] {
            "lin" => Spacing::Lin,
            "log" => Spacing::Log,
            other => {
                return Err(SweepError(format!(
                    "axis '{text}': spacing '{other}' must be lin or log"
                )))
            }
        };
        let n = parts[4]
            .parse::<usize>()
            .map_err(|_| SweepError(format!("axis '{text}': '{}' is not a count", parts[4])))?;
        Axis::new(parts[0], num(parts[1])?, num(parts[2])?, spacing, n)
    }

    /// Value number `i` (0-based); the last is exactly `hi`.
    pub fn value(&self, i: usize) -> f64 {
        if self.n <= 1 {
            return self.lo;
        }
        if i + 1 == self.n {
            return self.hi;
        }
        let f = i as f64 / (self.n - 1) as f64;
        match self.spacing {
            Spacing::Lin => self.lo + (self.hi - self.lo) * f,
            Spacing::Log => {
                let (a, b) = (self.lo.log10(), self.hi.log10());
                10f64.powf(a + (b - a) * f)
            }
        }
    }

    /// All values.
    pub fn values(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.value(i)).collect()
    }
}

/// A full factorial grid over up to [`MAX_AXES`] axes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Grid {
    /// The axes; the last varies fastest.
    pub axes: Vec<Axis>,
}

impl Grid {
    /// A checked grid.
    pub fn new(axes: Vec<Axis>) -> Result<Grid, SweepError> {
        if axes.is_empty() || axes.len() > MAX_AXES {
            return Err(SweepError(format!(
                "a grid needs 1 to {MAX_AXES} axes, got {}",
                axes.len()
            )));
        }
        let total = axes
            .iter()
            .try_fold(1usize, |acc, a| acc.checked_mul(a.n))
            .filter(|t| *t <= 100_000_000);
        if total.is_none() {
            return Err(SweepError("the grid has more than 1e8 points".into()));
        }
        Ok(Grid { axes })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.n).product()
    }

    /// True when the grid has no points (never, for a checked grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Write point `index`'s coordinates into `out[..axes.len()]`.
    pub fn point(&self, index: usize, out: &mut [f64]) {
        let mut rest = index;
        for (d, a) in self.axes.iter().enumerate().rev() {
            out[d] = a.value(rest % a.n);
            rest /= a.n;
        }
    }

    /// Per-axis value indices of point `index`.
    pub fn indices(&self, index: usize) -> [usize; MAX_AXES] {
        let mut idx = [0; MAX_AXES];
        let mut rest = index;
        for (d, a) in self.axes.iter().enumerate().rev() {
            idx[d] = rest % a.n;
            rest /= a.n;
        }
        idx
    }
}

/// A function from a grid point to an outcome, with a per-worker scratch
/// space (solver workspace, observer) reused across points.
pub trait Evaluate: Sync {
    /// Per-worker reusable state.
    type Scratch: Send;
    /// What one point produces.
    type Out: Send;
    /// A fresh scratch (called once per worker, not per point).
    fn scratch(&self) -> Self::Scratch;
    /// Evaluate one point (`point[d]` is the value on axis d).
    fn eval(&self, point: &[f64], scratch: &mut Self::Scratch) -> Self::Out;
}

/// Any `Fn(&[f64]) -> T` is an [`Evaluate`] with no scratch.
pub struct FnEval<F>(pub F);

impl<T: Send, F: Fn(&[f64]) -> T + Sync> Evaluate for FnEval<F> {
    type Scratch = ();
    type Out = T;
    fn scratch(&self) {}
    fn eval(&self, point: &[f64], _: &mut ()) -> T {
        (self.0)(point)
    }
}

/// Evaluate the points `range` of `grid` serially (one chunk of a sweep),
/// calling `progress(done, total)` after each point. The range is clipped
/// to the grid.
pub fn run_range<E: Evaluate>(
    grid: &Grid,
    ev: &E,
    range: Range<usize>,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<E::Out> {
    let end = range.end.min(grid.len());
    let start = range.start.min(end);
    let total = end - start;
    let mut scratch = ev.scratch();
    let mut pt = [0.0; MAX_AXES];
    let mut out = Vec::with_capacity(total);
    for (done, i) in (start..end).enumerate() {
        grid.point(i, &mut pt);
        out.push(ev.eval(&pt[..grid.axes.len()], &mut scratch));
        progress(done + 1, total);
    }
    out
}

/// Evaluate every point of `grid`, in parallel natively when the `parallel`
/// feature is on, serially otherwise. Results are in grid order.
pub fn run<E: Evaluate>(grid: &Grid, ev: &E) -> Vec<E::Out> {
    run_part(grid, ev, 0..grid.len())
}

/// Evaluate the points `range` of `grid` (clipped to the grid), in parallel
/// natively when the `parallel` feature is on (one shard of a sweep).
pub fn run_part<E: Evaluate>(grid: &Grid, ev: &E, range: Range<usize>) -> Vec<E::Out> {
    let end = range.end.min(grid.len());
    let range = range.start.min(end)..end;
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        let k = grid.axes.len();
        range
            .into_par_iter()
            .map_init(
                || ev.scratch(),
                |s, i| {
                    let mut pt = [0.0; MAX_AXES];
                    grid.point(i, &mut pt);
                    ev.eval(&pt[..k], s)
                },
            )
            .collect()
    }
    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    {
        run_range(grid, ev, range, &mut |_, _| {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_values_lin_and_log() {
        let a = Axis::parse("x:0:1:lin:5").unwrap();
        assert_eq!(a.values(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let b = Axis::parse("h:1e8:1e11:log:4").unwrap();
        let v = b.values();
        for (got, want) in v.iter().zip([1e8, 1e9, 1e10, 1e11]) {
            assert!((got / want - 1.0).abs() < 1e-12, "{got} vs {want}");
        }
        assert!(Axis::parse("h:0:1:log:3").is_err());
        assert!(Axis::parse("h:1:2:cubic:3").is_err());
        assert!(Axis::parse("h:1:2:lin:0").is_err());
        assert!(Axis::parse("h:1:2:lin").is_err());
        assert!(Axis::parse("h:a:2:lin:3").is_err());
    }

    #[test]
    fn grid_is_row_major_and_chunks_match_the_whole() {
        let g = Grid::new(vec![
            Axis::parse("a:1:3:lin:3").unwrap(),
            Axis::parse("b:10:20:lin:2").unwrap(),
        ])
        .unwrap();
        assert_eq!(g.len(), 6);
        let mut p = [0.0; MAX_AXES];
        g.point(1, &mut p);
        assert_eq!(&p[..2], &[1.0, 20.0]);
        g.point(4, &mut p);
        assert_eq!(&p[..2], &[3.0, 10.0]);
        let f = FnEval(|x: &[f64]| x[0] * 100.0 + x[1]);
        let all = run(&g, &f);
        assert_eq!(all, vec![110.0, 120.0, 210.0, 220.0, 310.0, 320.0]);
        let mut seen = Vec::new();
        let mut chunks = run_range(&g, &f, 0..4, &mut |d, t| seen.push((d, t)));
        chunks.extend(run_range(&g, &f, 4..100, &mut |_, _| {}));
        assert_eq!(chunks, all);
        assert_eq!(seen.last(), Some(&(4, 4)));
        assert!(Grid::new(vec![]).is_err());
    }
}
