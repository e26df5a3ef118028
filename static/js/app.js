// Small progressive enhancements; every page works without this file. Loaded by the
// app's pages and by the share page (which has no htmx: the htmx events never fire).
(function () {
  "use strict";

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
      navigator.clipboard.writeText(source.value).then(say("Copied"), say("Selected: copy it from your menu"));
    } else {
      say("Selected: copy it from your menu")();
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
})();
