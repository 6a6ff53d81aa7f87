#!/usr/bin/env python3
"""Python side of `cargo xtask bench-stiff` (cartsim issue 18).

Solves the stiff problems that the native harness (bench/stiff-peers) wrote
to `stiff-problems.json` -- Robertson, Van der Pol (mu = 1000) and a stiff
marrow parameter set -- with scipy `solve_ivp` (LSODA, Radau, BDF) and
libroadrunner's CVODE (BDF; the model written in Antimony), at matched
accuracy: the accuracy to match is cartsim `auto`'s error at the nominal
rtol (1e-6, 1e-8) against the reference; each tool is run down the same
ladder of tolerances as the native peers (half decades, 100x looser to
10^4x tighter, atol = rtol x the problem's ratio) and timed at the loosest
rung whose error is at most twice cartsim auto's.

scipy gets the analytic Jacobian for Robertson and Van der Pol; for the
marrow model it differentiates (as libroadrunner does for every problem).
Times are per solve, the median of batches (bench/peers.py `timed`),
Python's call overhead included; libroadrunner compiles its model once per
problem outside the timing (`reset()` + `simulate()` is timed).

Usage: stiff_peers.py --dir target/bench [--quick] [--only PROBLEM]
Writes DIR/stiff-python.json (a list of result rows).
"""

import argparse
import json
import math
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

from peers import ANTIMONY_RULES, marrow_rhs, max_rel_error, timed

MATCH = 2.0
# A solve slower than this ends a tool's ladder (it would only get slower).
SLOW_S = 20.0

EPS = 1e-6


def rober(t, y):
    return [
        -0.04 * y[0] + 1e4 * y[1] * y[2],
        0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1],
        3e7 * y[1] * y[1],
    ]


def rober_jac(t, y):
    return [
        [-0.04, 1e4 * y[2], 1e4 * y[1]],
        [0.04, -1e4 * y[2] - 6e7 * y[1], -1e4 * y[1]],
        [0.0, 6e7 * y[1], 0.0],
    ]


def vdp(t, y):
    return [y[1], ((1.0 - y[0] * y[0]) * y[1] - y[0]) / EPS]


def vdp_jac(t, y):
    return [[0.0, 1.0], [(-2.0 * y[0] * y[1] - 1.0) / EPS, (1.0 - y[0] * y[0]) / EPS]]


ANTIMONY = {
    "rober": """
  y1' = -0.04*y1 + 1e4*y2*y3
  y2' = 0.04*y1 - 1e4*y2*y3 - 3e7*y2*y2
  y3' = 3e7*y2*y2
""",
    "vdp": """
  y1' = y2
  y2' = ((1 - y1*y1)*y2 - y1)/1e-6
""",
}


def ladder(level):
    rungs = [level * 10.0 ** (-k / 2.0) for k in range(-4, 9)]
    return [r for r in rungs if 1e-13 * 0.999 <= r <= 1e-2 * 1.001]


def scipy_tool(prob, method):
    kind = prob["kind"]
    if kind == "rober":
        f, jac = rober, rober_jac
    elif kind == "vdp":
        f, jac = vdp, vdp_jac
    else:
        f, jac = marrow_rhs(prob["params"]), None
    y0, t_end, grid = prob["y0"], prob["t_end"], prob["grid"]

    def make(rtol, atol):
        def run():
            kw = {} if jac is None or method == "RK45" else {"jac": jac}
            sol = solve_ivp(f, (0.0, t_end), y0, method=method, t_eval=grid, rtol=rtol,
                            atol=atol, **kw)
            if not sol.success:
                raise RuntimeError(f"{method}: {sol.message}")
            return sol.y.T, sol.nfev, sol.nlu

        return run

    return make


