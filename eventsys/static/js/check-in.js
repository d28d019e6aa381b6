// The check-in page without reloads: a tap on present / excused / absent is sent in the
// background and the row changes in place; the search field narrows the list as one types.
// Without this script every button is an ordinary form that saves and comes back to the row.
(() => {
  "use strict";

  const list = document.querySelector("[data-check-in]");
  if (!list) {
    return;
  }
  const problem = document.getElementById("check-in-problem");
  const announcement = document.getElementById("check-in-announcement");
  const texts = list.dataset;

  // Case and accents do not matter: "muller" finds Müller, "jose" finds José.
  const fold = (text) =>
    text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLocaleLowerCase();

  const fill = (template, values) =>
    template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));

  function showProblem(message) {
    problem.replaceChildren();
    const paragraph = document.createElement("p");
    paragraph.className = "flash flash--error";
    paragraph.textContent = message;
    problem.append(paragraph);
  }

  function enableSearch() {
    const box = document.querySelector("[data-search]");
    const field = document.getElementById("check-in-search");
    const shown = document.getElementById("check-in-shown");
    const nobody = document.getElementById("check-in-nobody");
    if (!box || !field) {
      return;
    }
    const rows = Array.from(list.querySelectorAll("[data-attendee]"));
    const haystacks = rows.map((row) => fold(row.dataset.searchText || ""));
    box.hidden = false;
    field.addEventListener("input", () => {
      const words = fold(field.value).split(/\s+/).filter(Boolean);
      let visible = 0;
      rows.forEach((row, index) => {
        const matches = words.every((word) => haystacks[index].includes(word));
        row.hidden = !matches;
        visible += matches ? 1 : 0;
      });
      shown.textContent = words.length
        ? fill(texts.textShown, { shown: visible, total: rows.length })
        : "";
      nobody.hidden = visible > 0;
    });
  }

  function showMark(row, answer) {
    row.className = row.className.replace(/check-in-row--\w+/, `check-in-row--${answer.status}`);
    row.querySelector("[data-status-label]").textContent = answer.label;
    row.querySelectorAll("button[name=status]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.value === answer.status));
    });
    Object.entries(answer.counts || {}).forEach(([status, number]) => {
      const count = document.querySelector(`[data-count="${status}"]`);
      if (count) {
        count.textContent = String(number);
      }
    });
  }

  async function send(form, button) {
    const row = button.closest("[data-attendee]");
    const data = new FormData(form);
    data.set(button.name, button.value);
    row.setAttribute("aria-busy", "true");
    problem.replaceChildren();
    try {
      // One form for the page: each button names its person's address.
      const response = await fetch(button.formAction, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": data.get("csrf_token") || "" },
      });
      const type = response.headers.get("Content-Type") || "";
      const answer = type.includes("application/json") ? await response.json() : null;
      if (answer === null) {
        // An HTML answer: the form expired (400) or the sign-in ran out (a redirect to it).
        showProblem(texts.textExpired);
      } else if (!response.ok || answer.error) {
        showProblem(answer.error || texts.textFailed);
      } else {
        showMark(row, answer);
        announcement.textContent = answer.message;
      }
    } catch (error) {
      showProblem(texts.textFailed);
    } finally {
      row.removeAttribute("aria-busy");
    }
  }

  const pending = new WeakMap();
  const marks = list.closest("[data-mark-form]");
  marks.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    if (!button || button.name !== "status") {
      return;
    }
    event.preventDefault();
    // One request at a time per person, so that the last tap is the one that stays.
    const row = button.closest("[data-attendee]");
    const previous = pending.get(row) || Promise.resolve();
    pending.set(row, previous.then(() => send(form, button)));
  });

  enableSearch();
})();
