/* The minutes editor, enhanced: it saves by itself a while after a change and when the page is
   hidden, keeps the text in this browser until the server has it (and offers it again after a
   crash), and adds and removes rows in place. Without this script the form works as it is:
   every button sends the whole form, which is saved first. */
(function () {
  "use strict";

  const form = document.getElementById("minutes-editor");
  const textsElement = document.getElementById("editor-texts");
  if (!form || !textsElement || !window.fetch || !window.FormData) {
    return;
  }

  const texts = JSON.parse(textsElement.textContent);
  const statusLine = document.getElementById("save-status");
  const conflictBox = document.getElementById("editor-conflict");
  const restoreBox = document.getElementById("editor-restore");
  const revisionField = form.elements.namedItem("revision");
  // Not `form.action`: the buttons are named "action" and would stand in its place.
  const saveUrl = form.getAttribute("action");
  const draftKey = form.dataset.draftKey;
  const autosaveDelay = Math.max(Number(form.dataset.autosaveSeconds) || 20, 1) * 1000;
  const NOT_TYPED = new Set(["csrf_token", "revision", "action"]);

  // The revision the text in the form builds on. A draft is stored with it, so that restoring
  // a draft written before someone else's save ends in a conflict, not an overwrite.
  let baseRevision = form.dataset.baseRevision;
  // What the server holds, as compared by `contentOf`; unknown on a page that shows unsaved text.
  let savedContent = form.dataset.unsaved ? null : contentOf(entries());
  let pausedByConflict = Boolean(form.dataset.conflict);
  let leaving = false;
  let saving = null;
  let autosaveTimer = null;
  let draftTimer = null;

  function entries() {
    const pairs = [];
    for (const [name, value] of new FormData(form)) {
      if (!NOT_TYPED.has(name) && typeof value === "string") {
        pairs.push([name, value]);
      }
    }
    return pairs;
  }

  // What the user wrote, in page order: field kinds and values. Row numbers in the names change
  // when the page is rendered again and ids appear when new rows are saved; neither is typed.
  function contentOf(pairs) {
    return JSON.stringify(
      pairs
        .filter(([name, value]) => !name.endsWith("-id") && value.trim() !== "")
        .map(([name, value]) => [name.slice(name.lastIndexOf("-") + 1), value.trim()])
    );
  }

  function isDirty() {
    return contentOf(entries()) !== savedContent;
  }

  function showStatus(text) {
    if (statusLine.textContent !== text) {
      statusLine.textContent = text;
    }
  }

  // A copy in this browser until the server confirms it

  function readDraft() {
    try {
      const draft = JSON.parse(window.localStorage.getItem(draftKey));
      return draft && Array.isArray(draft.entries) ? draft : null;
    } catch (error) {
      return null;
    }
  }

  function writeDraft() {
    clearTimeout(draftTimer);
    draftTimer = null;
    try {
      window.localStorage.setItem(
        draftKey,
        JSON.stringify({ savedAt: Date.now(), revision: baseRevision, entries: entries() })
      );
    } catch (error) {
      // Storage full or switched off: the server's copy is all there is.
    }
  }

  function dropDraft() {
    try {
      window.localStorage.removeItem(draftKey);
    } catch (error) {
      // Nothing stored, nothing to drop.
    }
  }

  function offerRestore(draft) {
    const heading = document.createElement("h2");
    heading.textContent = texts.restoreHeading;
    const message = document.createElement("p");
    const when = new Date(draft.savedAt).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "short",
      timeStyle: "short",
    });
    message.textContent = texts.restoreFound.replace("%(time)s", when);
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = texts.restore;
    restore.addEventListener("click", () => replay(draft));
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--secondary";
    discard.textContent = texts.discard;
    discard.addEventListener("click", () => {
      dropDraft();
      restoreBox.replaceChildren();
      restoreBox.className = "";
      form.querySelector("textarea, input:not([type=hidden])").focus();
    });
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(restore, discard);
    restoreBox.className = "warning";
    restoreBox.replaceChildren(heading, message, actions);
    showStatus(message.textContent);
  }

  // Send the draft as the form it was, against the revision it was written on: the server
  // saves it, or shows the conflict with what was saved since.
  function replay(draft) {
    const resend = document.createElement("form");
    resend.method = "post";
    resend.action = saveUrl;
    resend.hidden = true;
    const token = form.elements.namedItem("csrf_token");
    const pairs = [["revision", String(draft.revision)], ...draft.entries];
    if (token) {
      pairs.unshift(["csrf_token", token.value]);
    }
    for (const [name, value] of pairs) {
      const field = document.createElement("textarea");
      field.name = name;
      field.value = value;
      resend.append(field);
    }
    document.body.append(resend);
    leaving = true;
    resend.submit();
  }

  // Saving in the background

  function scheduleAutosave() {
    if (!autosaveTimer && !pausedByConflict && !leaving) {
      autosaveTimer = setTimeout(autosave, autosaveDelay);
    }
  }

  function post(body, keepalive) {
    return fetch(saveUrl, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      keepalive: keepalive,
    });
  }

  async function answerOf(response) {
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("application/json")) {
      return null;
    }
    try {
      return await response.json();
    } catch (error) {
      return null;
    }
  }

  async function send(keepalive) {
    const sentContent = contentOf(entries());
    const body = new FormData(form);
    body.delete("action");
    showStatus(texts.saving);
    let response;
    try {
      try {
        response = await post(body, keepalive);
      } catch (error) {
        // A request that outlives the page may carry at most 64 KiB; larger ones go normally.
        if (!keepalive) {
          throw error;
        }
        response = await post(body, false);
      }
    } catch (error) {
      showStatus(texts.failed);
      scheduleAutosave();
      return;
    }
    const answer = await answerOf(response);
    if (answer === null) {
      showStatus(response.redirected ? texts.signedOut : texts.failed);
      scheduleAutosave();
    } else if (response.ok) {
      confirmSaved(answer, sentContent);
    } else if (response.status === 409) {
      showConflict(answer);
    } else if (response.status === 422) {
      showStatus(texts.invalid + " " + answer.problems.join(" "));
    } else {
      showStatus(texts.failed);
      scheduleAutosave();
    }
  }

  function confirmSaved(answer, sentContent) {
    revisionField.value = answer.revision;
    baseRevision = String(answer.revision);
    for (const [key, id] of Object.entries(answer.ids)) {
      const idField = form.elements.namedItem(key + "-id");
      if (idField) {
        idField.value = id;
      }
    }
    savedContent = sentContent;
    showStatus(answer.status);
    if (isDirty()) {
      writeDraft();
      scheduleAutosave();
    } else {
      dropDraft();
    }
  }

  function showConflict(answer) {
    pausedByConflict = true;
    clearTimeout(autosaveTimer);
    autosaveTimer = null;
    conflictBox.innerHTML = answer.conflict;
    if (answer.revision) {
      // Saving now is a decision taken with the other version in view: the explicit button.
      revisionField.value = answer.revision;
    }
    writeDraft();
    showStatus(texts.conflict);
  }

  async function autosave(keepalive) {
    clearTimeout(autosaveTimer);
    autosaveTimer = null;
    while (saving) {
      await saving;
    }
    if (pausedByConflict || leaving || !isDirty()) {
      return;
    }
    saving = send(keepalive === true).finally(() => {
      saving = null;
    });
    await saving;
  }

  function changed() {
    if (!draftTimer) {
      draftTimer = setTimeout(writeDraft, 1000);
    }
    if (!pausedByConflict) {
      showStatus(texts.unsaved);
    }
    scheduleAutosave();
  }

  // Rows added and removed in place

  function addRow(kind, topicKey) {
    const list = document.getElementById(topicKey + "-" + kind);
    const template = document.getElementById("row-template-" + kind);
    if (!list || !template) {
      return false;
    }
    const index = Number(list.dataset.nextIndex);
    list.dataset.nextIndex = String(index + 1);
    const prefix = topicKey + "-" + kind + "-" + index;
    list.insertAdjacentHTML("beforeend", template.innerHTML.split("__prefix__").join(prefix));
    const first = list.lastElementChild.querySelector("textarea, select, input:not([type=hidden])");
    if (first) {
      first.focus();
    }
    return true;
  }

  function removeRow(button) {
    const row = button.closest("[data-row]");
    const fieldset = row && row.closest("fieldset");
    if (!fieldset) {
      return false;
    }
    row.remove();
    fieldset.querySelector("button[value^='add-']").focus();
    changed();
    showStatus(texts.rowRemoved);
    return true;
  }

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[name='action']");
    if (!button) {
      return;
    }
    const [verb, target] = button.value.split(":");
    const isRow = target !== undefined && target.split("-").length === 4;
    if (verb.startsWith("add-") && verb !== "add-topic") {
      if (addRow(verb.slice(4), target)) {
        event.preventDefault();
      }
    } else if (verb === "remove" && isRow) {
      if (removeRow(button)) {
        event.preventDefault();
      }
    } else if (verb === "remove" && !window.confirm(texts.confirmRemoveTopic)) {
      event.preventDefault();
    }
  });

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => {
    if (saving) {
      // Sent now, the form would race the save under way with the same revision and conflict
      // with itself: it waits, and goes unless that save met someone else's.
      event.preventDefault();
      const submitter = event.submitter;
      const pausedBefore = pausedByConflict;
      saving.then(() => {
        if (pausedByConflict === pausedBefore) {
          form.requestSubmit(submitter);
        }
      });
      return;
    }
    leaving = true;
    writeDraft();
  });

  // Closing or reopening an action item leaves the page: the text is saved first.
  for (const other of document.querySelectorAll("form[data-saves-editor-first]")) {
    other.addEventListener("submit", async (event) => {
      if (pausedByConflict || !isDirty()) {
        leaving = true;
        return;
      }
      event.preventDefault();
      await autosave();
      leaving = true;
      writeDraft();
      other.submit();
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "hidden" || leaving) {
      return;
    }
    if (isDirty()) {
      writeDraft();
      autosave(true);
    }
  });

  const draft = readDraft();
  if (draft && contentOf(draft.entries) !== contentOf(entries())) {
    offerRestore(draft);
  } else if (draft && !form.dataset.unsaved) {
    dropDraft();
  }
  if (form.dataset.unsaved) {
    writeDraft();
  }
})();
