// Compare runs: pin the live course, change a parameter, pin again; the
// link carries both runs as `run` keys; reloading it restores both with
// the same per-run indices as the native `cartsim compare`; the charts
// draw every visible run; a bad value inside a run is named and only that
// run left out; each comparison preset pins and draws all its runs (and
// the FT / FP band charts mark them); a scenario file carries the runs and
// loads back exactly. Writes the comparison screenshots of the README.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, openPage, screenshot, useBrowser, waitForChart } from "./lib.mjs";

const env = useBrowser();

/** `cartsim compare` (CARTSIM_BIN, else `cargo run`), as JSON. */
function nativeCompare(args) {
  const bin = process.env.CARTSIM_BIN;
  const out = bin
    ? execFileSync(bin, ["compare", ...args], { encoding: "utf8" })
    : execFileSync("cargo", ["run", "--quiet", "--bin", "cartsim", "--", "compare", ...args], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out);
}

/** Each pinned run's indices: { key: number-or-text }. */
async function runIndices(page) {
  return page.$$eval("#runs li[data-run]", (runs) =>
    runs.map((li) =>
      Object.fromEntries(
        [...li.querySelectorAll("[data-index]")].map((e) => {
          const text = e.textContent.replace(/^[^:]*:\s*/, "");
          const n = Number.parseFloat(text);
          return [e.dataset.index, Number.isNaN(n) ? text : n];
        }),
      ),
    ),
  );
}

const legendLabels = async (page, id) => JSON.parse(await page.getAttribute(`#${id}`, "data-legend")).map((k) => k.label);

test("pin two runs: the link holds both, a reload restores them with the CLI's numbers", { timeout: 180_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await waitForChart(page, "chart-main");
  assert.equal(await page.locator("#runs-section").isVisible(), false);
  await page.click("#pin");
  await page.fill("#p-rTA", "1.5");
  await page.press("#p-rTA", "Enter");
  await page.waitForFunction(() => location.search.includes("rTA=1.5"));
  await page.click("#pin");
  await page.waitForFunction(() => new URLSearchParams(location.search).getAll("run").length === 2);
  const runs = new URLSearchParams(new URL(page.url()).search).getAll("run");
  assert.deepEqual(runs, ["", "rTA=1.5"]);
  assert.equal(await page.locator("#runs li[data-run]").count(), 2);
  const labels = await page.$$eval("#runs .run-label", (ls) => ls.map((l) => l.value));
  assert.equal(labels[0], "preset cr");
  assert.equal(labels[1], "rTA = 1.5");
  // Both runs are on the charts, in the legend, with the live course.
  const legend = await legendLabels(page, "chart-main");
  assert.ok(legend.some((l) => l.startsWith("run 1:")) && legend.some((l) => l.startsWith("run 2:")), legend.join(" | "));
  const before = await runIndices(page);
  const url = page.url();
  await page.close();

  const again = await openPage(env.browser.context, url);
  await waitForChart(again, "chart-main");
  await again.waitForFunction(() => document.querySelectorAll("#runs li[data-run]").length === 2);
  const after = await runIndices(again);
  assert.deepEqual(after, before);
  const native = nativeCompare(["--model", "clinical", "--preset", "cr", "--run", "rTA=1.5", "--format", "json"]);
  for (const [i, run] of native.runs.entries()) {
    for (const [key, page_key] of [["ft", "FT"], ["fp", "FP"], ["peak", "peak"]]) {
      const want = run.metrics[key];
      const got = after[i][page_key];
      assert.ok(Math.abs(got - want) <= 1e-3 * Math.abs(want), `run ${i + 1} ${key}: page ${got}, cartsim compare ${want}`);
    }
  }
  // The compare table: one column per run, differences from run 1.
  const header = await again.$$eval("#runs-table th", (th) => th.map((t) => t.textContent));
  assert.equal(header.length, 3);
  assert.match(await again.textContent("#runs-table tbody"), /%\)/);
  // The exports: the compare table (one row per run) and every run's
  // trajectory in long form.
  const download = async (id) => {
    const [d] = await Promise.all([again.waitForEvent("download"), again.click(id)]);
    return readFileSync(await d.path(), "utf8").trim().split("\n");
  };
  const table = await download("#export-runs");
  assert.equal(table.length, 3, table.join("\n"));
  assert.match(table[0], /^run,label,/);
  const traj = await download("#export-runs-trajectories");
  assert.match(traj[0], /^run,label,t,nP,/);
  assert.ok(traj.length > 100);
  assert.equal(new Set(traj.slice(1).map((l) => l.split(",")[0])).size, 2);
  // Hide, remove: the link follows.
  // (Charts are redrawn on the next animation frame, not in the click.)
  await again.click('#runs li[data-run="1"] button[aria-pressed]');
  await again.waitForFunction(
    () => !JSON.parse(document.getElementById("chart-main").dataset.legend).some((k) => k.label.startsWith("run 2:")),
    null,
    { timeout: 10_000 },
  );
  await again.click('#runs li[data-run="0"] button[title="Remove this run"]');
  await again.waitForFunction(() => new URLSearchParams(location.search).getAll("run").length === 1);
  assert.deepEqual(again.problems, []);
  await again.close();
});

