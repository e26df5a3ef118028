/* Caregiver's service worker, rendered by caregiver/pwa.py and served at /sw.js so
   that its scope is the whole app. Shaped like Chrome's offline-fallback sample: one
   version, precache on install (from the server for unversioned files), old caches deleted on
   activate. docs/offline.md tells the whole story and its limits. */
"use strict";

// The release: a hash of every static file (pwa.py). Any change to one of them
// changes this file, so the browser installs this worker anew.
const VERSION = {{ version|tojson }};
// The language this worker was made in: choosing another changes this file, so a new
// worker keeps the shell and the pages anew in that language.
const LANGUAGE = {{ language|tojson }};
const SHELL = "caregiver-shell-" + VERSION + "-" + LANGUAGE;
// Kept pages live in "caregiver-pages-<cache key>": one user's pages only.
const PAGES = "caregiver-pages-";
// The app shell, by exact versioned URL: a page of this release finds every file.
const PRECACHE = {{ precache|tojson }};
// The offline page, the outbox page and the emergency page, fetched WITHOUT
// cookies: these copies hold no one's data (the emergency page says 911).
const ANONYMOUS_PAGES = {{ anonymous_pages|tojson }};
const [OFFLINE_URL, OUTBOX_URL, EMERGENCY_URL] = ANONYMOUS_PAGES;
const MAX_PAGES = 40;
// Every page answer says whose it is ("none" when signed out); see pwa.py.
const KEY_HEADER = {{ cache_key_header|tojson }};
// The pages of a circle kept for reading offline: network first, this copy when
// there is no connection or the server fails (5xx). Never share links, sign-in or
// account pages (not listed), never a POST or an htmx request (see the fetch handler).
const KEPT = [
  /^\/c\/\d+\/$/,
  /^\/c\/\d+\/(checkins\/new|history|checklists|continuum|level|summary|more|emergency|medication|plan|assessment|assessment\/brief)$/,
  /^\/emergency$/,
];
// The emergency pages: every circle's, and the one outside circles. They always
// open: kept copy, else the shell's page for anyone (911), never a sign-in page.
const EMERGENCY = /^\/(c\/\d+\/)?emergency$/;
const EMERGENCY_REFRESH_MS = 60 * 60 * 1000;
// From sign-in on, every circle's main pages are kept, visited or not: the server
// lists them (pwa.py), a page asks once loaded ("keep-all"). A copy younger than
// this is not fetched again in the background (a visit always refreshes it).
const OFFLINE_PAGES_URL = {{ offline_pages_url|tojson }};
const KEEP_FRESH_MS = 10 * 60 * 1000;

// The words of the scripts in this worker's language (none for English), read by
// app.js's CaregiverWords; then the outbox (IndexedDB storage and the replay), the
// same files the pages load.
self.CaregiverWordsData = {{ js_words|tojson }};
importScripts({{ app_script|tojson }}, {{ outbox_store_script|tojson }});

self.addEventListener("install", (event) => {
  // skipWaiting: a fixed release reaches the phone now, not when every tab is closed.
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

async function precache() {
  const cache = await caches.open(SHELL);
  // A file named with its release (?v=) can never be stale: the copy the page just
  // loaded is taken from the HTTP cache, so a phone does not download it twice.
  // Anything else, {cache: 'reload'}: from the server, never a stale copy.
  await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: url.includes("?v=") ? "default" : "reload" })));
  await Promise.all(ANONYMOUS_PAGES.map(async (url) => {
    // No cookie, so the page is asked for in this worker's language by name.
    const response = await fetch(new Request(url, { cache: "reload", credentials: "omit",
                                                    headers: { "Accept-Language": LANGUAGE } }));
    if (!response.ok) throw new Error(`precache ${url}: ${response.status}`);
    await cache.put(url, response);
  }));
}

