// Start-up probe: long tasks, Total Blocking Time and LCP candidates of the
// page's first seconds, at a phone's CPU speed (Chromium's CPU throttling,
// RATE=4 as Lighthouse's mobile preset), N loads of ?model=clinical&preset=cr.
//   CARTSIM_DIST=dist N=3 RATE=4 node bench/browser/startup.mjs
// Marks (performance.mark) the page sets are listed too.
import { launchPlain, serveStatic } from "../../tests/e2e/lib.mjs";
const dist = process.env.CARTSIM_DIST;
const server = await serveStatic(dist);
const browser = await launchPlain();
const rate = Number(process.env.RATE || 4);
for (let i = 0; i < Number(process.env.N || 3); i++) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: "longtask", buffered: true });
    window.__lcp = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lcp.push([Math.round(e.startTime), e.element ? (e.element.id || e.element.tagName + "." + e.element.className) : "?", e.size]); }).observe({ type: "largest-contentful-paint", buffered: true });
  });
  await page.goto(`${server.url}?model=clinical&preset=cr`);
  await page.waitForTimeout(6000);
  const r = await page.evaluate(() => ({ long: window.__long, lcp: window.__lcp, marks: performance.getEntriesByType("mark").concat(performance.getEntriesByType("measure")).map((m) => [m.name, Math.round(m.startTime), Math.round(m.duration)]) }));
  const tbt = r.long.reduce((a, [, d]) => a + Math.max(0, d - 50), 0);
  console.log(JSON.stringify({ tbt, ...r }));
  await context.close();
}
await browser.close();
server.close();
