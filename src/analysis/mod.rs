//! Analyses of simulated courses: clinical metrics and response
//! classification ([`metrics`]). Later work adds response-probability bands.

pub mod metrics;

pub use metrics::{ClassifySettings, CourseTracker, Metrics, RelapseType, Response};
