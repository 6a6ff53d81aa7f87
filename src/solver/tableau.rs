//! Butcher tableaus: the data that drives the one stepping engine in
//! [`super::engine`]. A method is nothing but its coefficients.

/// How a method interpolates inside an accepted step (its continuous extension).
#[derive(Debug, Clone, Copy)]
pub enum DenseOutput {
    /// Cubic Hermite interpolation from y and f at both ends of the step
    /// (third order; used for methods without a continuous extension).
    Hermite,
    /// `y(t + θh) = y + h Σ_i k_i Σ_j P[i][j] θ^(j+1)`: one row of
    /// polynomial coefficients per stage.
    Poly(&'static [&'static [f64]]),
}

/// An explicit Runge–Kutta method in Butcher form.
#[derive(Debug)]
pub struct Tableau {
    /// Human name, e.g. "Dormand–Prince 5(4)".
    pub name: &'static str,
    /// Classical order of the propagated solution.
    pub order: u32,
    /// Nodes c_i.
    pub c: &'static [f64],
    /// Strictly lower-triangular coupling coefficients: row i has i entries.
    pub a: &'static [&'static [f64]],
    /// Weights b_i of the propagated solution.
    pub b: &'static [f64],
    /// Error weights `b_i − b̂_i` of the embedded pair; `None` for fixed-step
    /// methods without an error estimate.
    pub e: Option<&'static [f64]>,
    /// First Same As Last: the last stage is evaluated at the new point
    /// (`a[s-1] == b`, `c[s-1] == 1`), so it is the next step's first stage.
    pub fsal: bool,
    /// Continuous extension used for output grids and event location.
    pub dense: DenseOutput,
    /// Exponent order used by step-size control (order of the error estimate + 1).
    pub err_order: u32,
}

impl Tableau {
    /// Number of stages.
    pub fn stages(&self) -> usize {
        self.b.len()
    }
}

/// Classical fourth-order Runge–Kutta, fixed step.
pub static RK4: Tableau = Tableau {
    name: "classical Runge–Kutta 4",
    order: 4,
    c: &[0.0, 0.5, 0.5, 1.0],
    a: &[&[], &[0.5], &[0.0, 0.5], &[0.0, 0.0, 1.0]],
    b: &[1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0],
    e: None,
    fsal: false,
    dense: DenseOutput::Hermite,
    err_order: 4,
};

/// Dormand–Prince 5(4) (Dormand & Prince 1980; Hairer, Nørsett & Wanner,
/// *Solving ODEs I*, II.5), with its fourth-order continuous extension.
pub static DOPRI5: Tableau = Tableau {
    name: "Dormand–Prince 5(4)",
    order: 5,
    c: &[0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0],
    a: &[
        &[],
        &[1.0 / 5.0],
        &[3.0 / 40.0, 9.0 / 40.0],
        &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
        &[
            19372.0 / 6561.0,
            -25360.0 / 2187.0,
            64448.0 / 6561.0,
            -212.0 / 729.0,
        ],
        &[
            9017.0 / 3168.0,
            -355.0 / 33.0,
            46732.0 / 5247.0,
            49.0 / 176.0,
            -5103.0 / 18656.0,
        ],
        &[
            35.0 / 384.0,
            0.0,
            500.0 / 1113.0,
            125.0 / 192.0,
            -2187.0 / 6784.0,
            11.0 / 84.0,
        ],
    ],
    b: &[
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
        0.0,
    ],
    e: Some(&[
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
    ]),
    fsal: true,
    dense: DenseOutput::Poly(&[
        &[
            1.0,
            -8048581381.0 / 2820520608.0,
            8663915743.0 / 2820520608.0,
            -12715105075.0 / 11282082432.0,
        ],
        &[0.0, 0.0, 0.0, 0.0],
        &[
            0.0,
            131558114200.0 / 32700410799.0,
            -68118460800.0 / 10900136933.0,
            87487479700.0 / 32700410799.0,
        ],
        &[
            0.0,
            -1754552775.0 / 470086768.0,
            14199869525.0 / 1410260304.0,
            -10690763975.0 / 1880347072.0,
        ],
        &[
            0.0,
            127303824393.0 / 49829197408.0,
            -318862633887.0 / 49829197408.0,
            701980252875.0 / 199316789632.0,
        ],
        &[
            0.0,
            -282668133.0 / 205662961.0,
            2019193451.0 / 616988883.0,
            -1453857185.0 / 822651844.0,
        ],
        &[
            0.0,
            40617522.0 / 29380423.0,
            -110615467.0 / 29380423.0,
            69997945.0 / 29380423.0,
        ],
    ]),
    err_order: 5,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn check_consistency(t: &Tableau) {
        let s = t.stages();
        assert_eq!(t.c.len(), s);
        assert_eq!(t.a.len(), s);
        for (i, row) in t.a.iter().enumerate() {
            assert_eq!(row.len(), i, "{}: row {i}", t.name);
            let sum: f64 = row.iter().sum();
            assert!((sum - t.c[i]).abs() < 1e-14, "{}: row sum {i}", t.name);
        }
        let bsum: f64 = t.b.iter().sum();
        assert!((bsum - 1.0).abs() < 1e-14);
        if let Some(e) = t.e {
            let esum: f64 = e.iter().sum();
            assert!(
                esum.abs() < 1e-14,
                "{}: error weights must sum to 0",
                t.name
            );
        }
        if t.fsal {
            for (x, y) in t.a[s - 1].iter().zip(t.b) {
                assert_eq!(x, y);
            }
        }
        if let DenseOutput::Poly(p) = t.dense {
            // At θ = 1 the continuous extension must reproduce b.
            for (row, b) in p.iter().zip(t.b) {
                let at1: f64 = row.iter().sum();
                assert!((at1 - b).abs() < 1e-12, "{}: dense(1) != b", t.name);
            }
        }
    }

    #[test]
    fn tableaus_are_consistent() {
        check_consistency(&RK4);
        check_consistency(&DOPRI5);
    }
}
