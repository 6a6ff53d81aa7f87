// Runner of `cargo xtask bench-browser`: serves the benchmark page and the
// built app on 127.0.0.1, drives the system Chromium through playwright-core
// (never a downloaded browser), and writes target/bench/browser.json:
//   - cartsim wasm vs npm odex, timed in the same page (bench.js);
//   - cartsim wasm vs cartsim native (target/bench/rust.json, same problem);
//   - with --pkg-web, the same entry built as the page's module (opt-level
//     "s", wasm-opt -Oz): the `cr` solve and cells of the fig6 heat map,
//     both builds in the same page;
//   - the app bundle (dist/) size, raw and gzipped;
//   - time from navigation to the first drawn chart (performance mark
//     "cartsim:first-chart" set by the page), median of several loads;
//   - the page's update per slider move (solve, draw, total; the page's own
//     #timing numbers), the same with six pinned runs drawn over the live
//     course (issue 15: still within one frame at the median?), and with
//     --before DIR the same for another build (e.g. an earlier commit's
//     dist/), all measured interleaved in one session;
//   - Lighthouse 12.2.3 on dist/ served with gzip, desktop and mobile
//     presets (lighthouse.mjs; its own section of BENCHMARKS.md with --md;
//     CARTSIM_LH_RUNS runs per preset, default 3).
// Usage: node run.mjs --pkg DIR [--pkg-web DIR] --data DIR --dist DIR --out FILE [--before DIR] [--md FILE]
//        node run.mjs --only-update --dist DIR --out FILE   (the page updates alone)
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { lighthouseBench, markdown as lighthouseMarkdown, writeSection } from "./lighthouse.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const ONLY_UPDATE = process.argv.includes("--only-update");
const PKG = ONLY_UPDATE ? null : resolve(arg("--pkg"));
// The same entry built as the page's module (optional).
const PKG_WEB = arg("--pkg-web") ? resolve(arg("--pkg-web")) : null;
const DATA = ONLY_UPDATE ? null : resolve(arg("--data"));
const DIST = resolve(arg("--dist"));
const OUT = resolve(arg("--out"));
const BEFORE = arg("--before") ? resolve(arg("--before")) : null;
const MD = arg("--md") ? resolve(arg("--md")) : null;
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
/** Six pinned runs for the update benchmark (issue 15): the base preset,
 * two parameter changes and the other three Table 1 presets. */
const SIX_RUNS = ["", "rTA=3.24", "e=10", "preset=nr", "preset=relapse-pos", "preset=relapse-neg"]
  .map((r) => `run=${encodeURIComponent(r)}`)
  .join("&");

try {
  if (!ONLY_UPDATE) {
  // 1. Solvers, same page.
  const site = await serve([["/pkg/", PKG], ...(PKG_WEB ? [["/pkg-web/", PKG_WEB]] : []), ["/data/", DATA], ["/odex/", join(HERE, "node_modules", "odex", "src")], ["/", HERE]]);
  const page = await browser.newPage();
  page.on("console", (m) => process.stderr.write(`[page] ${m.text()}\n`));
  await page.goto(site.url);
  await page.waitForFunction(() => window.__bench, null, { timeout: 600_000, polling: 500 });
  const bench = await page.evaluate(() => window.__bench);
  await page.close();
  await site.close();
  if (bench.error) throw new Error(`benchmark page: ${bench.error}`);
  result.rows = bench.rows;
  result.heat = bench.heat;
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
  const pageBuild = bench.rows.find((r) => r.tool === "cartsim DP5 (wasm, page build)");
  result.page_build_over_native = native && pageBuild ? pageBuild.us_per_solve / native.us_per_solve : null;

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
  }
  }
  if (existsSync(join(DIST, "index.html"))) {

    // 5. Update per slider move: 5 rounds of 20 moves of kA on `cr`, this
    // build and (with --before) the other one alternating, so both see the
    // same machine load. Numbers are the page's own (#timing data-*).
    // "six_runs": this build with six pinned runs in the link (each drawn
    // on both charts and marked on both band charts, never re-solved).
    const builds = [["after", DIST, ""], ["six_runs", DIST, `&${SIX_RUNS}`]];
    if (BEFORE && existsSync(join(BEFORE, "index.html"))) builds.push(["before", BEFORE, ""]);
    const servers = {};
    const samples = {};
    for (const [name, dir] of builds) {
      servers[name] = await serve([["/", dir]]);
      samples[name] = { total: [], solve: [], rhs: [] };
    }
    const rounds = Number(process.env.ROUNDS || 5);
    for (let round = 0; round < rounds; round++) {
      for (const [name, , extra] of builds) {
        const p = await browser.newPage({ viewport: { width: 1366, height: 900 } });
        await p.goto(`${servers[name].url}?model=clinical&preset=cr${extra}`);
        await p.waitForFunction(() => performance.getEntriesByName("cartsim:first-chart").length > 0, null, { timeout: 20_000 });
        if (extra) await p.waitForFunction(() => document.querySelectorAll("#runs li[data-run]").length === 6, null, { timeout: 20_000 });
        await p.waitForTimeout(1500); // let the cohort bands arrive first
        for (let i = 0; i < 20; i++) {
          await p.evaluate((pos) => {
            const s = document.querySelector('input[type=range][data-param="kA"]');
            s.value = String(pos);
            s.dispatchEvent(new Event("input", { bubbles: true }));
          }, 40 + 10 * i);
          await p.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
          const t = await p.evaluate(() => {
            const el = document.getElementById("timing");
            const stats = document.getElementById("solver-stats");
            const rhs = stats && /(\d+) right-hand-side/.exec(stats.textContent || "");
            return { total: Number(el.dataset.ms), solve: Number(el.dataset.solveMs), rhs: rhs ? Number(rhs[1]) : null };
          });
          samples[name].total.push(t.total);
          samples[name].solve.push(t.solve);
          samples[name].rhs.push(t.rhs);
        }
        await p.close();
      }
    }
    for (const [name] of builds) await servers[name].close();
    const q = (v, f) => { const a = [...v].sort((x, y) => x - y); return a[Math.min(a.length - 1, Math.floor(f * a.length))]; };
    result.update_ms = {};
    for (const [name] of builds) {
      const s = samples[name];
      const draw = s.total.map((t, i) => t - s.solve[i]);
      result.update_ms[name] = {
        moves: s.total.length,
        median: q(s.total, 0.5), p90: q(s.total, 0.9),
        solve_median: q(s.solve, 0.5), draw_median: q(draw, 0.5),
        rhs_evals_last: s.rhs[s.rhs.length - 1],
      };
    }
  } else {
    result.bundle = null;
    result.first_chart_ms = null;
  }
} finally {
  await browser.close();
  rmSync(userDir, { recursive: true, force: true });
}
// 6. Lighthouse, with the browser above closed (its own Chromium per run).
if (ONLY_UPDATE) {
  console.log(JSON.stringify(result.update_ms, null, 1));
} else if (existsSync(join(DIST, "index.html"))) {
  result.lighthouse = await lighthouseBench(DIST, { runs: Number(process.env.CARTSIM_LH_RUNS || 3), chromePath: CHROMIUM });
  if (MD) writeSection(MD, lighthouseMarkdown(result.lighthouse));
}
writeFileSync(OUT, JSON.stringify(result, null, 1));
console.error(`wrote ${OUT}`);