test("a bad value inside a run is named and only that run is left out", async () => {
  const q = "?model=clinical&preset=cr&run=rTA%3D-1&run=preset%3Dnr";
  const page = await openPage(env.browser.context, `${env.server.url}${q}`);
  await waitForChart(page, "chart-main");
  await page.waitForFunction(() => document.querySelectorAll("#runs li[data-run]").length === 1);
  assert.match(await page.textContent("#error"), /run 1 \(rTA=-1\).*rTA.*left out/);
  assert.equal(await page.inputValue("#runs .run-label"), "preset nr");
  await page.close();
});

/** The runs list: each run's label, whether it is shown, and its indices. */
async function runsState(page) {
  const labels = await page.$$eval("#runs .run-label", (ls) => ls.map((l) => l.value));
  const shown = await page.$$eval("#runs li[data-run] button[aria-pressed]", (bs) => bs.map((b) => b.getAttribute("aria-pressed")));
  return { labels, shown, indices: await runIndices(page) };
}

const runKeys = (page) => new URLSearchParams(new URL(page.url()).search).getAll("run");

/** Wait for `n` pinned runs, each drawn on both time charts. */
async function waitForRuns(page, n) {
  await page.waitForFunction((k) => document.querySelectorAll("#runs li[data-run]").length === k, n);
  for (const id of ["chart-main", "chart-cart"]) {
    await page.waitForFunction(
      ([canvas, k]) => {
        const legend = JSON.parse(document.getElementById(canvas).dataset.legend || "[]");
        return Array.from({ length: k }, (_, i) => `run ${i + 1}:`).every((p) => legend.some((e) => e.label.startsWith(p)));
      },
      [id, n],
    );
  }
}

const COMPARISONS = [
  ["marrow", "fig4a", 3],
  ["marrow", "fig4b", 3],
  ["marrow", "fig4c", 3],
  ["marrow", "fig5a", 3],
  ["marrow", "fig5b", 3],
  ["marrow", "fig5c", 3],
  ["clinical", "classes", 4],
];

