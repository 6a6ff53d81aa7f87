//! Web Worker entry point, built by Trunk (`data-type="worker"
//! data-bin="cartsim-worker"`) and started by `www/worker.js`: runs job
//! slices for the page (see `cartsim::web::worker`). Natively it does nothing.
#[cfg(target_arch = "wasm32")]
fn main() {
    cartsim::web::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cartsim-worker runs inside the web page; run `cargo xtask serve` instead");
    std::process::exit(2);
}
