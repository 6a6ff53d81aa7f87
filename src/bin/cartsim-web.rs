//! Browser entry point, built by Trunk (`data-bin="cartsim-web"`).
//! Natively this binary does nothing: use the `cartsim` command line.
#[cfg(target_arch = "wasm32")]
fn main() {
    cartsim::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("cartsim-web is the browser entry point; run `cargo xtask serve` instead");
    std::process::exit(2);
}
