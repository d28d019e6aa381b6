// Keeps the import page's progress bar current and shows the report once the import is done;
// without JavaScript the page's "Refresh" link does the same by hand.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section) {
    return;
  }
  var bar = document.getElementById("import-bar");
  var label = section.querySelector("label[for=import-bar]");
  function poll() {
    fetch(section.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (progress) {
        // Done, failed, or stalled (or going on again): the page says what to do next.
        var shownStalled = section.hasAttribute("data-stalled");
        if (progress.state === "done" || progress.state === "failed" ||
            progress.stalled !== shownStalled) {
          window.location.reload();
          return;
        }
        if (bar.hasAttribute("value")) {
          bar.value = progress.done;
          label.textContent = label.textContent.replace(/\d[\d.,]*/, String(progress.done));
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