test("each comparison preset pins and draws all its runs, as `cartsim compare --preset` computes them", { timeout: 300_000 }, async () => {
  for (const model of ["marrow", "clinical"]) {
    const page = await openPage(env.browser.context, `${env.server.url}?model=${model}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await waitForChart(page, "chart-main");
    for (const [m, preset, n] of COMPARISONS.filter(([m]) => m === model)) {
      await page.click(`[data-preset="${preset}"]`);
      await waitForRuns(page, n);
      await page.waitForFunction((k) => new URLSearchParams(location.search).getAll("run").length === k, n);
      const native = nativeCompare(["--model", m, "--preset", preset, "--format", "json"]);
      assert.equal(native.runs.length, n, preset);
      const labels = await page.$$eval("#runs .run-label", (ls) => ls.map((l) => l.value));
      assert.deepEqual(labels, native.runs.map((r) => r.label), preset);
      const got = await runIndices(page);
      const keys = m === "marrow" ? [["c_peak", "peak"], ["tpeak", "t_peak"]] : [["ft", "FT"], ["peak", "peak"], ["auc28", "AUC28"]];
      for (const [i, run] of native.runs.entries()) {
        for (const [key, pageKey] of keys) {
          const want = run.metrics[key];
          assert.ok(Math.abs(got[i][pageKey] - want) <= 1e-3 * Math.abs(want) + 1e-9, `${preset} run ${i + 1} ${key}: page ${got[i][pageKey]}, cartsim compare ${want}`);
        }
      }
      if (preset === "fig5c") await screenshot(page, "compare-fig5c", { element: "#chart-pane" });
    }
    if (model === "clinical") {
      // The four classes, one per run, and each run marked on the band
      // charts in its own colour at its own FT / FP.
      const classes = (await runIndices(page)).map((r) => r.class);
      assert.deepEqual(classes, ["CR", "NR", "CD19+ relapse", "CD19- relapse"]);
      await page.waitForFunction(() => document.getElementById("bands-status")?.dataset.ms !== undefined, null, { timeout: 120_000 });
      const indices = await runIndices(page);
      for (const [canvas, key] of [["chart-ft", "FT"], ["chart-fp", "FP"]]) {
        await page.waitForFunction((id) => JSON.parse(document.getElementById(id).dataset.runs || "[]").length === 4, canvas);
        const marks = JSON.parse(await page.getAttribute(`#${canvas}`, "data-runs"));
        const colours = JSON.parse(await page.getAttribute("#chart-main", "data-legend"))
          .filter((e) => e.label.startsWith("run "))
          .map((e) => e.color);
        assert.equal(new Set(marks.map((mk) => mk.color)).size, 4, canvas);
        assert.deepEqual(new Set(marks.map((mk) => mk.color)), new Set(colours), canvas);
        for (const [i, mk] of marks.entries()) {
          assert.match(mk.label, new RegExp(`^run ${i + 1}: ${key} = `));
          assert.ok(Math.abs(mk.x - indices[i][key]) <= 1e-3 * Math.abs(indices[i][key]), `${canvas} run ${i + 1}: ${mk.x} vs ${indices[i][key]}`);
        }
        const legend = JSON.parse(await page.getAttribute(`#${canvas}`, "data-legend")).map((e) => e.label);
        assert.ok(legend.length >= 2, legend.join(" | "));
      }
      // Hide a run: it leaves the band charts too.
      await page.click('#runs li[data-run="1"] button[aria-pressed]');
      await page.waitForFunction(() => JSON.parse(document.getElementById("chart-ft").dataset.runs).length === 3);
      await page.click('#runs li[data-run="1"] button[aria-pressed]');
      await page.waitForFunction(() => JSON.parse(document.getElementById("chart-ft").dataset.runs).length === 4);
      await screenshot(page, "compare-classes", { element: "#chart-pane" });
      await screenshot(page, "compare-classes-bands", { element: "#bands-section" });
    }
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test("a scenario file carries the runs and loads back exactly", { timeout: 180_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?model=marrow&preset=fig3`);
  await waitForChart(page, "chart-main");
  await page.click('[data-preset="fig5b"]');
  await waitForRuns(page, 3);
  // A hand-typed label, a hidden run and a live change beside the runs.
  await page.fill('#runs li[data-run="1"] .run-label', "the paper's base");
  await page.press('#runs li[data-run="1"] .run-label', "Enter");
  await page.click('#runs li[data-run="2"] button[aria-pressed]');
  await page.fill("#p-rhoC", "0.7");
  await page.press("#p-rhoC", "Enter");
  await page.waitForFunction(() => location.search.includes("rhoC=0.7"));
  await page.waitForFunction(() => document.querySelector('#runs li[data-run="2"] button[aria-pressed]').getAttribute("aria-pressed") === "false");
  const before = await runsState(page);
  assert.equal(before.labels[1], "the paper's base");
  assert.deepEqual(before.shown, ["true", "true", "false"]);
  const [d] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
  const json = readFileSync(await d.path(), "utf8");
  const parsed = JSON.parse(json);
  assert.equal(parsed.preset, "fig5b");
  assert.equal(parsed.rhoC, 0.7);
  assert.deepEqual(parsed.runs.map((r) => r.run), runKeys(page));
  assert.deepEqual(parsed.runs[1].label, "the paper's base");
  assert.equal(parsed.runs[2].hidden, true);

  const fresh = await openPage(env.browser.context, `${env.server.url}?model=clinical&preset=cr`);
  await waitForChart(fresh, "chart-main");
  const file = join(tmpdir(), `cartsim-runs-${Date.now()}.json`);
  writeFileSync(file, json);
  await fresh.setInputFiles("#import-json", file);
  await fresh.waitForFunction(() => document.querySelectorAll("#runs li[data-run] [data-index]").length > 0 && document.querySelectorAll("#runs li[data-run]").length === 3);
  await fresh.waitForFunction(() => location.search.includes("rhoC=0.7"));
  assert.deepEqual(await runsState(fresh), before);
  assert.deepEqual(runKeys(fresh), runKeys(page));
  assert.deepEqual(fresh.problems, []);
  assert.deepEqual(page.problems, []);
  await fresh.close();
  await page.close();
});
