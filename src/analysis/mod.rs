//! temp
#![allow(missing_docs)]
pub mod bands;
pub mod density;