def roadrunner_tool(prob):
    import antimony
    import roadrunner

    roadrunner.Logger.disableLogging()
    antimony.clearPreviousLoads()
    kind = prob["kind"]
    if kind == "marrow":
        names = prob["state"]
        lines = ["model bench", ANTIMONY_RULES["marrow"]]
        for name, v in prob["params"].items():
            lines.append(f"  p_{name} = {v!r}")
    else:
        names = ["y1", "y2", "y3"][: len(prob["y0"])]
        lines = ["model bench", ANTIMONY[kind]]
    for name, v in zip(names, prob["y0"]):
        lines.append(f"  {name} = {v!r}")
    lines.append("end")
    if antimony.loadAntimonyString("\n".join(lines)) < 0:
        raise RuntimeError(antimony.getLastError())
    r = roadrunner.RoadRunner(antimony.getSBMLString("bench"))
    r.timeCourseSelections = ["time"] + list(names)
    times = [0.0] + list(prob["grid"])

    def make(rtol, atol):
        def run():
            integ = r.integrator
            integ.relative_tolerance = rtol
            integ.absolute_tolerance = atol
            integ.maximum_num_steps = 10_000_000
            r.reset()
            res = r.simulate(times=times)
            return np.asarray(res)[1:, 1:], None, None

        return run

    return make


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="target/bench")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only")
    args = ap.parse_args()
    problems = json.load(open(f"{args.dir}/stiff-problems.json"))
    rows = []
    for prob in problems:
        name = prob["problem"]
        if args.only and args.only != name:
            continue
        ref = np.asarray(prob["reference"], dtype=float).reshape(len(prob["grid"]), -1)
        floor, ratio = prob["floor"], prob["atol_per_rtol"]
        print(f"[{name}] {prob['note']}", file=sys.stderr)

        # Cross-check of the reference: scipy Radau at rtol 1e-12.
        try:
            out, _, _ = scipy_tool(prob, "Radau")(1e-12, 1e-12 * ratio)()
            agree = max_rel_error(out, ref, floor)
        except Exception as exc:  # noqa: BLE001
            agree = None
            print(f"  reference check failed: {exc}", file=sys.stderr)
        print(f"  reference check: scipy Radau rtol 1e-12 vs cartsim Rodas4 rtol 1e-12: {agree}",
              file=sys.stderr)
        rows.append({"problem": name, "tool": "reference check (scipy Radau 1e-12 vs reference)",
                     "level": None, "rtol": 1e-12,
                     "max_rel_error": None if agree is None else float(agree)})

        tools = [
            ("scipy LSODA", scipy_tool(prob, "LSODA")),
            ("scipy Radau", scipy_tool(prob, "Radau")),
            ("scipy BDF", scipy_tool(prob, "BDF")),
        ]
        try:
            tools.append(("libroadrunner CVODE", roadrunner_tool(prob)))
        except Exception as exc:  # noqa: BLE001
            print(f"  libroadrunner unavailable: {exc}", file=sys.stderr)
        for target in prob["targets"]:
            level, auto_err = target["level"], target["auto_error"]
            goal = MATCH * auto_err
            for tool, make in tools:
                found, tried = None, ""
                for r in ladder(level):
                    a = r * ratio
                    try:
                        t0 = time.perf_counter()
                        out, nfev, nlu = make(r, a)()
                        took = time.perf_counter() - t0
                        err = max_rel_error(out, ref, floor)
                    except Exception as exc:  # noqa: BLE001
                        tried = f"rtol {r:.0e} failed: {exc}"
                        continue
                    tried = f"tightest tried rtol {r:.0e}: error {err:.1e}"
                    if err <= goal:
                        found = (r, a, err, nfev, nlu)
                        break
                    if took > SLOW_S:
                        tried += f" (stopped: one solve took {took:.0f} s)"
                        break
                if found is None:
                    print(f"  {level:.0e} {tool:<20} not matched ({tried})", file=sys.stderr)
                    rows.append({"problem": name, "tool": tool, "level": level, "rtol": level,
                                 "atol": level * ratio, "us_per_solve": None, "max_rel_error": None,
                                 "note": f"no rung of the ladder within 2x of auto's error; {tried}"})
                    continue
                r, a, err, nfev, nlu = found
                run = make(r, a)
                sec = timed(run, args.quick)
                print(f"  {level:.0e} {tool:<20} {sec * 1e6:>12.1f} µs  err {err:.2e} (rtol {r:.1e})",
                      file=sys.stderr)
                rows.append({"problem": name, "tool": tool, "level": level, "rtol": r, "atol": a,
                             "us_per_solve": sec * 1e6, "max_rel_error": float(err),
                             "rhs_evals": None if nfev is None else int(nfev),
                             "lu": None if nlu is None else int(nlu), "steps": None})
    json.dump(rows, open(f"{args.dir}/stiff-python.json", "w"), indent=1)
    print(f"wrote {args.dir}/stiff-python.json", file=sys.stderr)


if __name__ == "__main__":
    main()
