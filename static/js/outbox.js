/* The offline mode on the page side, with the outbox of outbox-store.js (loaded
   first): registers the service worker, keeps forms marked data-outbox="<kind>"
   (the check-in, checklist ticks) when there is no connection, shows what waits
   ("Saved on this phone..."), the offline banner (the /outbox and /offline lists are
   in outbox-page.js, fetched on those pages only), and clears
   everything at sign-out. Plain JS, no dependencies, no inline styles (strict
   CSP). docs/offline.md. */
(function (scope) {
  "use strict";

  var Outbox = scope.CaregiverOutbox;
  var Words = scope.CaregiverWords; // app.js: the page's language
  var gettext = Words.gettext, ngettext = Words.ngettext, parts = Words.parts, when = Words.when;
  var changed = Outbox.changed;
  var CHANNEL = Outbox.CHANNEL;
  var SIGNED_OUT = Outbox.SIGNED_OUT;
  var OTHER_ACCOUNT = Outbox.OTHER_ACCOUNT;
  var PAGES = "caregiver-pages-"; // the worker's kept pages: "caregiver-pages-<cache key>"

  var worker = navigator.serviceWorker;
  var pageFromCache = false; // the worker answered this page from its cache

  if (worker) {
    // /sw.js from the root: its scope is the whole app. updateViaCache none: the
    // browser always asks the server whether there is a new release.
    worker.register("/sw.js", { scope: "/", updateViaCache: "none" }).catch(function (error) {
      console.warn("Caregiver: offline mode unavailable:", error && error.message);
    });
    if (worker.controller) {
      askPageSource();
    } else {
      // This first page came without the worker: once it controls the page, keep a copy.
      worker.addEventListener("controllerchange", function () { keepThisPage(); scheduleKeep(); }, { once: true });
    }
  }

  function ask(message, wait) {
    // A message to the worker, its answer or null (no worker, or no answer in `wait` ms, 3 s).
    return new Promise(function (resolve) {
      if (!worker || !worker.controller) return resolve(null);
      var channel = new MessageChannel();
      var timer = setTimeout(function () { resolve(null); }, wait || 3000);
      channel.port1.onmessage = function (event) { clearTimeout(timer); resolve(event.data); };
      worker.controller.postMessage(message, [channel.port2]);
    });
  }

  async function askPageSource() {
    var answer = await ask({ type: "page-source" });
    pageFromCache = !!(answer && answer.fromCache);
    renderBanner();
    if (pageFromCache) renderStatus(); // /outbox: whose entries it may show (owner())
  }

  function keepThisPage() {
    if (document.querySelector("[data-offline-page]")) return;
    ask({ type: "keep-page", url: location.pathname + location.search });
  }

  // From sign-in on, every circle's main pages are kept for offline use, visited or
  // not: once this page has loaded and the phone is idle (never slowing the page),
  // the worker fetches the list from the server and keeps what is missing or old.
  // <main data-offline-kept="done"> when it has finished (the tests wait on it).
  var keepTimer = null;
  function scheduleKeep() {
    clearTimeout(keepTimer);
    var later = function () {
      keepTimer = setTimeout(function () {
        if (scope.requestIdleCallback) requestIdleCallback(keepForOffline, { timeout: 2000 });
        else keepForOffline();
      }, 300);
    };
    if (document.readyState === "complete") later();
    else addEventListener("load", later, { once: true });
  }

  async function keepForOffline() {
    var main = document.getElementById("main");
    if (!main || !myKey() || !navigator.onLine || !worker || !worker.controller) return;
    if (main.hasAttribute("data-offline-kept")) return; // once per page
    main.setAttribute("data-offline-kept", "running");
    var answer = await ask({ type: "keep-all", key: myKey() }, 120000);
    main.setAttribute("data-offline-kept", answer && !answer.skipped ? "done" : "failed");
  }

  async function askReplay() {
    // The worker sends when it controls the page; otherwise this page does.
    try {
      await (worker && worker.controller ? ask({ type: "replay" }) : Outbox.replay());
    } catch (error) { /* what is left waits for the next replay */ }
    return renderStatus();
  }

  async function requestSync() {
    if (!worker) return;
    try {
      var registration = await worker.ready;
      if (registration.sync) await registration.sync.register("outbox");
    } catch (error) { /* no Background Sync: the online event and the next page load send */ }
  }

  // --- queueing ------------------------------------------------------------------------

  function newId() {
    if (scope.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("")
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
  }

  function myKey() {
    var main = document.getElementById("main");
    return (main && main.getAttribute("data-cache-key")) || "";
  }

  async function owner() {
    // Whose entries this page may show: the signed-in person's (the page's key). A
    // copy the worker answered offline was made for no one (/outbox): then the person
    // whose pages this phone keeps (the worker keeps one person's pages only).
    if (myKey() || !pageFromCache || !scope.caches) return myKey();
    var names = (await caches.keys()).filter(function (name) { return name.indexOf(PAGES) === 0; });
    return names.length === 1 ? names[0].slice(PAGES.length) : "";
  }

  function mine(entry, me) { return !!me && entry.user === me; }

  function circleName() {
    var name = document.querySelector(".top .circle-name");
    return name ? name.textContent.trim() : "";
  }

  function outboxForm(element) {
    return element && element.closest ? element.closest("form[data-outbox]") : null;
  }

  function pathOf(address) {
    var url = new URL(address || location.href, location.href);
    return url.origin === location.origin ? url.pathname + url.search : null;
  }

  async function queue(form, data, address) {
    var fields = [];
    var id = null;
    data.forEach(function (value, name) {
      if (name === "csrf_token" || typeof value !== "string") return; // a fresh token is fetched at send time
      if (name === "client_id") id = value;
      fields.push([name, value]);
    });
    if (!id) {
      id = newId();
      fields.push(["client_id", id]);
    }
    var entry = {
      client_id: id, url: pathOf(address), fields: fields, kind: form.getAttribute("data-outbox"),
      label: form.getAttribute("data-outbox-label") || "", circle: circleName(),
      created_at: new Date().toISOString(), status: "waiting", error: null, user: myKey(),
    };
    try {
      await Outbox.put(entry); // the same client_id again (a double tap) replaces, never doubles
    } catch (error) { // no IndexedDB (some private modes): say so, keep the form as it is
      showBanner(gettext("This phone could not keep the entry. Keep this page open and save again when you are back online."));
      return;
    }
    afterQueued(form, entry);
    requestSync();
    changed();
    renderStatus();
  }

  function afterQueued(form, entry) {
    // The next entry made with this form is a new one: a new client_id.
    var input = form.querySelector("input[name=client_id]");
    if (input) {
      var id = newId();
      input.setAttribute("value", id); // also what form.reset() goes back to
      input.value = id;
    }
    if (entry.kind === "tick") {
      // Show the tap as done; the next tap undoes it. (renderStatus adds "not sent yet".)
      var ticked = form.querySelector("input[name=ticked]");
      showTick(form, !!ticked && ticked.value === "1");
    } else {
      form.reset();
      var old = document.querySelector("[data-outbox-notice]");
      if (old) old.remove();
      var notice = element("div", { class: "alert success outbox-saved", tabindex: "-1", "data-outbox-notice": "" },
        [element("p", {}, parts(gettext("%(saved)s; will send when you are back online. The form is ready for another entry."),
                                { saved: element("strong", {}, gettext("Saved on this phone")) }))]);
      form.parentNode.insertBefore(notice, form);
      notice.focus();
      notice.scrollIntoView({ block: "start" });
    }
  }

  function showTick(form, ticked) {
    var next = form.querySelector("input[name=ticked]");
    if (next) next.value = ticked ? "0" : "1";
    var button = form.querySelector("[aria-pressed]");
    if (button) button.setAttribute("aria-pressed", ticked ? "true" : "false");
    var item = form.closest("li");
    if (item) item.classList.toggle("is-ticked", ticked);
  }

  function markTicks(entries) {
    // A tap waiting in the outbox shows on its item, as made, with "not sent yet",
    // also on a kept copy of the checklist (which shows the state before the tap).
    Array.prototype.forEach.call(document.querySelectorAll('form[data-outbox="tick"]'), function (form) {
      var item = form.closest("li");
      if (!item) return;
      var path = pathOf(form.getAttribute("action"));
      var last = entries.filter(function (e) {
        return e.status === "waiting" && e.url === path && mine(e, myKey());
      }).pop();
      var mark = item.querySelector("[data-outbox-pending]");
      var id = item.id + "-pending";
      var who = item.querySelector(".who"); // "Ticked by ..., <day>": the state before the tap
      if (!last) {
        if (mark) { mark.remove(); describe(form, id, false); } // sent (or discarded)
        if (who) who.hidden = false;
        return;
      }
      var pair = last.fields.filter(function (p) { return p[0] === "ticked"; })[0];
      var ticked = !!pair && pair[1] === "1";
      showTick(form, ticked);
      if (who) who.hidden = true;
      var words = ticked ? gettext("Ticked on this phone, not sent yet") : gettext("Unticked on this phone, not sent yet");
      if (mark) { mark.textContent = words; return; }
      item.appendChild(element("p", { class: "outbox-pending", id: id, "data-outbox-pending": "" }, words));
      describe(form, id, true); // read out with the button, too
    });
  }

  function describe(form, id, on) {
    var button = form.querySelector("button");
    if (!button) return;
    var ids = (button.getAttribute("aria-describedby") || "").split(" ").filter(function (d) { return d && d !== id; });
    button.setAttribute("aria-describedby", (on ? ids.concat(id) : ids).join(" "));
  }

  // Without a connection, a [data-outbox] form is kept instead of sent. Capture phase,
  // so this runs before htmx (or the browser) sends anything.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-sign-out]")) return signOut(event, form);
    if (!form.matches("form[data-outbox]") || navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    var data;
    try { data = new FormData(form, event.submitter || undefined); } catch (error) { data = new FormData(form); }
    queue(form, data, form.getAttribute("hx-post") || form.action);
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (navigator.onLine) return;
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var form = outboxForm(config.elt || detail.elt);
    if (form && config.verb === "post") { // e.g. a form sent by another trigger than submit
      event.preventDefault();
      queue(form, config.formData || new FormData(form), config.path);
    } else if (config.boosted && config.verb === "get") {
      event.preventDefault(); // a real navigation: the worker answers with a kept copy
      location.assign(config.path);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    // The phone thought it was online, but nothing got through.
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var form = outboxForm(config.elt || detail.elt);
    if (form && config.verb === "post") {
      queue(form, config.formData || new FormData(form), config.path);
    } else if (config.boosted && config.verb === "get") {
      location.assign(config.path);
    } else {
      showBanner(gettext("No connection: that was not sent. Please try again when you are back online."));
    }
  });

  // A save answered by a gateway in an outage (502/503/504), or not answered in time,
  // is kept like one that got no answer at all. The server's client_id makes a save
  // that did arrive after all count once.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail || {};
    if (detail.verb === "post" && outboxForm(detail.elt) && !detail.timeout) detail.timeout = Outbox.TIMEOUT_MS;
  });

  function queueUnanswered(event) {
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var form = outboxForm(config.elt || detail.elt);
    if (form && config.verb === "post") queue(form, config.formData || new FormData(form), config.path);
  }

  document.addEventListener("htmx:timeout", queueUnanswered);
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && Outbox.UNREACHABLE.indexOf(xhr.status) >= 0) queueUnanswered(event);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Sent online (e.g. "Edit and send again"): the kept entry is done. (beforeSwap,
    // not afterRequest: after the swap the form is gone. detail.elt is the target
    // here; requestConfig.elt is the form that sent.)
    var detail = event.detail || {};
    var config = detail.requestConfig || {};
    var status = detail.xhr ? detail.xhr.status : 0;
    if (status < 200 || status >= 300 || config.verb !== "post" || !outboxForm(config.elt || detail.elt) || !config.formData) return;
    var id = config.formData.get("client_id");
    if (id) forget([id]);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.target === document.body) { // a boosted navigation
      pageFromCache = false;
      backOnline = false;
      refresh();
      replayIfWaiting(); // e.g. just signed in again
      scheduleKeep(); // e.g. just signed in, or joined or made a circle
    } else {
      renderStatus();
    }
  });

  // --- sign-out: nothing of this person stays on the phone -------------------------------

  async function signOut(event, form) {
    // Every form that ends the session and clears the phone (sign out, sign out
    // everywhere, delete the account): data-sign-out="<button text once warned>".
    event.preventDefault();
    event.stopPropagation();
    var warning = form.querySelector("[data-outbox-warning]");
    var button = form.querySelector("button[type=submit], button:not([type])");
    var entries;
    try { entries = await Outbox.all(); } catch (error) { entries = []; }
    if (entries.length && form.getAttribute("data-outbox-confirmed") !== "yes") {
      form.setAttribute("data-outbox-confirmed", "yes"); // the second press goes ahead
      if (warning) reveal(warning);
      if (button) {
        var action = form.getAttribute("data-sign-out") || gettext("Sign out and delete");
        button.textContent = ngettext("%(action)s %(num)d unsent entry", "%(action)s %(num)d unsent entries",
                                      entries.length, { action: action });
      }
      return;
    }
    await forgetThisPerson();
    if (navigator.onLine) return form.submit(); // Clear-Site-Data on the answer, too
    if (warning) {
      warning.textContent = gettext("This phone's saved pages and entries are deleted. You're offline: " +
                                    "press the button again once you have a connection, to finish.");
      reveal(warning);
    }
  }

  function reveal(warning) {
    warning.hidden = false;
    warning.setAttribute("tabindex", "-1");
    warning.focus();
  }

  async function forgetThisPerson() {
    // The outbox and the kept pages: this person's data. Never the shell: the
    // emergency page must still open offline, and offline it cannot be fetched again.
    try { await Outbox.clear(); } catch (error) { /* no IndexedDB: nothing kept */ }
    await ask({ type: "forget" }); // the worker stops keeping this person's pages first
    if (scope.caches) {
      var names = (await caches.keys()).filter(function (name) { return name.indexOf(PAGES) === 0; });
      await Promise.all(names.map(function (name) { return caches.delete(name); }));
    }
  }

  // --- what the person sees ---------------------------------------------------------------

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (Array.isArray(children) ? children : children == null ? [] : [children]).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function signInLink() {
    var next = location.pathname + location.search;
    if (/^\/sign-/.test(location.pathname)) next = new URLSearchParams(location.search).get("next") || "/";
    return "/sign-in?next=" + encodeURIComponent(next);
  }

  async function renderStatus() {
    var box = document.querySelector("[data-outbox-status]");
    if (!box) return;
    var entries;
    try { entries = await Outbox.all(); } catch (error) { return; } // no IndexedDB (private mode)
    var me = myKey();
    var theirs = function (e) { return e.error === OTHER_ACCOUNT || (!!me && !!e.user && e.user !== me); };
    var other = entries.filter(theirs).length; // counted, never described (see /outbox)
    var waiting = entries.filter(function (e) { return e.status === "waiting" && !theirs(e); });
    var signedOut = waiting.filter(function (e) { return e.error === SIGNED_OUT; }).length;
    var pending = waiting.length - signedOut;
    var refused = entries.length - other - waiting.length;
    var lines = [];
    if (signedOut) {
      lines.push(parts(gettext("%(saved)s, waiting for you to sign in again. %(link)s"), {
        saved: element("strong", {}, gettext("Saved on this phone")),
        link: element("a", { href: signInLink(), "hx-boost": "false" },
                      ngettext("Sign in to send %(num)d saved entry", "Sign in to send %(num)d saved entries", signedOut)),
      }));
    }
    if (pending && document.querySelector(".outbox-saved")) {
      // The notice above the form already says "Saved on this phone": one notice, not two.
      lines.push(parts(ngettext("%(num)d entry waiting to send. %(link)s", "%(num)d entries waiting to send. %(link)s", pending),
                       { link: element("a", { href: "/outbox" }, gettext("See what is waiting")) }));
    } else if (pending) {
      lines.push(parts(ngettext("%(saved)s; will send when you are back online. %(num)d entry waiting. %(link)s",
                                "%(saved)s; will send when you are back online. %(num)d entries waiting. %(link)s", pending), {
        saved: element("strong", {}, gettext("Saved on this phone")),
        link: element("a", { href: "/outbox" }, gettext("See what is waiting")),
      }));
    }
    if (other) {
      lines.push(parts(ngettext("%(num)d entry was saved by another account on this phone. %(link)s",
                                "%(num)d entries were saved by another account on this phone. %(link)s", other),
                       { link: element("a", { href: "/outbox" }, gettext("Review them")) }));
    }
    if (refused) {
      lines.push(parts(ngettext("%(num)d saved entry could not be sent. %(link)s",
                                "%(num)d saved entries could not be sent. %(link)s", refused),
                       { link: element("a", { href: "/outbox" }, gettext("See why and fix")) }));
    }
    markTicks(entries);
    pageScript(function (page) { return page.render(entries); });
    var next = element("div", {}, lines.map(function (line) { return element("p", {}, line); }));
    if (next.innerHTML === box.innerHTML) return; // unchanged: not read out again
    box.textContent = ""; // a live region (role=status): the change is read out
    while (next.firstChild) box.appendChild(next.firstChild);
  }

  var backOnline = false; // the connection came back since this page was shown

  function renderBanner() {
    var main = document.getElementById("main");
    if (!main) return;
    var banner = main.querySelector("[data-offline-banner]");
    var offline = !navigator.onLine;
    if (main.querySelector("[data-offline-page]") || (!offline && !pageFromCache)) {
      if (banner && !banner.hasAttribute("data-notice")) banner.remove();
      return;
    }
    var made = main.getAttribute("data-generated-at");
    var time = element("time", { datetime: made }, when(made));
    var reload = function (text) {
      return element("a", { href: location.pathname + location.search, "hx-boost": "false" }, text);
    };
    if (offline) {
      showBanner(parts(gettext("%(copy)s from %(time)s."), { copy: element("strong", {}, gettext("Offline copy")), time: time }));
    } else if (backOnline) {
      showBanner(parts(gettext("%(copy)s from %(time)s. You're back online: %(reload)s."), {
        copy: element("strong", {}, gettext("Offline copy")), time: time, reload: reload(gettext("load the latest")) }));
    } else { // the phone has a network (Wi-Fi without internet, a server down), not Caregiver
      showBanner(parts(gettext("%(failed)s; this is the copy from %(time)s. %(reload)s"), {
        failed: element("strong", {}, gettext("Couldn't reach Caregiver")), time: time, reload: reload(gettext("Try again")) }));
    }
  }

  function showBanner(content) {
    var main = document.getElementById("main");
    if (!main) return;
    var banner = main.querySelector("[data-offline-banner]");
    if (!banner) {
      banner = element("p", { class: "offline-banner", "data-offline-banner": "" });
      main.insertBefore(banner, main.firstChild);
    }
    if (typeof content === "string") banner.setAttribute("data-notice", "");
    else banner.removeAttribute("data-notice");
    banner.textContent = "";
    (Array.isArray(content) ? content : [content]).forEach(function (part) {
      banner.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
  }

  // The /outbox and /offline lists are drawn by outbox-page.js, fetched only on those
  // two pages (their element names it): every other page, a first visit above all,
  // loads less.
  var pageScriptLoad = null;
  function pageScript(run) {
    var holder = document.querySelector("[data-outbox-page-script]");
    if (!holder) return;
    if (!pageScriptLoad) {
      pageScriptLoad = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = holder.getAttribute("data-outbox-page-script");
        script.onload = function () { resolve(scope.CaregiverOutboxPage); };
        script.onerror = function (error) { pageScriptLoad = null; reject(error); };
        document.head.appendChild(script);
      });
    }
    pageScriptLoad.then(run).catch(function () {});
  }

  async function forget(ids) {
    await Promise.all(ids.map(function (id) { return Outbox.remove(id); }));
    changed();
    renderStatus();
  }

  // "Edit and send again": the check-in form filled with the kept entry.
  async function prefillFromOutbox() {
    var match = /^#outbox-edit=(.+)$/.exec(location.hash);
    var form = document.querySelector('form[data-outbox="checkin"]');
    if (!match || !form) return;
    var id = decodeURIComponent(match[1]);
    var entry = (await Outbox.all()).filter(function (e) { return e.client_id === id && mine(e, myKey()); })[0];
    if (!entry) return; // gone, or another account's: never shown
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio], input[type=checkbox]"),
                                 function (input) { input.checked = false; });
    entry.fields.forEach(function (pair) {
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name !== pair[0]) return;
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.value === pair[1]) input.checked = true;
        } else {
          input.value = pair[1];
        }
      });
    });
    var signs = form.querySelector("details");
    if (signs && form.querySelector("details input:checked")) signs.open = true;
    var note = element("div", { class: "alert error", tabindex: "-1", "data-outbox-notice": "" }, [
      element("p", {}, parts(gettext("%(editing)s Change what's needed, then save."),
                             { editing: element("strong", {}, gettext("Editing an entry saved on this phone.")) })),
      entry.error ? element("p", {}, gettext("Why it was not sent: %(reason)s", { reason: entry.error })) : "",
    ].filter(Boolean));
    form.parentNode.insertBefore(note, form);
    note.focus();
  }

  function freshIds() {
    // A page answered from the worker's cache carries the client_ids of the day it was
    // kept: each page load gets new ones, so two entries never share one.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-outbox] input[name=client_id]"),
                                 function (input) {
                                   var id = newId();
                                   input.setAttribute("value", id);
                                   input.value = id;
                                 });
  }

  function todayIn(zone) {
    // The observed day is a date in the circle's time zone, not the phone's: a phone
    // set to UTC (or abroad) would otherwise date an evening check-in tomorrow.
    var parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function shiftDays(iso, days) {
    var d = new Date(iso + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function freshToday() {
    // A kept check-in form from an earlier day still says "today" was that day: move a
    // date left at its default (value = max) to the circle's today, and its range with it.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-outbox] input[type=date][max][data-timezone]"),
                                 function (input) {
                                   var today;
                                   try { today = todayIn(input.getAttribute("data-timezone")); } catch (e) { return; }
                                   var max = input.getAttribute("max");
                                   if (!(max < today)) return;
                                   var min = input.getAttribute("min");
                                   if (min) {
                                     var span = (Date.parse(max) - Date.parse(min)) / 864e5;
                                     input.setAttribute("min", shiftDays(today, -span));
                                   }
                                   input.setAttribute("max", today);
                                   if (input.value === max && input.getAttribute("value") === max) {
                                     input.setAttribute("value", today);
                                     input.value = today;
                                   }
                                 });
  }

  function refresh() {
    freshIds();
    freshToday();
    renderStatus();
    renderBanner();
    pageScript(function (page) { return page.renderKept(); });
    prefillFromOutbox().catch(function () {});
  }

  addEventListener("online", function () { backOnline = true; renderBanner(); askReplay(); });
  addEventListener("offline", renderBanner);
  addEventListener("pageshow", function (event) { if (event.persisted) refresh(); });
  if (scope.BroadcastChannel) new BroadcastChannel(CHANNEL).onmessage = renderStatus;

  async function replayIfWaiting() {
    if (!navigator.onLine) return;
    var entries;
    try { entries = await Outbox.all(); } catch (error) { return; } // no IndexedDB (private mode)
    if (entries.some(function (e) { return e.status === "waiting"; })) askReplay();
  }

  // What outbox-page.js draws with.
  scope.CaregiverOutboxTools = {
    PAGES: PAGES, element: element, owner: owner, mine: mine,
    forget: forget, renderStatus: renderStatus, askReplay: askReplay, requestSync: requestSync,
  };

  refresh();
  replayIfWaiting(); // the next page load sends what waits
  scheduleKeep();
})(self);