let shellCheck = null;
function ensureShell() {
  // The shell must always be there (the emergency page): if the browser dropped it
  // (storage pressure, a partial clear), a page load fills it again.
  shellCheck = shellCheck || caches.has(SHELL)
    .then((has) => has || precache())
    .catch(() => {}) // offline: the next page will ask again
    .finally(() => { shellCheck = null; });
  return shellCheck;
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // A new release: drop the old shell, and the kept pages too: they link the old
    // release's files, and a page must never mix two releases.
    for (const name of await caches.keys()) {
      if (name.startsWith("caregiver-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // POSTs go to the network untouched, never cached
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (request.headers.has("HX-Request")) {
    // htmx partials: network only, never kept. A boosted link's answer is the whole
    // page: a kept one is remembered from this very answer (no second fetch of it).
    // Offline, outbox.js turns a boosted link into a real navigation, which comes back here.
    if (request.headers.get("HX-Boosted") === "true" && KEPT.some((pattern) => pattern.test(url.pathname))) {
      event.respondWith(fetch(request).then((response) => {
        noteKey(response);
        event.waitUntil(remember(url, response.clone(), true));
        return response;
      }));
    }
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(request, { cacheName: SHELL }).then((hit) => hit || fetch(request)));
  }
});

// Client ids of the pages this worker answered from the cache: outbox.js asks, to
// say "Offline copy from ..." even when the phone believes it is online.
const fromCache = new Set();

async function navigate(event, url) {
  const kept = KEPT.some((pattern) => pattern.test(url.pathname));
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) { // no connection (or no server)
    if (url.pathname === "/") { // the installed app's start page: the circle opened last
      const home = await lastKeptHome();
      if (home) return Response.redirect(home, 302);
    }
    return (await savedCopy(event, url, kept)) || (await caches.match(OFFLINE_URL, { cacheName: SHELL })) || Response.error();
  }
  noteKey(response);
  if (response.status >= 500) { // e.g. a proxy's 502/503 in an outage: the saved copy is better
    return (await savedCopy(event, url, kept)) || response;
  }
  if (EMERGENCY.test(url.pathname) && !response.ok) {
    // Signed out, or no longer in that circle (a redirect to sign-in, a 404): in an
    // emergency, the page for anyone instead.
    return (await caches.match(EMERGENCY_URL, { cacheName: SHELL })) || response;
  }
  event.waitUntil(remember(url, response.clone(), kept));
  return response;
}

async function savedCopy(event, url, kept) {
  let copy = kept ? await keptCopy(url) : undefined;
  // An emergency page not kept yet (a circle never opened here): the page for anyone.
  if (!copy && EMERGENCY.test(url.pathname)) copy = await caches.match(EMERGENCY_URL, { cacheName: SHELL });
  if (!copy && url.pathname === OUTBOX_URL) copy = await caches.match(OUTBOX_URL, { cacheName: SHELL });
  if (copy) fromCache.add(event.resultingClientId); // the page then shows when the copy was made
  return copy;
}

// Whose page answer came last ("none": nobody signed in). A background keep files
// a page only under this key: an answer fetched for someone who has since signed
// out must never land next to (or instead of) the next person's pages.
let latestKey = null;
function noteKey(response) {
  const key = response.headers.get(KEY_HEADER);
  if (key) latestKey = key;
}

// remember(url, response, kept, expected): `expected` is set by a background keep,
// for that person's key; then the answer is filed only if it is still theirs.
async function remember(url, response, kept, expected) {
  const key = response.headers.get(KEY_HEADER);
  if (!key) return false; // not a page of ours (a redirect, a file)
  const background = expected !== undefined;
  if (background && (key !== expected || latestKey !== key)) return false; // someone else now: stop
  // Someone else, or no one, is signed in now: their pages leave this phone.
  if (!background) await forgetPagesExcept(key);
  if (!(kept && key !== "none" && response.status === 200 && response.type === "basic" && !response.redirected)) {
    return false;
  }
  // A newer release took over (its activate deleted this one's shell): this worker
  // files nothing more, its pages link the old release's files.
  if (!(await caches.has(SHELL))) return false;
  const cache = await caches.open(PAGES + key);
  await cache.put(url.href, response);
  if (background && latestKey !== key) { // signed out (or someone else in) meanwhile
    await caches.delete(PAGES + key);
    return false;
  }
  if (!(await caches.has(SHELL))) { // replaced while putting
    await cache.delete(url.href);
    return false;
  }
  // A phone has little room: the oldest kept pages go first, never the listed ones.
  const keys = (await cache.keys()).filter((request) => !listed.has(new URL(request.url).pathname));
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
  if (!background) await keepCircleEmergency(url, cache); // a background keep lists it anyway
  return true;
}

