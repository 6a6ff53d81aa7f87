//! Early prediction of a patient's response from days 0–7.
pub mod lm;
