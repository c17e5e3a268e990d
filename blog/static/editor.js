// Never lose a word. The editor works without this script; with it, the text being typed is
// kept in this browser at once and on the server a few seconds later (an autosave, apart from
// the post), offered back after a crash or a closed tab; leaving with unsaved changes asks
// first; Ctrl/Cmd+S saves; counters follow the text. Every message comes from the page, in
// the desk's language (data-* attributes of the form).
(function () {
  "use strict";
  const form = document.getElementById("editor");
  if (!form) return;
  const d = form.dataset;
  const token = form.querySelector("input[name=csrf_token]").value;
  const state = document.getElementById("save-state");
  const kind = form.elements.namedItem("kind").value;
  const KEY = "blog-desk:" + form.getAttribute("action") + ":" + kind;
  const TEXT = ["title", "slug", "language", "summary", "source"];
  const field = (name) => form.elements.namedItem(name);
  const AUTOSAVE_DELAY = 2000;

  function serialize() {
    const data = new FormData(form);
    data.delete("csrf_token");
    data.delete("confirmed");
    return new URLSearchParams(data).toString();
  }
  function textValues() {
    const values = {};
    for (const name of TEXT) values[name] = field(name).value;
    return values;
  }
  function sameText(values) {
    return TEXT.every((name) => (values[name] || "") === field(name).value);
  }
  function say(message) {
    if (state) state.textContent = message;
  }

  // --- this browser's copy ------------------------------------------------------------------
  function readCopy(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key || KEY));
    } catch (error) {
      return null;
    }
  }
  function writeCopy(synced) {
    try {
      const copy = { values: textValues(), at: Date.now(), synced: synced };
      window.localStorage.setItem(KEY, JSON.stringify(copy));
    } catch (error) {
      // Storage full or refused (private mode): the server's autosave still works.
    }
  }
  function dropCopy(key) {
    try {
      window.localStorage.removeItem(key || KEY);
    } catch (error) {
      // nothing kept, nothing to drop
    }
  }

  // --- the server's autosave ----------------------------------------------------------------
  let timer = null;
  let sent = 0;
  function autosave() {
    clearTimeout(timer);
    if (!d.autosaveUrl) return Promise.resolve(false);
    const mine = ++sent;
    const body = new FormData();
    for (const [name, value] of Object.entries(textValues())) body.append(name, value);
    return fetch(d.autosaveUrl, {
      method: "POST",
      body,
      headers: { "X-CSRF-Token": token, Accept: "application/json" },
      credentials: "same-origin",
      redirect: "error", // signed out: the sign-in page is no autosave
    })
      .then((response) => response.json())
      .then((answer) => {
        if (mine !== sent) return answer.saved;
        if (answer.saved) {
          writeCopy(true);
          say(answer.message);
        } else {
          say(answer.message || d.offline);
        }
        return answer.saved;
      })
      .catch(() => {
        if (mine === sent) say(d.offline);
        return false;
      });
  }

  // --- leaving with unsaved changes ---------------------------------------------------------
  let initial = serialize();
  let leaving = false;
  form.addEventListener("submit", (event) => {
    const target = event.submitter && event.submitter.getAttribute("formtarget");
    if (target !== "_blank") leaving = true; // a full-page preview opens beside the editor
  });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || serialize() === initial) return;
    event.preventDefault();
    event.returnValue = "";
  });
  window.addEventListener("pageshow", () => {
    leaving = false;
  });

  // --- Ctrl/Cmd+S ---------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "s" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    event.preventDefault();
    const draft = document.getElementById("draft-button");
    if (d.published !== "true" && draft) {
      form.requestSubmit(draft); // a draft is saved as a draft: readers see nothing
    } else {
      autosave(); // a published post changes for readers only by Update
    }
  });

  // --- counters and labels ------------------------------------------------------------------
  const source = field("source");
  const summary = field("summary");
  const words = document.getElementById("source-count");
  const characters = document.getElementById("summary-count");
  function count() {
    const n = source.value.split(/\s+/).filter(Boolean).length;
    const minutes = Math.max(1, Math.round(n / 230));
    if (words) words.textContent = d.words.replace("{words}", n).replace("{minutes}", minutes);
    if (characters) {
      characters.textContent = d.characters
        .replace("{count}", Array.from(summary.value).length)
        .replace("{limit}", characters.dataset.limit);
    }
  }
  const when = field("published_at");
  const publish = document.getElementById("publish-button");
  function label() {
    if (publish && when) publish.textContent = when.value && when.value > d.now ? d.schedule : d.publish;
  }

  function changed() {
    count();
    label();
    // What was confirmed is not what is in the form any more: confirm again.
    for (const confirmed of document.querySelectorAll("input[name=confirmed]")) confirmed.remove();
    if (serialize() === initial) {
      dropCopy();
      return;
    }
    writeCopy(false);
    say(d.unsaved);
    clearTimeout(timer);
    if (d.autosaveUrl) timer = setTimeout(autosave, AUTOSAVE_DELAY);
  }
  form.addEventListener("input", changed);
  // Fields beside the form (form="editor") send their events to their own parents.
  for (const element of form.elements) {
    if (!form.contains(element)) element.addEventListener("input", changed);
  }

  // --- after a crash or a closed tab --------------------------------------------------------
  function offerCopy(copy) {
    const notice = document.createElement("div");
    notice.className = "notice";
    notice.id = "local-copy-notice";
    notice.setAttribute("role", "status");
    const text = document.createElement("p");
    const moment = new Date(copy.at).toLocaleString(document.documentElement.lang);
    text.textContent = d.localFound.replace("{when}", moment) + " ";
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "secondary";
    restore.textContent = d.restore;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link";
    discard.textContent = d.discard;
    text.append(restore, " ", discard);
    notice.append(text);
    document.querySelector(".editor-layout").before(notice);
    restore.addEventListener("click", () => {
      for (const name of TEXT) {
        if (copy.values[name] !== undefined) field(name).value = copy.values[name];
      }
      text.textContent = d.restored;
      source.dispatchEvent(new Event("input", { bubbles: true })); // preview, counters, autosave
      field("title").focus();
    });
    discard.addEventListener("click", () => {
      dropCopy();
      notice.remove();
    });
  }

  const copy = readCopy();
  if (copy && copy.values) {
    if (sameText(copy.values)) {
      dropCopy();
    } else if (!(copy.synced && document.getElementById("autosave-notice"))) {
      offerCopy(copy); // the server's autosave notice already offers a synced copy
    }
  }
  if (document.querySelector("p.ok[role=status]")) {
    // Just saved: a copy typed in "New post" that was this text is saved now.
    const fresh = "blog-desk:" + form.dataset.newUrl + ":" + kind;
    const kept = readCopy(fresh);
    if (kept && kept.values && kept.values.source === source.value) dropCopy(fresh);
  }
  count();
  label();
  initial = serialize();
})();
