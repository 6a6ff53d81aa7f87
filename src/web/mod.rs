//! The browser front end (wasm only): placeholder until the first page lands.

/// Start the page.
pub fn start() {}
