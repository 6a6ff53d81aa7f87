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
const server = await serveStatic();
const browser = await launchBrowser();
try {
  const page = await openPage(browser.context, server.url);
  await page.click("#view-sweeps");
  await page.waitForSelector("#sweep-run:not([disabled])");
  await page.selectOption("#sweep-pair", "alpha-h");
  await page.fill("#sweep-x-n", "200");
  await page.fill("#sweep-y-n", "200");
  await page.click("#sweep-run");
  await page.waitForFunction(() => document.getElementById("sweep-status").dataset.state === "done", null, { timeout: 600000, polling: 50 });
  const cdp = await browser.context.newCDPSession(page);
  const { targetInfos } = await cdp.send("Target.getTargets");
  const pending = new Map(); let nextId = 1;
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const m = JSON.parse(e.message);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
  });
  const send = (sessionId, method, params = {}) => new Promise((res, rej) => {
    const id = nextId++; pending.set(id, res);
    cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) }).catch(rej);
  });
  const sess = [];
  cdp.on("Target.attachedToTarget", async (e) => {
    if (e.targetInfo.type !== "worker") { return; }
    const s = e.sessionId; sess.push(s);
    try { await send(s, "Profiler.enable"); } catch (e) { return; } await send(s, "Profiler.setSamplingInterval", { interval: 100 }); await send(s, "Profiler.start");
    await send(s, "Runtime.runIfWaitingForDebugger");
  });
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  await page.click("#sweep-run");
  await page.waitForFunction(() => document.getElementById("sweep-status").dataset.state === "done", null, { timeout: 600000, polling: 50 });
  console.log("seconds", await page.getAttribute("#sweep-status", "data-seconds"), "sessions", sess.length);
  for (const s of sess) {
    let r; try { r = await send(s, "Profiler.stop"); } catch (e) { console.log("gone", s); continue; }
    const profile = r.result.profile;
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const counts = new Map();
    for (const id of profile.samples) counts.set(id, (counts.get(id) || 0) + 1);
    const self = new Map(); let total = 0;
    for (const [id, c] of counts) { const n = byId.get(id); const k = n.callFrame.functionName || `(${n.callFrame.url.slice(-40)})`; self.set(k, (self.get(k) || 0) + c); total += c; }
    console.log("worker, samples", total);
    for (const [k, c] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log("  " + (100 * c / total).toFixed(1) + "%", k.slice(0, 120));
  }
} finally { await browser.close(); await server.close(); }
