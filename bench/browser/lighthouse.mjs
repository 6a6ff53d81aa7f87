// Lighthouse part of `cargo xtask bench-browser` (issue 14): Lighthouse
// 12.2.3 (npm, pinned) drives the system Chromium (never a downloaded
// browser; the headless flags of tests/e2e/lib.mjs) on the built page served
// with gzip, as a real static host serves it, at ?model=clinical&preset=cr,
// with the desktop and the mobile preset. Records the four category scores,
// LCP, TBT and CLS (median run of several by performance score) in the
// JSON report and in BENCHMARKS.md between
// <!-- bench-lighthouse:begin --> and <!-- bench-lighthouse:end -->.
//
// Used by run.mjs (`lighthouseBench`), or alone:
//   node lighthouse.mjs --dist DIR [--runs N] [--out FILE.json] [--md BENCHMARKS.md]
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

/** The Lighthouse version this bench pins (package.json). */
export const LIGHTHOUSE_VERSION = "12.2.3";
/** The page measured. */
export const QUERY = "?model=clinical&preset=cr";
/** Targets of issue 14. */
export const TARGETS = { desktopPerf: 0.95, mobilePerf: 0.8, cls: 0.05, other: 1.0 };

// The same flags as tests/e2e/lib.mjs CHROMIUM_ARGS (headless, no network side trips).
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm",
  ".json": "application/json", ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml",
  ".png": "image/png", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8" };
// Compressed when the browser accepts gzip, as static hosts do (images are already compressed).
const COMPRESS = new Set([".html", ".js", ".mjs", ".css", ".wasm", ".json", ".webmanifest", ".svg", ".txt"]);

/**
 * Serve `dir` on 127.0.0.1 like a static host: gzip (level 6, as nginx's
 * gzip_comp_level default range and common hosts) when accepted, a short
 * cache lifetime (max-age=600, like GitHub Pages), ETag-less.
 */
