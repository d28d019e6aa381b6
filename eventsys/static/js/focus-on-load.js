// After a refused submit the page opens at its error summary, so that keyboard and screen-reader
// users hear what to correct and phone users see it without scrolling; a page that asks a
// question first (a preview before sending) marks that part with data-focus-on-load.
(function () {
  "use strict";
  var target = document.querySelector(".error-summary") ||
    document.querySelector("[data-focus-on-load]");
  if (!target) {
    return;
  }
  if (!target.hasAttribute("tabindex")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
  target.scrollIntoView({ block: "start" });
})();
