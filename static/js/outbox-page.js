/* The two lists outbox.js fetches this file for: the pages this phone kept (the
   /offline page) and every entry waiting in the outbox (/outbox), with Discard and
   Send again. Loaded only there, so other pages stay light. docs/offline.md. */
(function (scope) {
  "use strict";

  var Outbox = scope.CaregiverOutbox;
  var SIGNED_OUT = Outbox.SIGNED_OUT;
  var OTHER_ACCOUNT = Outbox.OTHER_ACCOUNT;
  var tools = scope.CaregiverOutboxTools;
  var PAGES = tools.PAGES, element = tools.element;
  var Words = scope.CaregiverWords; // app.js: the page's language
  var gettext = Words.gettext, ngettext = Words.ngettext, when = Words.when;
  var owner = tools.owner, mine = tools.mine, forget = tools.forget, renderStatus = tools.renderStatus;

  // The offline page lists what this phone kept (the signed-in person's pages only).
  async function renderKeptPages() {
    var section = document.querySelector("[data-offline-pages]");
    if (!section || !scope.caches) return;
    var names = (await caches.keys()).filter(function (name) { return name.indexOf(PAGES) === 0; });
    if (names.length !== 1) return;
    var cache = await caches.open(names[0]);
    var list = section.querySelector("[data-offline-pages-list]");
    var requests = await cache.keys();
    var items = [];
    for (var i = 0; i < requests.length; i++) {
      var response = await cache.match(requests[i]);
      var html = new DOMParser().parseFromString(await response.text(), "text/html");
      var made = html.getElementById("main") && html.getElementById("main").getAttribute("data-generated-at");
      var url = new URL(requests[i].url);
      // The server names each page with its circle ("Sam: Checklists"): two circles,
      // two "Checklists", told apart. Else the page's title.
      var name = (html.getElementById("main") && html.getElementById("main").getAttribute("data-offline-name")) ||
        html.title.replace(/ · Caregiver$/, "") || url.pathname;
      items.push({ name: name, node: element("li", {}, [
        element("a", { class: "card-link", href: url.pathname + url.search, "hx-boost": "false" }, name),
        element("span", { class: "muted" }, gettext("Saved %(when)s", { when: when(made) })),
      ]) });
    }
    items.sort(function (a, b) { return a.name.localeCompare(b.name); }); // by circle
    list.textContent = "";
    items.forEach(function (item) { list.appendChild(item.node); });
    section.hidden = items.length === 0;
  }

  // /outbox: every entry kept on this phone, why it waits, and what can be done. What
  // another account saved (a session ended without sign-out) is counted, never shown.
  async function renderOutboxPage(entries) {
    var page = document.querySelector("[data-outbox-page]");
    if (!page) return;
    var me = await owner();
    var others = entries.filter(function (e) { return !mine(e, me); });
    entries = entries.filter(function (e) { return mine(e, me); });
    var labels = JSON.parse(page.getAttribute("data-labels") || "{}");
    var values = JSON.parse(page.getAttribute("data-values") || "{}");
    var items = JSON.parse(page.getAttribute("data-items") || "{}");
    var list = page.querySelector("[data-outbox-list]");
    page.querySelector("[data-outbox-empty]").hidden = entries.length + others.length > 0;
    list.textContent = "";
    entries.forEach(function (entry) {
      var tick = entry.kind === "tick";
      var state;
      if (entry.status === "refused") state = gettext("Not sent: %(reason)s", { reason: entry.error });
      else if (entry.error === SIGNED_OUT) state = gettext("Waiting: sign in to send it.");
      else if (entry.error === OTHER_ACCOUNT) state = gettext("Waiting: made by another account on this phone; it is sent when that person signs in.");
      else if (entry.error) state = gettext("Waiting to be sent. %(reason)s", { reason: entry.error });
      else state = gettext("Waiting to be sent.");
      var shown = entry.circle ? [[gettext("Circle"), entry.circle]] : [];
      entry.fields.forEach(function (pair) {
        var name = pair[0], value = pair[1];
        if (name === "client_id" || value === "") return;
        if (tick && name === "ticked") {
          var itemId = decodeURIComponent((entry.url || "").split("/").pop());
          if (!entry.label) shown.push([gettext("Item"), items[itemId] || itemId]);
          shown.push([gettext("Tap"), value === "1" ? gettext("Tick") : gettext("Untick")]);
          return;
        }
        var label = labels[name] || name.replace(/_/g, " ");
        var text = (values[name] && values[name][value]) || (value === "y" ? gettext("Yes") : value);
        shown.push([label, text]);
      });
      var actions = [];
      if (entry.status === "refused" && entry.kind === "checkin") {
        actions.push(element("a", { class: "button", "hx-boost": "false",
                                    href: entry.url + "#outbox-edit=" + encodeURIComponent(entry.client_id) },
                             gettext("Edit and send again")));
      } else if (entry.status === "refused") {
        actions.push(element("button", { type: "button", class: "secondary", "data-outbox-retry": entry.client_id }, gettext("Send again")));
      }
      actions.push(element("button", { type: "button", class: "secondary", "data-outbox-discard": entry.client_id }, gettext("Discard")));
      list.appendChild(element("li", { class: "outbox-entry" + (entry.status === "refused" ? " refused" : "") }, [
        element("h2", {}, entry.label || (tick ? gettext("Checklist tap") : entry.kind === "checkin" ? gettext("Check-in") : gettext("Entry"))),
        element("p", { class: "muted" }, gettext("Made %(when)s", { when: when(entry.created_at) })),
        element("p", { class: entry.status === "refused" ? "error" : "" }, state),
        element("dl", { class: "outbox-values" }, shown.map(function (pair) {
          return element("div", {}, [element("dt", {}, pair[0]), element("dd", {}, pair[1])]);
        })),
        element("div", { class: "actions" }, actions),
      ]));
    });
    if (!others.length) return;
    list.appendChild(element("li", { class: "outbox-entry" }, [
      element("h2", {}, gettext("Saved by an account not signed in here")),
      element("p", {}, ngettext("%(num)d entry was saved on this phone by an account that is not signed in now. " +
                                "Only that account can see it; it is sent when it signs in.",
                                "%(num)d entries were saved on this phone by an account that is not signed in now. " +
                                "Only that account can see them; they are sent when it signs in.", others.length)),
      element("div", { class: "actions" }, [
        element("button", { type: "button", class: "secondary", "data-outbox-discard-others": "" },
                others.length === 1 ? gettext("Discard it") : gettext("Discard them")),
      ]),
    ]));
  }

  async function othersIds() {
    var both = await Promise.all([Outbox.all(), owner()]);
    return both[0].filter(function (e) { return !mine(e, both[1]); }).map(function (e) { return e.client_id; });
  }

  async function discard(button) {
    var ids = button.hasAttribute("data-outbox-discard-others") ? await othersIds()
                                                                : [button.getAttribute("data-outbox-discard")];
    await forget(ids);
    var main = document.getElementById("main");
    if (main) main.focus();
  }

  async function retry(id) {
    var entry = (await Outbox.all()).filter(function (e) { return e.client_id === id; })[0];
    if (!entry) return;
    entry.status = "waiting";
    entry.error = null;
    await Outbox.put(entry);
    renderStatus();
    return navigator.onLine ? tools.askReplay() : tools.requestSync();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-outbox-discard], [data-outbox-discard-others]");
    var again = event.target.closest("[data-outbox-retry]");
    if (button) {
      if (button.getAttribute("data-armed") !== "yes") { // two presses: nothing goes by mistake
        button.setAttribute("data-armed", "yes");
        var one = button.hasAttribute("data-outbox-discard") || button.textContent === gettext("Discard it");
        button.textContent = one ? gettext("Yes, discard it") : gettext("Yes, discard them");
        return;
      }
      discard(button);
    } else if (again) {
      retry(again.getAttribute("data-outbox-retry"));
    }
  });

  scope.CaregiverOutboxPage = { render: renderOutboxPage, renderKept: renderKeptPages };
})(self);