async function keepCircleEmergency(url, cache) {
  // The circle's emergency page is kept with its other pages, so that offline the
  // Emergency button shows this circle's numbers even if it was never tapped here.
  // Fetched again at a visit of the circle's home (where saved settings lead) when
  // the copy is more than an hour old: numbers rarely change, pages are read often.
  const circle = /^\/c\/(\d+)\//.exec(url.pathname);
  if (!circle || EMERGENCY.test(url.pathname)) return;
  const emergency = `/c/${circle[1]}/emergency`;
  const copy = await cache.match(new URL(emergency, url).href);
  const age = copy ? Date.now() - Date.parse(copy.headers.get("Date") || 0) : Infinity;
  if (!copy || (KEPT[0].test(url.pathname) && !(age < EMERGENCY_REFRESH_MS))) await keepPage(emergency);
}

async function forgetPagesExcept(key) {
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== PAGES + key) await caches.delete(name);
  }
}

async function keptCopy(url) {
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGES));
  // Exactly one user's pages, or nothing: never guess between two.
  if (names.length !== 1) return undefined;
  return (await caches.open(names[0])).match(url.href, { ignoreVary: true });
}

async function lastKeptHome() {
  // Online, "/" redirects to the circle used last; offline, the circle home kept last
  // (a cache lists its entries oldest first; keeping a page again moves it to the end).
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGES));
  if (names.length !== 1) return undefined;
  const homes = (await (await caches.open(names[0])).keys())
    .map((request) => new URL(request.url).pathname)
    .filter((path) => KEPT[0].test(path));
  return homes[homes.length - 1];
}

async function keepPage(path) {
  // A page reached by a boosted (htmx) link never passed through navigate():
  // fetch it again, as a page, to keep a copy.
  const url = new URL(path, self.location.origin);
  if (url.origin !== self.location.origin || !KEPT.some((pattern) => pattern.test(url.pathname))) return;
  try {
    const response = await fetch(url.href, { credentials: "same-origin", cache: "no-store" });
    noteKey(response);
    await remember(url, response, true);
  } catch (error) { /* offline: nothing to keep */ }
}

// The pages the server listed last (paths): kept whatever the visits, see remember().
let listed = new Set();
const CIRCLE_PATH = /^\/c\/(\d+)\//;

async function forgetOtherCircles(key, pages) {
  // A circle no longer listed (left, removed, deleted): its kept pages go from this
  // phone too, so leaving closes the offline copy as well.
  if (!(await caches.has(PAGES + key))) return;
  const circleOf = (url) => (new URL(url, self.location.origin).pathname.match(CIRCLE_PATH) || [])[1];
  const mine = new Set(pages.map((page) => circleOf(page.url)));
  const cache = await caches.open(PAGES + key);
  for (const request of await cache.keys()) {
    const circle = circleOf(request.url);
    if (circle && !mine.has(circle)) await cache.delete(request);
  }
}

let keeping = null; // {key, controller, promise}: one background keep at a time

