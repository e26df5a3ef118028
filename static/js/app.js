// Small progressive enhancements; every page works without this file. Loaded by the
// app's pages and by the share page (which has no htmx: the htmx events never fire),
// and imported by the service worker for its words (CaregiverWords) alone.
(function (scope) {
  "use strict";

  // --- Words in the page's language ----------------------------------------------------
  // The server sends the scripts' translations with each page (#js-words, none for
  // English, which the scripts are written in) and to the worker (CaregiverWordsData).
  // Babel extracts gettext("...") and ngettext("...", "...", n) from this folder.
  var wordsNode = null;
  var words = {};
  function current() {
    if (scope.CaregiverWordsData) return scope.CaregiverWordsData;
    var node = scope.document ? document.getElementById("js-words") : null;
    if (node !== wordsNode) { // a boosted navigation brings the new page's words
      wordsNode = node;
      try { words = node ? JSON.parse(node.textContent) : {}; } catch (error) { words = {}; }
    }
    return words || {};
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }
  function gettext(text, values) {
    var found = (current().messages || {})[text];
    return fill(typeof found === "string" && found ? found : text, values);
  }
  function ngettext(one, many, n, values) {
    var found = (current().messages || {})[one];
    var forms = Array.isArray(found) && found[0] ? found : [one, many];
    return fill(n === 1 ? forms[0] : forms[1], Object.assign({ num: n }, values));
  }
  // A sentence with elements in it: "%(saved)s; will send..." with {saved: <strong>}
  // gives [<strong>, "; will send..."], for a builder that takes text and nodes.
  function parts(text, nodes) {
    return text.split(/(%\(\w+\)s)/).filter(Boolean).map(function (piece) {
      var name = /^%\((\w+)\)s$/.exec(piece);
      return name && nodes && nodes[name[1]] !== undefined ? nodes[name[1]] : piece;
    });
  }
  // "Sun 6 Dec, 11:35 PM" / "dom 6 dic, 23:35": the day as every page writes it
  // (caregiver/dates.py), then the time the way the page's language writes it.
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function when(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return iso || "";
    var w = current();
    return (w.days || DAYS)[date.getDay()] + " " + date.getDate() + " " + (w.months || MONTHS)[date.getMonth()] +
      ", " + date.toLocaleTimeString(w.locale || "en-US", { hour: "numeric", minute: "2-digit" });
  }
  scope.CaregiverWords = { gettext: gettext, ngettext: ngettext, parts: parts, when: when };
  if (!scope.document) return; // the service worker: words only

  // "Copy link" buttons: data-copy="#selector-of-input".
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    source.select();
    // Say "Copied" only when it was; otherwise the link is selected, ready to copy by hand.
    var say = function (text) { return function () { button.textContent = text; }; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(source.value).then(say(gettext("Copied")),
                                                       say(gettext("Selected: copy it from your menu")));
    } else {
      say(gettext("Selected: copy it from your menu"))();
    }
  });

  // Forms that destroy something ask first: data-confirm="question".
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  }, true);

  // After an htmx swap, move focus to the new status message so screen readers
  // and sighted users both land on the result.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var focus = target && target.querySelector("[data-autofocus], .alert.error");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });

  // "Print / save as PDF" on the summaries. Without this file the button stays hidden
  // and the page says to use the browser's Print menu (same page: @media print).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // What a page needs once it is on screen: run for the first page and again for
  // every page htmx brings in (a boosted link runs no script of the new page).
  function enhance(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-print]"), function (b) { b.hidden = false; });
    // A new circle's time zone defaults to the phone's.
    var tz = root.querySelector("select#timezone[data-default-from-device]");
    if (tz && window.Intl) {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && tz.querySelector('option[value="' + zone + '"]')) tz.value = zone;
    }
  }
  enhance(document);
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
})(self);
