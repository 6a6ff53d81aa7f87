//! The designs of a sensitivity study: which parameter points are solved,
//! numbered row by row so any range of rows can be computed anywhere (a
//! thread, a worker, a shard on another machine) and the rows put together
//! give exactly the study of one run.
//!
//! - Sobol (Saltelli 2010): base samples `j = 0..N` of a scrambled Sobol'
//!   sequence in 2k dimensions (A = the first k, B = the last k); base
//!   sample `j` owns rows `j·(k+2) ..`: A_j, B_j, then A_j with column i
//!   taken from B_j for each input i.
//! - Morris: `r` trajectories of k + 1 points on a 4-level grid (step Δ = 2/3),
//!   each drawn from its own seeded stream; trajectory `t` owns rows
//!   `t·(k+1) ..`.
//! - Local: the nominal point, then each input moved up and down by a step
//!   in ln p (rows 1 + 2i and 2 + 2i).

use super::dist::Distribution;
use crate::cohort::rng::Stream;

/// Levels of the Morris grid.
pub const MORRIS_LEVELS: usize = 4;
/// Morris step in the unit cube: p / (2 (p − 1)) for p levels.
pub const MORRIS_DELTA: f64 = MORRIS_LEVELS as f64 / (2.0 * (MORRIS_LEVELS as f64 - 1.0));
/// Most inputs a Sobol study may have (2k dimensions of the sequence).
pub const MAX_SOBOL_INPUTS: usize = (sobol_burley::NUM_DIMENSIONS / 2) as usize;

/// The method of a study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Normalised local coefficients ∂ln y/∂ln p by central differences.
    Local,
    /// Sobol' first-order and total indices (Saltelli sampling).
    Sobol,
    /// Morris elementary effects (μ*, σ).
    Morris,
}

impl Method {
    /// Every method, in menu order.
    pub const ALL: [Method; 3] = [Method::Sobol, Method::Morris, Method::Local];
    /// The method's name (`local`, `sobol`, `morris`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Local => "local",
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
    /// The method named `s`.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One input of a study.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Input {
    /// Parameter name.
    pub name: String,
    /// Its nominal value (the scenario's).
    pub nominal: f64,
    /// Its distribution (global methods).
    pub dist: Distribution,
    /// Allowed range (the local method's steps stay inside it).
    pub range: (f64, f64),
}

/// Which points a study solves.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Method.
    pub method: Method,
    /// The inputs.
    pub inputs: Vec<Input>,
    /// Base samples (Sobol), trajectories (Morris); ignored by local.
    pub samples: usize,
    /// Seed of the scrambling / trajectories.
    pub seed: u64,
    /// Local step in ln p.
    pub local_step: f64,
}

/// The Sobol' sequence's 32-bit seed for block `block` of 2^16 points of a
/// study seeded with `seed` (the sequence has 2^16 points per seed; longer
/// designs continue with independently scrambled blocks).
fn block_seed(seed: u64, block: u64) -> u32 {
    let s = seed ^ block.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (s ^ (s >> 32)) as u32
}

/// Coordinate `dim` of point `index` of the study's scrambled Sobol'
/// sequence, in [0, 1).
pub fn sobol_point(seed: u64, index: u64, dim: u32) -> f64 {
    let s = block_seed(seed, index >> 16);
    f64::from(sobol_burley::sample((index & 0xffff) as u32, dim, s))
}

impl Design {
    /// Number of inputs.
    pub fn k(&self) -> usize {
        self.inputs.len()
    }

    /// Rows (solves) of the whole design.
    pub fn rows(&self) -> usize {
        let k = self.k();
        match self.method {
            Method::Sobol => self.samples * (k + 2),
            Method::Morris => self.samples * (k + 1),
            Method::Local => 1 + 2 * k,
        }
    }

    /// Rows that belong together (a base sample, a trajectory): shards split
    /// at multiples of this, never inside a group.
    pub fn group(&self) -> usize {
        match self.method {
            Method::Sobol => self.k() + 2,
            Method::Morris => self.k() + 1,
            Method::Local => 1,
        }
    }

    /// The parameter values of row `row` into `out` (length k).
    pub fn point(&self, row: usize, out: &mut [f64]) {
        let k = self.k();
        match self.method {
            Method::Sobol => {
                let (j, m) = ((row / (k + 2)) as u64, row % (k + 2));
                for (i, inp) in self.inputs.iter().enumerate() {
                    let from_b = m == 1 || m == i + 2;
                    let dim = if from_b { k + i } else { i };
                    out[i] = inp.dist.quantile(sobol_point(self.seed, j, dim as u32));
                }
            }
            Method::Morris => {
                let (t, m) = (row / (k + 1), row % (k + 1));
                let traj = morris_trajectory(self.seed, t as u64, k);
                for (i, inp) in self.inputs.iter().enumerate() {
                    out[i] = inp.dist.quantile(traj.start[i]);
                }
                for &(i, dir) in &traj.moves[..m] {
                    let u = traj.start[i] + dir * MORRIS_DELTA;
                    out[i] = self.inputs[i].dist.quantile(u);
                }
            }
            Method::Local => {
                for (i, inp) in self.inputs.iter().enumerate() {
                    out[i] = inp.nominal;
                }
                if row > 0 {
                    let i = (row - 1) / 2;
                    let (up, down) = self.local_points(i);
                    out[i] = if row % 2 == 1 { up } else { down };
                }
            }
        }
    }

