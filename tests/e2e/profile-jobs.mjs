// Profile the job workers of the page (issue 19): runs a 200 × 200 α × h
// heat map once to warm up, then again with V8's sampling profiler started
// in every worker (Chrome DevTools Protocol, Target.setAutoAttach on the
// page's session, workers paused until the profiler runs), and prints each
// worker's top functions by self time. WebAssembly functions show as
// wasm-function[N] (the release build has no name section); JS glue by name.
//
//   cargo xtask dist && node tests/e2e/profile-jobs.mjs
//   (CARTSIM_DIST=DIR for another build)
//
// It found the worker clock calling `instanceof Window` (a third of the heat
// map's time), fixed in src/web/worker.rs.
import { launchBrowser, openPage, serveStatic } from "./lib.mjs";

async function runHeatmap(page) {
  await page.waitForSelector("#sweep-run:not([disabled])");
  await page.selectOption("#sweep-pair", "alpha-h");
  await page.fill("#sweep-x-n", "200");
  await page.fill("#sweep-y-n", "200");
  await page.click("#sweep-run");
  await page.waitForFunction(
    () => document.getElementById("sweep-status").dataset.state === "done",
    null,
    { timeout: 600000, polling: 50 },
  );
  return page.getAttribute("#sweep-status", "data-seconds");
}

/** Self time per function of one CPU profile, largest first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (const id of profile.samples) {
    const f = byId.get(id).callFrame;
    const key = f.functionName || `(${f.url.slice(-40)})`;
    self.set(key, (self.get(key) || 0) + 1);
  }
  return { total: profile.samples.length, top: [...self.entries()].sort((a, b) => b[1] - a[1]) };
}

const server = await serveStatic();
const browser = await launchBrowser();
try {
  const page = await openPage(browser.context, server.url);
  await page.click("#view-sweeps");
  await runHeatmap(page); // warm-up

  // Child sessions through Target.sendMessageToTarget (playwright's CDP
  // session cannot address a worker's session directly).
  const cdp = await browser.context.newCDPSession(page);
  const pending = new Map();
  let nextId = 1;
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const m = JSON.parse(e.message);
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)(m);
      pending.delete(m.id);
    }
  });
  const send = (sessionId, method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      cdp
        .send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(reject);
    });

  // Every job starts new workers: attach to each as it starts (paused),
  // start its profiler, then let it run.
  const sessions = [];
  cdp.on("Target.attachedToTarget", async (e) => {
    if (e.targetInfo.type !== "worker") return;
    const s = e.sessionId;
    try {
      await send(s, "Profiler.enable");
      await send(s, "Profiler.setSamplingInterval", { interval: 100 });
      await send(s, "Profiler.start");
      sessions.push(s);
    } catch {
      return; // a worker of the previous job, already gone
    } finally {
      await send(s, "Runtime.runIfWaitingForDebugger").catch(() => {});
    }
  });
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });

  console.log("heat map:", await runHeatmap(page), "s;", sessions.length, "workers profiled");
  for (const s of sessions) {
    let r;
    try {
      r = await send(s, "Profiler.stop");
    } catch {
      console.log("a worker ended before its profile was read");
      continue;
    }
    const { total, top } = selfTimes(r.result.profile);
    console.log(`worker: ${total} samples`);
    for (const [k, c] of top.slice(0, 14)) console.log(`  ${((100 * c) / total).toFixed(1)}%  ${k.slice(0, 120)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
