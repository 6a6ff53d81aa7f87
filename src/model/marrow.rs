//! Bone-marrow model of Martínez-Rubio et al. (2021) — placeholder until issue 4 lands.

use super::{ModelError, SimRequest, SimTable};

/// Simulate a request (not implemented yet).
pub fn simulate(_req: &SimRequest) -> Result<SimTable, ModelError> {
    Err(ModelError::Invalid(
        "this model is not implemented yet".into(),
    ))
}
