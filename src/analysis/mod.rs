//! Analyses of simulated courses: clinical metrics and response
//! classification ([`metrics`]), densities fitted by maximum likelihood or
//! kernels ([`density`]) and the FT/FP response-probability bands ([`bands`]).

pub mod bands;
pub mod density;
pub mod metrics;

pub use metrics::{ClassifySettings, CourseTracker, Metrics, RelapseType, Response};
