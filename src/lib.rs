//! cartsim: a CAR T-cell therapy simulator. Two published B-ALL models
//! (see `MODELS.md` in the shared spec, summarised in the README's "Model
//! notes"), our own Runge–Kutta solvers, analyses, and two front ends: the
//! native `cartsim` command line and a WebAssembly page.
#![warn(missing_docs)]
// The docs cite the two papers as [L] and [M] (as MODELS.md does); rustdoc
// would read those as links to items.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::private_intra_doc_links)]

pub mod analysis;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod cohort;
pub mod compare;
pub mod data;
pub mod fit;
pub mod jobs;
pub mod math;
pub mod model;
pub mod parity;
pub mod plot;
pub mod predict;
pub mod scenario;
pub mod sensitivity;
pub mod solver;
pub mod sweep;

#[cfg(target_arch = "wasm32")]
pub mod web;
