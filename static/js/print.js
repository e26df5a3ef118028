// "Print / save as PDF" on the summary pages (loaded only there, with defer).
// Without this file the button stays hidden and the page says to use the
// browser's Print menu, which prints the same page (see @media print in app.css).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
