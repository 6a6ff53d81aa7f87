// Embed mode (`embed=1`, for an <iframe> in a course page): mark <html>
// before the first paint, so the page's header and side panels are never
// drawn and the charts do not jump up when the WebAssembly page starts.
// Loaded as a small render-blocking script in <head> (no inline script under
// the Content-Security-Policy). The page sets the same attribute from the
// same keys (src/web/app.rs `PageLink::parse`, src/web/views.rs `show_embed`).
//
// Also marks a link with pinned runs (`run=` keys) with data-runs, so the
// time charts take their taller shape (room for the legend strip) before
// the first paint, as the page does when runs are pinned (src/web/runs.rs).
(() => {
  const link = new URLSearchParams(location.search);
  if (link.has("run")) document.documentElement.setAttribute("data-runs", String(link.getAll("run").length));
  if (link.get("embed") !== "1") return;
  const named = (link.get("controls") || "").split(",").some((c) => c.trim() !== "");
  document.documentElement.setAttribute("data-embed", named ? "controls" : "charts");
})();
