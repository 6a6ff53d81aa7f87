//! TEMPORARY private copies of the two models' right-hand sides (MODELS.md §1,
//! §2, corrected marrow form, extinction off), used only until the library's
//! `cartsim::model::{clinical, marrow}` land on `main`; then this file goes.

use cartsim::solver::OdeSystem;

/// Clinical model of [L]: state (nP, nTA, nTN, nN), 10^9 cells.
#[derive(Debug, Clone, Copy)]
pub struct Clinical {
    pub r_p: f64,
    pub r_ta: f64,
    pub l_ta: f64,
    pub l_tn: f64,
    pub n_c: f64,
    pub e: f64,
    pub k_p: f64,
    pub k_r: f64,
    pub k_a_sat: f64,
    pub k_a: f64,
    pub r_n: f64,
    pub k_m: f64,
    pub k_b: f64,
    pub k_n: f64,
}

impl OdeSystem for Clinical {
    fn dim(&self) -> usize {
        4
    }
    #[inline]
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let (np, nta, ntn, nn) = (y[0], y[1], y[2], y[3]);
        let act = self.k_a * ntn * np / (np + self.k_a_sat);
        dy[0] = self.r_p * np * (1.0 - np / self.n_c) - self.e * nta * np / (np + self.k_p);
        dy[1] = self.r_ta * nta * np / (np + self.k_r) + act - self.l_ta * nta;
        dy[2] = -act - self.l_tn * ntn;
        dy[3] = self.r_n * nn * (1.0 - nn / self.n_c) + self.k_m * np
            - self.e * nta * nn / (self.k_b * nn + self.k_n);
    }
}

/// Bone-marrow model of [M]: state (B0, B1, B2, B3, L, CA, CM), cells.
#[derive(Debug, Clone, Copy)]
pub struct Marrow {
    pub rho0: f64,
    pub rho1: f64,
    pub rho2: f64,
    pub gamma0: f64,
    pub gamma1: f64,
    pub gamma2: f64,
    pub gamma3: f64,
    pub k: f64,
    pub rho_l: f64,
    pub l_max: f64,
    pub gamma_l: f64,
    pub alpha: f64,
    pub rho_c: f64,
    pub tau_a: f64,
    pub gamma_am: f64,
    pub gamma_ma: f64,
    pub tau_m: f64,
    pub h: f64,
}

impl OdeSystem for Marrow {
    fn dim(&self) -> usize {
        7
    }
    #[inline]
    fn rhs(&self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let (b0, b1, b2, b3, l, ca, cm) = (y[0], y[1], y[2], y[3], y[4], y[5], y[6]);
        let s = b0 + b1 + b2 + b3;
        let sh = 1.0 / (1.0 + self.k * (s + l));
        let sl = 1.0 / (1.0 + self.k * s);
        let a = b1 + b2 + b3 + l;
        let f = a / (self.h + a);
        let kill = self.alpha * ca;
        dy[0] = sh * self.rho0 * b0 - self.gamma0 * b0;
        dy[1] = sh * self.rho1 * b1 + self.gamma0 * b0 - self.gamma1 * b1 - kill * b1;
        dy[2] = sh * self.rho2 * b2 + self.gamma1 * b1 - self.gamma2 * b2 - kill * b2;
        dy[3] = self.gamma2 * b2 - self.gamma3 * b3 - kill * b3;
        dy[4] = sl * self.rho_l * l * (1.0 - l / self.l_max) - self.gamma_l * l - kill * l;
        let to_mem = (1.0 - f) * self.gamma_am * ca;
        let from_mem = f * self.gamma_ma * cm;
        dy[5] = f * self.rho_c * ca + from_mem - ca / self.tau_a - to_mem;
        dy[6] = to_mem - cm / self.tau_m - from_mem;
    }
}
