// The "being prepared" page checks every two seconds whether the PDF is ready (the address
// answers 202 while it is not) and then opens it. It stops asking once the rendering would
// have reached its time limit. Without this script the page's own link checks again.
(() => {
  "use strict";

  const page = document.querySelector("[data-preparing]");
  if (!page) {
    return;
  }
  const status = document.getElementById("preparing-status");
  const giveUpAt = Date.now() + (Number(page.dataset.seconds) + 30) * 1000;
  const address = window.location.href;

  async function check() {
    if (Date.now() > giveUpAt) {
      status.textContent = page.dataset.slowText;
      return;
    }
    try {
      const answer = await fetch(address, { method: "HEAD", cache: "no-store" });
      if (answer.status !== 202) {
        status.textContent = page.dataset.readyText;
        window.location.replace(address);
        return;
      }
    } catch (error) {
      // The network was away for a moment; the next check tries again.
    }
    window.setTimeout(check, 2000);
  }

  window.setTimeout(check, 2000);
})();
