// The page's Rust modules (src/web) import each other without a cycle:
// every `use super::…`, `super::x::…`, `crate::web::…` path (also inside
// `{…}` groups) is resolved to the module file it names, and the graph of
// those edges must be acyclic; so is a child module named plainly by its
// parent (`page::start()` in mod.rs). Comments are ignored (doc links are not
// imports); `mod x;` declarations are not imports either. Needs no build
// and no browser: `node --test tests/e2e/modules.test.mjs`, or
// `node tests/e2e/modules.test.mjs [DIR]` to print the graph of a tree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WEB = join(ROOT, "src", "web");

/** Every .rs file under `dir`, as module path → file (`web::panels::sweep`). */
export function modules(dir = WEB) {
  const out = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".rs")) {
        const parts = relative(dir, p).replace(/\.rs$/, "").split(sep);
        if (parts[parts.length - 1] === "mod") parts.pop();
        out.set(["web", ...parts].join("::"), p);
      }
    }
  };
  walk(dir);
  return out;
}

/** Rust source without comments and string literals (so neither can look like a path). */
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\/\/[^\n]*/g, " ");
}

/** The items of a `{a, b::c, d::{e, f}}` group, as paths. */
function groupItems(group) {
  const items = [];
  let depth = 0;
  let cur = "";
  for (const ch of group.slice(1, -1)) {
    if (ch === "{") depth += 1;
    if (ch === "}") depth -= 1;
    if (ch === "," && depth === 0) {
      items.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) items.push(cur.trim());
  return items.map((i) => i.split(/\s+as\s+/)[0].replace(/::\{[\s\S]*$/, "").trim());
}

/** The modules `module` (whose file is `file`) refers to: `super` is the
 * parent of the module (for `a/mod.rs`, module `a`, that is `a`'s parent). */
export function references(module, file, known) {
  const text = code(readFileSync(file, "utf8"));
  const own = module.split("::");
  const targets = new Set();
  const re = /\b(crate::web::|(?:super::)+|self::)((?:\w+::)*)(\{|\w+)/g;
  let m;
  while ((m = re.exec(text))) {
    let base;
    if (m[1] === "crate::web::") base = ["web"];
    else if (m[1] === "self::") base = own;
    else base = own.slice(0, own.length - m[1].split("super::").length + 1);
    if (base.length === 0) continue; // above src/web
    const mid = m[2] ? m[2].split("::").filter(Boolean) : [];
    let tails;
    if (m[3] === "{") {
      let depth = 0;
      let end = m.index + m[0].length - 1;
      for (; end < text.length; end += 1) {
        if (text[end] === "{") depth += 1;
        if (text[end] === "}" && (depth -= 1) === 0) break;
      }
      tails = groupItems(text.slice(m.index + m[0].length - 1, end + 1)).map((i) =>
        i === "self" ? [] : i.split("::"),
      );
    } else tails = [[m[3]]];
    for (const tail of tails) {
      const path = [...base, ...mid, ...tail];
      // The longest prefix that is a module file.
      for (let k = path.length; k >= 1; k -= 1) {
        const name = path.slice(0, k).join("::");
        if (known.has(name)) {
          if (name !== module) targets.add(name);
          break;
        }
      }
    }
  }
  // A child module named by its plain name (`page::start()` in mod.rs).
  for (const name of known.keys()) {
    const parts = name.split("::");
    if (parts.length !== own.length + 1 || parts.slice(0, -1).join("::") !== module) continue;
    if (new RegExp(`(?<![:\\w])${parts[parts.length - 1]}::`).test(text)) targets.add(name);
  }
  return targets;
}

/** The import graph of src/web: module → modules it refers to. */
export function graph(dir = WEB) {
  const mods = modules(dir);
  const g = new Map();
  for (const [name, file] of mods) g.set(name, references(name, file, mods));
  return g;
}

/** One cycle of the graph, as a list of modules, or null. */
export function findCycle(g) {
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, "open");
    stack.push(n);
    for (const t of [...(g.get(n) || [])].sort()) {
      if (state.get(t) === "open") return [...stack.slice(stack.indexOf(t)), t];
      if (!state.has(t)) {
        const c = visit(t);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of [...g.keys()].sort()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

test("src/web has no import cycle", () => {
  const g = graph();
  assert.ok(g.size >= 15, `only ${g.size} modules found`);
  const cycle = findCycle(g);
  assert.equal(cycle, null, `import cycle: ${cycle?.join(" → ")}`);
});

test("the bottom and the top of the graph are where the docs say", () => {
  const g = graph();
  // The DOM helpers and the state import nothing of the page's UI.
  assert.deepEqual([...g.get("web::dom")], []);
  for (const ui of ["web::page", "web::controls", "web::results", "web::bands", "web::export", "web::notes"]) {
    assert.ok(!g.get("web::app").has(ui), `app imports ${ui}`);
  }
  // Nothing but the entry point imports the loop.
  for (const [n, ts] of g) {
    if (n !== "web") assert.ok(!ts.has("web::page"), `${n} imports web::page`);
  }
  // The resolver sees real edges (a check on the check).
  assert.ok(g.get("web::page").has("web::app"));
  assert.ok(g.get("web::panels::sweep").has("web::jobs"));
  assert.ok(g.get("web::panels::cohort").has("web::panels::plots"));
});

// `node tests/e2e/modules.test.mjs [DIR]`: print the graph (and any cycle) of DIR.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  const g = graph(resolve(process.argv[2]));
  for (const [n, ts] of [...g].sort()) console.log(`${n} -> ${[...ts].sort().join(", ")}`);
  const c = findCycle(g);
  console.log(c ? `cycle: ${c.join(" → ")}` : "no cycle");
}
