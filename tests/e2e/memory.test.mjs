// Bounded memory: run the 400-per-cohort virtual trial ten times in
// the page and check that neither the WebAssembly memory of the page and of
// every worker, nor the page's JavaScript heap (after garbage collection),
// keeps growing once the first runs have warmed up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, useBrowser } from "./lib.mjs";

const env = useBrowser();

const RUNS = 10;
const MB = 1 << 20;

async function wasmBytes(target) {
  return target.evaluate(() => globalThis.cartsimMemory?.buffer.byteLength ?? -1);
}

test("ten 400-per-cohort trials keep wasm memory and the JS heap bounded", { timeout: 900_000 }, async () => {
  const page = await openPage(env.browser.context, `${env.server.url}?view=trial`);
  const cdp = await page.context().newCDPSession(page);
  await page.waitForSelector("#cohort-run:not([disabled])");
  // 400 patients per cohort, a realistic trial; a prior bank of 1,000 per
  // cohort keeps each run to a few seconds.
  for (const [id, v] of Object.entries({ "cohort-per": 400, "cohort-seed": 1, "cohort-bank": 1000, "cohort-noise": 0.2 })) {
    await page.fill(`#${id}`, String(v));
  }
  const rows = [];
  for (let run = 1; run <= RUNS; run++) {
    await page.click("#cohort-run");
    await page.waitForFunction(
      () => ["done", "error"].includes(document.getElementById("cohort-status")?.dataset.state),
      null,
      { timeout: 300_000, polling: 100 },
    );
    assert.equal(
      await page.locator("#cohort-status").getAttribute("data-state"),
      "done",
      await page.textContent("#cohort-status"),
    );
    await cdp.send("HeapProfiler.collectGarbage");
    const heap = (await cdp.send("Runtime.getHeapUsage")).usedSize;
    const pageWasm = await wasmBytes(page);
    const workers = [];
    for (const w of page.workers()) workers.push(await wasmBytes(w));
    rows.push({ run, heap, pageWasm, workers });
    console.log(
      `# run ${run}: JS heap ${(heap / MB).toFixed(1)} MB, page wasm ${(pageWasm / MB).toFixed(1)} MB, ` +
        `workers wasm ${workers.map((b) => (b / MB).toFixed(1)).join(", ")} MB`,
    );
  }
  assert.ok(rows[0].pageWasm > 0, "the page publishes its wasm memory");
  assert.ok(rows[0].workers.length > 0 && rows[0].workers.every((b) => b > 0), "workers publish theirs");
  // Warm level: the largest seen in the first three runs (memory grows to a
  // high-water mark and is reused). Later runs may not grow past it by more
  // than 10% (wasm memory never shrinks, so steady growth would show here).
  const warm = rows.slice(0, 3);
  const last = rows[RUNS - 1];
  const maxOf = (xs) => Math.max(...xs);
  const warmPage = maxOf(warm.map((r) => r.pageWasm));
  assert.ok(last.pageWasm <= warmPage * 1.1, `page wasm grew from ${warmPage} to ${last.pageWasm} bytes`);
  const warmWorker = maxOf(warm.flatMap((r) => r.workers));
  assert.ok(maxOf(last.workers) <= warmWorker * 1.1, `worker wasm grew from ${warmWorker} to ${maxOf(last.workers)} bytes`);
  const warmHeap = maxOf(warm.map((r) => r.heap));
  assert.ok(last.heap <= warmHeap * 1.25 + 2 * MB, `JS heap grew from ${warmHeap} to ${last.heap} bytes`);
  assert.deepEqual(page.problems, []);
  await page.close();
});
