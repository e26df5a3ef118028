/* The outbox: IndexedDB storage and the replay, shared by the pages (base.html)
   and the service worker (importScripts in templates/pwa/sw.js), so Background Sync
   and the pages' "replay" messages send from the worker: a page that navigates away
   mid-send loses nothing.

   Every entry carries its form's client_id, which the server treats as an
   idempotency key, so each entry is sent once. The page side (queueing, what waits,
   sign-out) is static/js/outbox.js. Plain JS, no dependencies: importScripts cannot
   load modules. docs/offline.md. */
(function (scope) {
  "use strict";

  var DB_NAME = "caregiver-outbox";
  var STORE = "entries"; // {client_id, url, fields: [[name, value]], kind, label, circle, created_at, status, error, user}
  var CHANNEL = "caregiver-outbox"; // BroadcastChannel: "the outbox changed"
  var SIGNED_OUT = "signed-out"; // entry.error while the server says nobody is signed in
  var OTHER_ACCOUNT = "other-account"; // entry.error: made by another account on this phone
  var CSRF_URL = "/csrf"; // pwa.py: {"csrf_token", "user"}, or 401 when signed out
  // Answers that mean "this entry will never be accepted as it is": kept, shown, fixable.
  var REFUSED = [400, 403, 404, 409, 410, 413, 422];
  // A gateway's answer in an outage (the server never saw the entry, or its answer
  // never came back): the same as no answer at all. So is no answer within TIMEOUT_MS.
  var UNREACHABLE = [502, 503, 504];
  var TIMEOUT_MS = 20000;

  // The words of app.js, which the pages load first and the worker imports first.
  function gettext(text, values) {
    return scope.CaregiverWords ? scope.CaregiverWords.gettext(text, values) : text;
  }

  // --- storage: one object store, a connection per operation ----------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); }; // never block a deletion
        resolve(db);
      };
      request.onerror = function () { reject(request.error); };
    });
  }

  async function transact(mode, work) {
    var db = await openDb();
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(STORE, mode);
      var request = work(tx.objectStore(STORE));
      tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    });
  }

  var Outbox = {
    all: async function () {
      var list = await transact("readonly", function (store) { return store.getAll(); });
      return list.sort(function (a, b) { return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0; });
    },
    put: function (entry) { return transact("readwrite", function (store) { return store.put(entry); }); },
    remove: function (id) { return transact("readwrite", function (store) { return store.delete(id); }); },
    clear: function () { return transact("readwrite", function (store) { return store.clear(); }); },
    replay: replay,
    changed: changed,
    // For the page's listener and its wording of why an entry waits.
    CHANNEL: CHANNEL,
    SIGNED_OUT: SIGNED_OUT,
    OTHER_ACCOUNT: OTHER_ACCOUNT,
    UNREACHABLE: UNREACHABLE, // the page queues a first send answered so, too
    TIMEOUT_MS: TIMEOUT_MS,
  };

  function changed() {
    if (!scope.BroadcastChannel) return;
    var channel = new BroadcastChannel(CHANNEL);
    channel.postMessage("changed");
    channel.close();
  }

  // --- replay: one at a time, across pages and the worker ---------------------------

  var waiting = null; // a replay asked for here and not started yet: later asks share it

  function replay() {
    if (waiting) return waiting;
    var promise = withLock(function () {
      if (waiting === promise) waiting = null;
      return sendAll();
    });
    waiting = promise;
    return promise;
  }

  var chain = Promise.resolve();
  function withLock(run) {
    // navigator.locks: one holder at a time in every page and worker of this origin.
    // Each run reads the outbox afresh, so a second replay finds nothing to send twice.
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request("caregiver-outbox-replay", run);
    }
    chain = chain.then(run, run);
    return chain;
  }

  async function sendAll() {
    var result = { sent: 0, refused: 0, left: 0, signedOut: false, networkError: false };
    var entries = (await Outbox.all()).filter(function (e) { return e.status === "waiting"; });
    if (!entries.length) return result;
    var session;
    try {
      session = await fetchSession();
    } catch (error) {
      result.networkError = true;
      result.left = entries.length;
      return result;
    }
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      if (!session) { // signed out: keep everything, ask to sign in
        result.signedOut = true;
        await mark(entries.slice(i), SIGNED_OUT);
        result.left += entries.length - i;
        break;
      }
      if (entry.user && session.user && entry.user !== session.user) {
        await mark([entry], OTHER_ACCOUNT); // never sent as somebody else
        result.left += 1;
        continue;
      }
      var answer;
      try {
        answer = await post(entry, session.token);
        if (answer.status === 400 && answer.json && answer.json.error === "csrf") {
          session = await fetchSession(); // the token expired: a fresh one, one more try
          if (!session) { i -= 1; continue; }
          answer = await post(entry, session.token);
        }
      } catch (error) { // the connection went again (or timed out): keep this one and the rest
        answer = null; // (a redirect, with redirect: "manual", is status 0: not this)
      }
      if (!answer || UNREACHABLE.indexOf(answer.status) >= 0) {
        result.networkError = true; // untouched, and Background Sync tries again
        result.left += entries.length - i;
        break;
      }
      if ((answer.status === 200 || answer.status === 201) && answer.json) {
        await Outbox.remove(entry.client_id);
        result.sent += 1;
      } else if (answer.status === 401) {
        session = null;
        i -= 1; // this entry again, through the "signed out" branch
      } else if (REFUSED.indexOf(answer.status) >= 0 || (answer.status >= 200 && answer.status < 300)) {
        entry.status = "refused";
        entry.error = reason(answer);
        await Outbox.put(entry);
        result.refused += 1;
      } else { // 429, 500, a redirect, a repeated CSRF failure: keep, try later
        entry.error = "The server could not take it just now (" + (answer.status || "no answer") + "). It will be sent later.";
        await Outbox.put(entry);
        result.left += entries.length - i;
        break;
      }
    }
    changed();
    return result;
  }

  async function mark(entries, error) {
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].error !== error) {
        entries[i].error = error;
        await Outbox.put(entries[i]);
      }
    }
  }

  function deadline() {
    // A server that never answers must not hold the replay (and its lock) forever.
    return scope.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined;
  }

  async function fetchSession() {
    var response = await fetch(CSRF_URL, { credentials: "same-origin", cache: "no-store",
                                           headers: { Accept: "application/json" }, signal: deadline() });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("csrf " + response.status); // like no connection: later
    var data = await response.json();
    return { token: data.csrf_token, user: data.user };
  }

  async function post(entry, token) {
    if (typeof entry.url !== "string" || entry.url.charAt(0) !== "/" || entry.url.charAt(1) === "/") {
      return { status: 400, json: { errors: { form: [gettext("This entry has no valid address.")] } } };
    }
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var response = await fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      redirect: "manual", // a redirect is never taken for "saved"
      headers: { Accept: "application/json", "X-CSRFToken": token }, signal: deadline(),
    });
    var json = null;
    if ((response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
      try { json = await response.json(); } catch (error) { json = null; }
    }
    return { status: response.status, json: json };
  }

  function reason(answer) {
    var errors = answer.json && answer.json.errors;
    var messages = [];
    if (errors) {
      Object.keys(errors).forEach(function (field) { messages = messages.concat(errors[field]); });
    }
    if (messages.length) return messages.join(" ");
    if (answer.status === 404 || answer.status === 410) return gettext("This circle or item is no longer available to you.");
    if (answer.status === 403) return gettext("You are not allowed to do this.");
    if (answer.status === 413) return gettext("This entry is too large.");
    return gettext("The server did not accept this entry (%(status)s).", { status: answer.status });
  }

  scope.CaregiverOutbox = Outbox;
})(self);
