// Loads the WebAssembly page. Trunk's default loader is an inline <script>;
// Trunk.toml's `pattern_script` replaces it with a tag that loads this file
// and names the hashed module files in data attributes, so the page needs
// no inline script (ready for a strict Content-Security-Policy).
const tag = document.getElementById("cartsim-boot");

function showError(message) {
  const el = document.getElementById("error");
  if (el) {
    el.textContent = message;
    el.hidden = false;
  }
  console.error(message);
}

try {
  const { default: init } = await import(tag.dataset.js);
  await init({ module_or_path: tag.dataset.wasm });
} catch (err) {
  showError(`cartsim could not start: ${err && err.message ? err.message : err}`);
}
