//! Browser entry point, built by Trunk (`data-bin="cartsim-web"`): the page
//! in a window, a job worker in a Web Worker (`www/worker.js` starts this
//! same module there; see `cartsim::web::main`).
//! Natively this binary does nothing: use the `cartsim` command line.
#[cfg(target_arch = "wasm32")]
fn main() {
    cartsim::web::main();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cartsim-web is the browser entry point; run `cargo xtask serve` instead");
    std::process::exit(2);
}