    /// The local method's two points of input `i`: p·e^{±δ}, kept inside its range.
    pub fn local_points(&self, i: usize) -> (f64, f64) {
        let inp = &self.inputs[i];
        let p = inp.nominal;
        let e = crate::math::exp(self.local_step);
        ((p * e).min(inp.range.1), (p / e).max(inp.range.0))
    }
}

/// One Morris trajectory in the unit cube: a start on the grid and the order
/// and direction (+1 up, −1 down) in which each input moves by Δ.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Start point.
    pub start: Vec<f64>,
    /// (input, direction) in the order the inputs move.
    pub moves: Vec<(usize, f64)>,
}

/// Trajectory `t` of a Morris study seeded with `seed`, from its own stream.
pub fn morris_trajectory(seed: u64, t: u64, k: usize) -> Trajectory {
    let mut s = Stream::substream(seed ^ 0x6d6f_7272_6973, t);
    let step = 1.0 / (MORRIS_LEVELS as f64 - 1.0);
    // Starting levels from which a move of Δ stays on the grid.
    let lows = MORRIS_LEVELS - (MORRIS_DELTA / step).round() as usize;
    let mut start = vec![0.0; k];
    let mut dirs = vec![1.0; k];
    for i in 0..k {
        let low = ((s.uniform() * lows as f64) as usize).min(lows - 1) as f64 * step;
        if s.uniform() < 0.5 {
            start[i] = low;
            dirs[i] = 1.0;
        } else {
            start[i] = low + MORRIS_DELTA;
            dirs[i] = -1.0;
        }
    }
    // Random order (Fisher–Yates).
    let mut order: Vec<usize> = (0..k).collect();
    for i in (1..k).rev() {
        let j = ((s.uniform() * (i + 1) as f64) as usize).min(i);
        order.swap(i, j);
    }
    Trajectory {
        start,
        moves: order.into_iter().map(|i| (i, dirs[i])).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sobol_points_are_stratified_and_blocks_differ() {
        // The first 2^m points of a (scrambled) Sobol' sequence put exactly
        // one point in each interval [i/2^m, (i+1)/2^m) of every dimension.
        for dim in [0, 1, 7, 200] {
            let mut hit = [false; 64];
            for j in 0..64 {
                let u = sobol_point(5, j, dim);
                assert!((0.0..1.0).contains(&u));
                hit[(u * 64.0) as usize] = true;
            }
            assert!(hit.iter().all(|h| *h), "dimension {dim}");
        }
        // Past 2^16 points the sequence continues with another scrambling.
        assert_ne!(sobol_point(5, 0, 0), sobol_point(5, 1 << 16, 0));
        assert_eq!(sobol_point(5, 3, 2), sobol_point(5, 3, 2));
    }

    #[test]
    fn rows_are_the_same_in_any_order_and_morris_moves_by_delta() {
        let inputs: Vec<Input> = (0..3)
            .map(|i| Input {
                name: format!("p{i}"),
                nominal: 1.0,
                dist: Distribution::Uniform { lo: 0.0, hi: 1.0 },
                range: (0.0, 1.0),
            })
            .collect();
        for method in Method::ALL {
            let d = Design {
                method,
                inputs: inputs.clone(),
                samples: 4,
                seed: 9,
                local_step: 0.01,
            };
            let mut fwd = vec![[0.0; 3]; d.rows()];
            for (r, x) in fwd.iter_mut().enumerate() {
                d.point(r, x);
            }
            for r in (0..d.rows()).rev() {
                let mut x = [0.0; 3];
                d.point(r, &mut x);
                assert_eq!(x, fwd[r]);
            }
            if method == Method::Morris {
                // Consecutive points of a trajectory differ in one input by Δ.
                for t in 0..4 {
                    for m in 0..3 {
                        let (a, b) = (fwd[t * 4 + m], fwd[t * 4 + m + 1]);
                        let moved: Vec<f64> = (0..3)
                            .map(|i| (b[i] - a[i]).abs())
                            .filter(|v| *v > 0.0)
                            .collect();
                        assert_eq!(moved.len(), 1);
                        assert!((moved[0] - MORRIS_DELTA).abs() < 1e-12);
                    }
                }
            }
            if method == Method::Sobol {
                // AB_i takes input i from B and the rest from A.
                let (a, b, ab1) = (fwd[0], fwd[1], fwd[3]);
                assert_eq!([ab1[0], ab1[1], ab1[2]], [a[0], b[1], a[2]]);
            }
        }
    }
}
