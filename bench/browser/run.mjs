// Runner of `cargo xtask bench-browser`: serves the benchmark page and the
// built app on 127.0.0.1, drives the system Chromium through playwright-core
// (never a downloaded browser), and writes target/bench/browser.json:
//   - cartsim wasm vs npm odex, timed in the same page (bench.js);
//   - cartsim wasm vs cartsim native (target/bench/rust.json, same problem);
//   - the app bundle (dist/) size, raw and gzipped;
//   - time from navigation to the first drawn chart (performance mark
//     "cartsim:first-chart" set by the page), median of several loads.
// Usage: node run.mjs --pkg DIR --data DIR --dist DIR --out FILE
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const PKG = resolve(arg("--pkg"));
const DATA = resolve(arg("--data"));
const DIST = resolve(arg("--dist"));
const OUT = resolve(arg("--out"));
const CHROMIUM = process.env.CARTSIM_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon" };

/** Serve URL prefixes from directories: [[prefix, dir], ...]; first match wins. */
function serve(mounts) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    for (const [prefix, dir] of mounts) {
      if (!path.startsWith(prefix)) continue;
      const root = resolve(dir);
      let file = normalize(join(root, path.slice(prefix.length)));
      if (file !== root && !file.startsWith(root + sep)) break;
      try {
        if (statSync(file).isDirectory()) file = join(file, "index.html");
        const body = readFileSync(file);
        res.writeHead(200, { "content-type": MIME[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
        res.end(body);
        return;
      } catch {
        break;
      }
    }
    res.writeHead(404).end("not found");
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () =>
    ok({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((c) => server.close(c)) })));
}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const userDir = mkdtempSync(join(tmpdir(), "cartsim-bench-"));
const browser = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM, args: ARGS, headless: true });
const result = { chromium: browser.browser()?.version() ?? null };
try {
  // 1. Solvers, same page.
  const site = await serve([["/pkg/", PKG], ["/data/", DATA], ["/odex/", join(HERE, "node_modules", "odex", "src")], ["/", HERE]]);
  const page = await browser.newPage();
  page.on("console", (m) => process.stderr.write(`[page] ${m.text()}\n`));
  await page.goto(site.url);
  await page.waitForFunction(() => window.__bench, null, { timeout: 600_000, polling: 500 });
  const bench = await page.evaluate(() => window.__bench);
  await page.close();
  await site.close();
  if (bench.error) throw new Error(`benchmark page: ${bench.error}`);
  result.rows = bench.rows;
  result.user_agent = bench.userAgent;

  // 2. wasm vs native (the native harness's row for the same problem).
  const native = JSON.parse(readFileSync(join(DATA, "rust.json"), "utf8"))
    .find((r) => r.problem === "cr" && r.tool === "cartsim DP5" && r.rtol === 1e-6);
  const wasm = bench.rows.find((r) => r.tool === "cartsim DP5 (wasm)");
  const odexRow = [...bench.rows].reverse().find((r) => r.tool.startsWith("odex"));
  result.native_us_per_solve = native ? native.us_per_solve : null;
  result.wasm_over_native = native ? wasm.us_per_solve / native.us_per_solve : null;
  result.odex_over_wasm = odexRow.us_per_solve / wasm.us_per_solve;
  result.odex_compared = odexRow.tool;

  // 3. Bundle size of dist/ (the app built by trunk build --release --offline).
  if (existsSync(join(DIST, "index.html"))) {
    const files = walk(DIST).map((f) => {
      const raw = readFileSync(f);
      return { file: f.slice(DIST.length + 1), raw_bytes: raw.length, gzip_bytes: gzipSync(raw, { level: 9 }).length };
    });
    result.bundle = {
      files,
      raw_bytes: files.reduce((a, f) => a + f.raw_bytes, 0),
      gzip_bytes: files.reduce((a, f) => a + f.gzip_bytes, 0),
    };

    // 4. Navigation → first drawn chart, fresh page each time.
    const app = await serve([["/", DIST]]);
    const runs = [];
    let note = null;
    for (let i = 0; i < 7; i++) {
      const p = await browser.newPage();
      await p.goto(app.url);
      try {
        await p.waitForFunction(() => performance.getEntriesByName("cartsim:first-chart").length > 0, null, { timeout: 20_000 });
        runs.push(await p.evaluate(() => performance.getEntriesByName("cartsim:first-chart")[0].startTime));
      } catch {
        note = "the page never set the performance mark 'cartsim:first-chart'";
      }
      await p.close();
    }
    await app.close();
    result.first_chart_ms = { median: runs.length ? median(runs) : null, runs, note };
  } else {
    result.bundle = null;
    result.first_chart_ms = null;
  }
} finally {
  await browser.close();
  rmSync(userDir, { recursive: true, force: true });
}
writeFileSync(OUT, JSON.stringify(result, null, 1));
console.error(`wrote ${OUT}`);
