// cartsim's service worker: the page works offline after one visit, and a
// new build replaces the old one whole.
//
// `cargo xtask dist` replaces the BUILD line below (null here) with the
// build's id and every file of dist/ with its SHA-256 (xtask/src/main.rs,
// write_service_worker), so the list always comes from the build. The id
// changes with any file, so the browser sees a new sw.js after every
// rebuild that changed something, and installs it beside the old one.
//
// - One cache per build and folder ("cartsim <scope> <id>"), filled
//   completely at install, each file checked against its SHA-256 (a half-
//   copied upload fails the install and the old version stays). It serves
//   everything it holds first, the network only for what it does not hold.
// - A new version waits until the page's banner asks it to take over
//   (www/boot.js) or every tab of the old one is closed.
// - Never old JS with new wasm: a tab keeps being served the build it was
//   loaded with, including the job workers it starts later; a build's cache
//   is deleted once no open tab or worker uses it.
//
// Without a file list (`cargo xtask serve`, where Trunk copies this file
// as it is) it only removes an earlier cartsim service worker and its
// caches from this folder, so development never runs a cached build.
const BUILD = null;

const SCOPE = new URL("./", self.location).href;
const PREFIX = `cartsim ${SCOPE} `;
const META = `${PREFIX}clients`;
// Where the client → build table is kept across restarts of this worker.
const META_KEY = `${SCOPE}__cartsim_clients__`;

if (!BUILD) {
  self.addEventListener("install", () => self.skipWaiting());
  self.addEventListener("activate", (event) => {
    event.waitUntil(
      (async () => {
        let removed = 0;
        for (const name of await caches.keys()) {
          if (name.startsWith(PREFIX)) removed += (await caches.delete(name)) ? 1 : 0;
        }
        await self.registration.unregister();
        // Tabs showing a cached build load the development build instead.
        if (removed > 0) {
          for (const client of await self.clients.matchAll({ type: "window" })) {
            client.navigate(client.url).catch(() => {});
          }
        }
      })(),
    );
  });
} else {
  const CACHE = `${PREFIX}${BUILD.id}`;
  const FILES = new Map(Object.entries(BUILD.files));

  const hex = (buffer) =>
    [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

  async function precache() {
    const cache = await caches.open(CACHE);
    try {
      await Promise.all(
        [...FILES].map(async ([path, sha256]) => {
          const url = new URL(path, SCOPE).href;
          // Past the HTTP cache: an older copy of an unhashed file
          // (worker.js, sw.js's siblings without a hash) must never get in.
          const res = await fetch(new Request(url, { cache: "reload" }));
          if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
          const body = await res.clone().arrayBuffer();
          const got = hex(await crypto.subtle.digest("SHA-256", body));
          if (got !== sha256) throw new Error(`${path}: not the file of build ${BUILD.id}`);
          await cache.put(url, res);
        }),
      );
    } catch (err) {
      await caches.delete(CACHE);
      throw err;
    }
  }

  // Which build each client (tab or worker) still runs, when it is not the
  // current one: { current: cache name, clients: { clientId: cache name } }.
  let meta = null;
  async function loadMeta() {
    if (!meta) {
      const res = await (await caches.open(META)).match(META_KEY);
      meta = res ? await res.json() : { current: null, clients: {} };
    }
    return meta;
  }
  async function saveMeta() {
    await (await caches.open(META)).put(META_KEY, new Response(JSON.stringify(meta)));
  }

  // Forget clients that are gone; delete the caches of builds nobody uses.
  async function tidy() {
    const m = await loadMeta();
    const live = new Set(
      (await self.clients.matchAll({ includeUncontrolled: true, type: "all" })).map((c) => c.id),
    );
    // A build stays while a live client runs it. A client that is not
    // listed goes with its build only: a worker just started is listed
    // only once its script runs, and its tab keeps that build alive.
    const used = new Set(Object.entries(m.clients).filter(([id]) => live.has(id)).map(([, c]) => c));
    for (const [id, name] of Object.entries(m.clients)) {
      if (!used.has(name)) delete m.clients[id];
    }
    const keep = new Set([CACHE, META, ...Object.values(m.clients)]);
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && !keep.has(name)) await caches.delete(name);
    }
    await saveMeta();
  }

  // Tidy a moment after a page (re)loads, while tabs of older builds are
  // open: by then the document a reload replaced is gone.
  let tidying = null;
  function tidySoon(event) {
    if (!tidying) {
      tidying = new Promise((ok) => setTimeout(ok, 500))
        .then(tidy)
        .catch(() => {})
        .finally(() => {
          tidying = null;
        });
    }
    event.waitUntil(tidying);
  }

  self.addEventListener("install", (event) => event.waitUntil(precache()));

  self.addEventListener("message", (event) => {
    if (event.data && event.data.type === "activate") self.skipWaiting();
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil(
      (async () => {
        const m = await loadMeta();
        // Every client open now was loaded with an earlier build: the
        // previous current one, unless it is already listed.
        const previous = m.current;
        if (previous && previous !== CACHE && (await caches.has(previous))) {
          for (const c of await self.clients.matchAll({ includeUncontrolled: true, type: "all" })) {
            if (!(c.id in m.clients)) m.clients[c.id] = previous;
          }
        }
        m.current = CACHE;
        await tidy();
      })(),
    );
  });

  async function respond(event, path) {
    const req = event.request;
    let name = CACHE;
    const m = await loadMeta();
    // Old builds may have lost their last tab.
    if (Object.keys(m.clients).length > 0) tidySoon(event);
    if (req.mode !== "navigate") {
      // A (re)load gets the current build; anything else, its client's.
      const old = m.clients[event.clientId];
      if (old && (await caches.has(old))) {
        name = old;
        // A worker started by a tab of an older build runs that build too.
        if (event.resultingClientId && (req.destination === "worker" || req.destination === "sharedworker")) {
          m.clients[event.resultingClientId] = old;
          event.waitUntil(saveMeta());
        }
      }
    }
    const cache = (await caches.has(name)) ? await caches.open(name) : null;
    const hit = cache && (await cache.match(new URL(path, SCOPE).href));
    // A worker's address is its response's: a copy without one keeps the
    // request's, so the loader still reads its query.
    if (hit && path === "worker.js") return new Response(hit.body, hit);
    return hit || fetch(req);
  }

  self.addEventListener("fetch", (event) => {
    const req = event.request;
    if (req.method !== "GET" || !req.url.startsWith(SCOPE)) return;
    const url = new URL(req.url);
    let path = decodeURIComponent(url.pathname.slice(new URL(SCOPE).pathname.length));
    if (req.mode === "navigate") {
      // The page itself, whatever its query (?model=…&preset=…).
      if (path !== "" && path !== "index.html") return;
      path = "index.html";
    } else if (url.search && path !== "worker.js") {
      // Only the workers' loader takes a query (the page's own file names,
      // src/web/jobs.rs): the same file, whatever the query.
      return;
    }
    if (!FILES.has(path)) return; // not part of the build: the network, as usual
    event.respondWith(respond(event, path));
  });
}