function keepAll(key) {
  // Fetch and keep every page the server lists for this person, one at a time (a
  // phone on a weak signal), skipping copies younger than KEEP_FRESH_MS.
  if (typeof key !== "string" || !key || key === "none") return Promise.resolve({ kept: 0, skipped: "signed-out" });
  if (keeping && keeping.key === key) return keeping.promise;
  if (keeping) keeping.controller.abort();
  const controller = new AbortController();
  const run = async () => {
    const signal = controller.signal;
    const answer = await fetch(OFFLINE_PAGES_URL, { credentials: "same-origin", cache: "no-store", signal,
                                                    headers: { Accept: "application/json" } });
    if (!answer.ok) return { kept: 0, skipped: answer.status };
    const data = await answer.json();
    latestKey = data.user; // the server's word on who is signed in, as fresh as a page's
    if (data.user !== key) return { kept: 0, skipped: "other-account" }; // an old tab of someone else
    listed = new Set(data.pages.map((page) => page.url));
    await forgetOtherCircles(key, data.pages);
    const result = { kept: 0, fresh: 0, total: data.pages.length };
    for (const page of data.pages) {
      if (signal.aborted) break;
      const url = new URL(page.url, self.location.origin);
      if (url.origin !== self.location.origin || !KEPT.some((pattern) => pattern.test(url.pathname))) continue;
      // caches.match with cacheName: never creates a cache (an empty one of someone
      // who left would stop keptCopy from choosing).
      const copy = await caches.match(url.href, { cacheName: PAGES + key });
      if (copy && Date.now() - Date.parse(copy.headers.get("Date") || 0) < KEEP_FRESH_MS) {
        result.fresh += 1;
        continue;
      }
      const response = await fetch(url.href, { credentials: "same-origin", cache: "no-store", signal });
      if (response.headers.get(KEY_HEADER) !== key) break; // signed out meanwhile: nothing more of theirs
      if (await remember(url, response, true, key)) result.kept += 1;
    }
    return result;
  };
  const promise = run()
    .catch(() => ({ kept: 0, skipped: "no-connection" })) // offline, or aborted by a sign-out
    .finally(() => { if (keeping && keeping.promise === promise) keeping = null; });
  keeping = { key, controller, promise };
  return promise;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (value) => event.ports[0] && event.ports[0].postMessage(value);
  if (data.type === "page-source") {
    const id = event.source && event.source.id;
    reply({ fromCache: fromCache.delete(id), version: VERSION });
    event.waitUntil(ensureShell());
  } else if (data.type === "keep-all") {
    event.waitUntil(keepAll(data.key).then(reply));
  } else if (data.type === "forget") {
    // Signing out: stop keeping this person's pages, file nothing more of theirs.
    latestKey = "none";
    if (keeping) keeping.controller.abort();
    listed = new Set();
    reply({ ok: true });
  } else if (data.type === "keep-page") {
    event.waitUntil(keepPage(String(data.url || "")).then(() => reply({ ok: true })));
  } else if (data.type === "replay") {
    // The worker sends, so a page that navigates away mid-replay loses nothing.
    event.waitUntil(self.CaregiverOutbox.replay().then(reply, () => reply({ failed: true })));
  }
});

self.addEventListener("sync", (event) => {
  // Background Sync: fires when the connection returns, even with no page open.
  if (event.tag !== "outbox") return;
  event.waitUntil(self.CaregiverOutbox.replay().then((result) => {
    if (result.networkError) throw new Error("still offline: the browser will try again");
  }));
});

// Alerts (Web Push): the server's payload holds a circle's nickname, fixed words and a
// path in this app, never a health value (caregiver/alerts.py). The tag makes a retried
// alert replace the one shown, never double it.
function samePath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = {}; }
  const title = typeof message.title === "string" ? message.title : "Caregiver";
  const options = {
    body: typeof message.body === "string" ? message.body : "",
    tag: typeof message.tag === "string" ? message.tag : undefined,
    data: { url: samePath(message.url) },
    icon: "/static/icons/icon-192.png",
    renotify: message.kind === "urgent" && Boolean(message.tag),
    requireInteraction: message.kind === "urgent",
  };
  event.waitUntil(self.registration.showNotification(title, options).then(async () => {
    // Open pages hear what was shown (the browser tests read it; nothing else listens).
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    windows.forEach((client) => client.postMessage({ type: "push-shown", title, body: options.body, tag: options.tag }));
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = samePath(event.notification.data && event.notification.data.url);
  // The circle home is kept for offline reading, so this opens with no signal too.
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if ("navigate" in client) {
        const opened = await client.navigate(url);
        try { await (opened || client).focus(); } catch (error) { /* the browser may refuse focus */ }
        return opened;
      }
    }
    return self.clients.openWindow(url);
  })());
});
