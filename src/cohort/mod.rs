//! Virtual patients and cohorts.
pub mod rng;
