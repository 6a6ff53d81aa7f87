//! Native half of the native-vs-wasm parity check: computes every
//! [`cartsim::parity::sets`] value and writes their exact bit patterns to
//! `target/parity/native.txt`, which `tests/wasm.rs` compiles in (via
//! `CARTSIM_NATIVE_PARITY`, set by `cargo xtask test`) and compares in the
//! browser.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use cartsim::parity::{compare, encode, sets};

#[test]
fn write_native_parity_file() {
    let first = sets();
    // The values must not depend on anything but the code: compute twice.
    let text = encode(&first);
    assert_eq!(compare(&text, &sets()), Ok(text.lines().count() - 1));
    assert!(
        first
            .iter()
            .all(|(_, v)| !v.is_empty() && v.iter().all(|x| x.is_finite())),
        "a parity problem failed to solve"
    );

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("parity");
    std::fs::create_dir_all(&dir).expect("create target/parity");
    let path = dir.join("native.txt");
    std::fs::write(&path, &text).expect("write target/parity/native.txt");
    let back = std::fs::read_to_string(&path).expect("read it back");
    assert_eq!(back, text);
}
