// Times cartsim (wasm) and odex (JS) on the same problem in the same page.
// The result goes to window.__bench (read by run.mjs) and to the page.
import init, { ClinicalBench, HeatBench } from "/pkg/bench_wasm.js";

const odex = window.exports;
const log = (s) => (document.getElementById("log").textContent += s + "\n");

function clinicalRhs(p) {
  const { rP, rTA, lTA, lTN, nC, e, KP, Kr, KA, kA, rN, km, kb, KN } = p;
  return (t, y) => {
    const nP = y[0], nTA = y[1], nTN = y[2], nN = y[3];
    const act = (kA * nTN * nP) / (nP + KA);
    return [
      rP * nP * (1 - nP / nC) - (e * nTA * nP) / (nP + KP),
      (rTA * nTA * nP) / (nP + Kr) + act - lTA * nTA,
      -act - lTN * nTN,
      rN * nN * (1 - nN / nC) + km * nP - (e * nTA * nN) / (kb * nN + KN),
    ];
  };
}

function maxRelError(got, ref, floor) {
  if (got.length !== ref.length) return Infinity;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(got[i] - ref[i]) / Math.max(Math.abs(ref[i]), floor);
    if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
  }
  return m;
}

// Repetitions per batch so that a batch of `batchFn` takes at least 150 ms.
function calibrate(batchFn) {
  batchFn(1);
  let reps = 1;
  for (;;) {
    const t = performance.now();
    batchFn(reps);
    const dt = performance.now() - t;
    if (dt >= 150) return reps;
    reps = Math.ceil(reps * Math.min(10, Math.max(2, 160 / Math.max(dt, 1))));
  }
}

// Median µs per call of each batch function, `rounds` batches each, the
// functions' batches alternating so that all see the same machine.
function timeAllUs(fns, rounds) {
  fns.slice(1).forEach((f) => f(1));
  const reps = calibrate(fns[0]);
  const per = fns.map(() => []);
  for (let i = 0; i < rounds; i++) {
    fns.forEach((f, k) => {
      const t = performance.now();
      f(reps);
      per[k].push(((performance.now() - t) * 1000) / reps);
    });
  }
  return per.map((v) => v.sort((x, y) => x - y)[(rounds - 1) >> 1]);
}

// Median µs per call: batches of at least 150 ms, 7 of them.
const timeUs = (batchFn) => timeAllUs([batchFn], 7)[0];

// Median µs per call of `a` and of `b`, 9 batches each, alternating: two
// builds compared in one page.
const timePairUs = (a, b) => timeAllUs([a, b], 9);

async function main() {
  await init();
  const problems = await (await fetch("/data/problems.json")).json();
  const refs = await (await fetch("/data/reference.json")).json();
  const prob = problems.find((p) => p.problem === "cr");
  const ref = refs.find((r) => r.problem === "cr").cases[0];
  const rtol = 1e-6, atol = prob.atol, floor = prob.floor;
  const rows = [];

  // cartsim, wasm.
  const cb = new ClinicalBench("cr", rtol, atol);
  const evals = cb.run(1);
  const cartErr = maxRelError(cb.output(), ref, floor);
  const cartUs = timeUs((n) => cb.run(n));
  rows.push({ problem: "cr", tool: "cartsim DP5 (wasm)", rtol, us_per_solve: cartUs, rhs_evals: evals, max_rel_error: cartErr });
  log(`cartsim wasm: ${cartUs.toFixed(1)} µs, ${evals} evals, err ${cartErr.toExponential(2)}`);

  // odex at the same rtol, and (if less accurate beyond 2x) at the loosest
  // rtol/10^i that comes within 2x of cartsim's error.
  const f = clinicalRhs(prob.cases[0]);
  const odexSolve = (r) => {
    const s = new odex.Solver(4);
    s.relativeTolerance = r;
    s.absoluteTolerance = atol;
    s.denseOutput = true;
    s.maxSteps = 1e6;
    const out = [];
    const res = s.solve(f, 0, prob.y0.slice(), prob.t_end, s.grid(1, (x, y) => { out.push(...y); }));
    return { out, res };
  };
  const odexRow = (tool, r) => {
    const { out, res } = odexSolve(r);
    const err = maxRelError(out, ref, floor);
    const us = timeUs((n) => { for (let i = 0; i < n; i++) odexSolve(r); });
    const row = { problem: "cr", tool, rtol, us_per_solve: us, rhs_evals: res.nEval, max_rel_error: err };
    if (r !== rtol) row.rtol_used = r;
    rows.push(row);
    log(`${tool}: ${us.toFixed(1)} µs, ${res.nEval} evals, err ${err.toExponential(2)}`);
    return err;
  };
  const e0 = odexRow("odex (npm 2.0.4)", rtol);
  if (!(e0 <= 2 * cartErr)) {
    for (let i = 1; i <= 6; i++) {
      const r = rtol * 10 ** -i;
      if (maxRelError(odexSolve(r).out, ref, floor) <= 2 * cartErr) {
        odexRow("odex (npm 2.0.4, matched)", r);
        break;
      }
    }
  }

  // The same entry built as the page's module (optional: --pkg-web), and
  // cells of the fig6 heat map (ten rows of the 200 × 200 α × h grid,
  // day-30 courses, as a job worker evaluates them) in both builds.
  let web = null;
  try {
    web = await import("/pkg-web/bench_wasm.js");
    await web.default();
  } catch {
    web = null;
  }
  // Timed in alternation with the release build (the row above is timed
  // beside odex; this pair's ratio is the page build's cost).
  let heat = null;
  if (web) {
    const wb = new web.ClinicalBench("cr", rtol, atol);
    const wEvals = wb.run(1);
    const wErr = maxRelError(wb.output(), ref, floor);
    const [relUs, wUs] = timePairUs((n) => cb.run(n), (n) => wb.run(n));
    rows.push({ problem: "cr", tool: "cartsim DP5 (wasm, page build)", rtol, us_per_solve: wUs, rhs_evals: wEvals, max_rel_error: wErr, release_us_alternating: relUs });
    log(`cartsim wasm, page build: ${wUs.toFixed(1)} µs (release build alternating: ${relUs.toFixed(1)} µs), ${wEvals} evals`);
    const HEAT_ROWS = [5, 25, 45, 65, 85, 105, 125, 145, 165, 185];
    const cells = HEAT_ROWS.length * 200;
    const sweep = (hb) => HEAT_ROWS.reduce((acc, r) => acc + hb.run(r * 200, r * 200 + 200), 0);
    const [ha, hw] = [new HeatBench(), new web.HeatBench()];
    const batch = (hb) => (n) => { for (let i = 0; i < n; i++) sweep(hb); };
    const [relCell, webCell] = timePairUs(batch(ha), batch(hw)).map((us) => us / cells);
    heat = { cells, wasm: { us: relCell, checksum: sweep(ha) }, page_build: { us: webCell, checksum: sweep(hw) } };
    log(`fig6 cells: ${JSON.stringify(heat)}`);
  }
  window.__bench = { rows, heat, userAgent: navigator.userAgent };
  log("done");
}

main().catch((e) => {
  window.__bench = { error: String(e && e.stack ? e.stack : e) };
  log("error: " + e);
});