export function serveGzip(dir) {
  const root = resolve(dir);
  const cache = new Map();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const ext = extname(file);
      let body = readFileSync(file);
      const headers = { "content-type": MIME[ext] || "application/octet-stream", "cache-control": "max-age=600", vary: "Accept-Encoding" };
      if (COMPRESS.has(ext) && /\bgzip\b/.test(req.headers["accept-encoding"] || "")) {
        const key = `${file}:${body.length}`;
        if (!cache.has(key)) cache.set(key, gzipSync(body, { level: 6 }));
        body = cache.get(key);
        headers["content-encoding"] = "gzip";
      }
      headers["content-length"] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () =>
    ok({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((c) => server.close(c)) })));
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** One Lighthouse run of `url` with `preset` ("desktop" | "mobile"). */
async function runOnce(url, preset, chromePath) {
  const userDataDir = mkdtempSync(join(tmpdir(), "cartsim-lh-"));
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: CHROMIUM_ARGS, userDataDir, logLevel: "silent" });
  try {
    const flags = {
      port: chrome.port, output: "json", logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
    };
    const { lhr } = await lighthouse(url, flags, preset === "desktop" ? desktopConfig : undefined);
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    // CARTSIM_LH_SAVE=DIR keeps each full report (lhr JSON) for a closer look.
    if (process.env.CARTSIM_LH_SAVE) {
      writeFileSync(join(process.env.CARTSIM_LH_SAVE, `lhr-${preset}-${Date.now()}.json`), JSON.stringify(lhr));
    }
    const a = lhr.audits;
    const failed = Object.values(lhr.categories).flatMap((c) => c.auditRefs)
      .filter((r) => r.weight > 0 && a[r.id] && a[r.id].score !== null && a[r.id].score < 1)
      .map((r) => r.id);
    return {
      preset,
      performance: lhr.categories.performance.score,
      accessibility: lhr.categories.accessibility.score,
      best_practices: lhr.categories["best-practices"].score,
      seo: lhr.categories.seo.score,
      fcp_ms: a["first-contentful-paint"].numericValue,
      lcp_ms: a["largest-contentful-paint"].numericValue,
      tbt_ms: a["total-blocking-time"].numericValue,
      cls: a["cumulative-layout-shift"].numericValue,
      si_ms: a["speed-index"].numericValue,
      failed_audits: [...new Set(failed)],
      lighthouse: lhr.lighthouseVersion,
      chromium: lhr.environment?.hostUserAgent ?? null,
    };
  } finally {
    await chrome.kill();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * Lighthouse on `dist` (served with gzip) at QUERY: `runs` runs per preset;
 * the run with the median performance score is reported, with every run's
 * performance and CLS.
 */
export async function lighthouseBench(dist, { runs = 3, chromePath = process.env.CARTSIM_CHROMIUM || "/usr/bin/chromium" } = {}) {
  statSync(join(dist, "index.html"));
  const site = await serveGzip(dist);
  const url = `${site.url}${QUERY}`;
  const out = { url_query: QUERY, served: "gzip (level 6), cache-control max-age=600", runs_per_preset: runs, presets: {} };
  try {
    for (const preset of ["desktop", "mobile"]) {
      const all = [];
      for (let i = 0; i < runs; i++) {
        const r = await runOnce(url, preset, chromePath);
        process.stderr.write(`lighthouse ${preset} run ${i + 1}: performance ${r.performance}, LCP ${Math.round(r.lcp_ms)} ms, TBT ${Math.round(r.tbt_ms)} ms, CLS ${r.cls.toFixed(3)}\n`);
        all.push(r);
      }
      const mid = median(all.map((r) => r.performance));
      const chosen = all.find((r) => r.performance === mid);
      out.presets[preset] = { ...chosen, all_performance: all.map((r) => r.performance), all_cls: all.map((r) => r.cls) };
    }
  } finally {
    await site.close();
  }
  out.load_average = loadavg().map((x) => x.toFixed(2)).join(", ");
  out.cpus = cpus().length;
  return out;
}

const pct = (x) => (x === null || x === undefined ? "–" : x.toFixed(2));
const yes = (ok) => (ok ? "yes" : "**no**");

/** The BENCHMARKS.md section for `lh` (the object lighthouseBench returns). */
export function markdown(lh) {
  const d = lh.presets.desktop;
  const m = lh.presets.mobile;
  const row = (name, r) => `| ${name} | ${pct(r.performance)} | ${pct(r.accessibility)} | ${pct(r.best_practices)} | ${pct(r.seo)} | ${(r.fcp_ms / 1000).toFixed(2)} s | ${(r.lcp_ms / 1000).toFixed(2)} s | ${Math.round(r.tbt_ms)} ms | ${r.cls.toFixed(3)} | ${r.all_performance.map(pct).join(", ")} |`;
  const others = ["accessibility", "best_practices", "seo"];
  const allOne = (r) => others.every((k) => r[k] === 1);
  return [
    `Generated by \`cargo xtask bench-browser\`: Lighthouse ${d.lighthouse} (npm, pinned) driving the system Chromium (${(d.chromium || "").replace(/.*(HeadlessChrome\/[\d.]+).*/, "$1")}, the e2e tests' headless flags), on the release \`dist/\` served from 127.0.0.1 with gzip as a static host serves it (${lh.served}), at \`${lh.url_query}\`. Lighthouse's own presets: desktop (no CPU slowdown, fast network) and mobile (a mid-range phone: 4× CPU slowdown, slow 4G, simulated). ${lh.runs_per_preset} runs per preset; the run with the median performance score is shown. Load average when run: ${lh.load_average} (${lh.cpus} CPUs).`,
    "",
    "| preset | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | performance, every run |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    row("desktop", d),
    row("mobile", m),
    "",
    "| target | measured | met |",
    "|---|---:|---|",
    `| desktop performance ≥ ${TARGETS.desktopPerf} | ${pct(d.performance)} | ${yes(d.performance >= TARGETS.desktopPerf)} |`,
    `| mobile performance ≥ ${TARGETS.mobilePerf} | ${pct(m.performance)} | ${yes(m.performance >= TARGETS.mobilePerf)} |`,
    `| CLS ≤ ${TARGETS.cls}, desktop (every run) | ${Math.max(...d.all_cls).toFixed(3)} | ${yes(Math.max(...d.all_cls) <= TARGETS.cls)} |`,
    `| CLS ≤ ${TARGETS.cls}, mobile (every run) | ${Math.max(...m.all_cls).toFixed(3)} | ${yes(Math.max(...m.all_cls) <= TARGETS.cls)} |`,
    `| accessibility, best practices, SEO = 1.0 (both presets) | ${others.map((k) => `${pct(d[k])}/${pct(m[k])}`).join(", ")} | ${yes(allOne(d) && allOne(m))} |`,
    "",
    `Weighted audits below 1 (median run): desktop ${d.failed_audits.length ? d.failed_audits.map((x) => `\`${x}\``).join(", ") : "none"}; mobile ${m.failed_audits.length ? m.failed_audits.map((x) => `\`${x}\``).join(", ") : "none"}.`,
  ].join("\n");
}

/** Replace (or append after the bench-browser section) the Lighthouse section of `mdPath`. */
export function writeSection(mdPath, body) {
  const begin = "<!-- bench-lighthouse:begin -->";
  const end = "<!-- bench-lighthouse:end -->";
  const text = readFileSync(mdPath, "utf8");
  const block = `${begin}\n${body}\n${end}`;
  let next;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) {
    next = text.slice(0, i) + block + text.slice(j + end.length);
  } else {
    const anchor = "<!-- bench-browser:end -->";
    const k = text.indexOf(anchor);
    const heading = "\n\n### Lighthouse (`?model=clinical&preset=cr`, served with gzip)\n\n";
    next = k >= 0
      ? text.slice(0, k + anchor.length) + heading + block + text.slice(k + anchor.length)
      : `${text.trimEnd()}${heading}${block}\n`;
  }
  writeFileSync(mdPath, next);
}

// Alone: node lighthouse.mjs --dist DIR [--runs N] [--out FILE] [--md FILE]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  const lh = await lighthouseBench(resolve(arg("--dist", "dist")), { runs: Number(arg("--runs", "3")) });
  if (arg("--out")) writeFileSync(resolve(arg("--out")), JSON.stringify(lh, null, 1));
  if (arg("--md")) writeSection(resolve(arg("--md")), markdown(lh));
  console.log(markdown(lh));
}
