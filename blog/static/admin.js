// The desk works without this script; it adds a live preview and slug suggestions.
(function () {
  "use strict";
  const form = document.querySelector("form.editor");
  if (!form) return;
  const source = document.getElementById("source");
  const preview = document.getElementById("preview");
  const title = document.getElementById("title");
  const slug = document.getElementById("slug");
  const token = form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  let sent = 0;

  function refresh() {
    const mine = ++sent;
    const body = new FormData();
    body.append("source", source.value);
    body.append("language", document.getElementById("language").value);
    fetch(form.dataset.previewUrl, { method: "POST", body, headers: { "X-CSRF-Token": token } })
      .then((response) => response.text().then((text) => ({ ok: response.ok, text })))
      .then(({ ok, text }) => {
        if (mine !== sent) return; // an older answer arriving late
        if (ok) {
          // The server returns the same sanitized HTML that publishing stores.
          preview.innerHTML = text;
        } else {
          preview.textContent = text;
        }
      })
      .catch(() => {});
  }

  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });

  // The slug is suggested by the server, which makes every slug (blog/slugs.py): one spelling
  // for the desk, the importers and this suggestion.
  let slugTimer = null;
  let slugAsked = 0;
  function suggestSlug() {
    const mine = ++slugAsked;
    const url = form.dataset.slugUrl + "?" + new URLSearchParams({ title: title.value });
    fetch(url, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => {
        if (answer && mine === slugAsked && !slugTouched) slug.placeholder = answer.slug;
      })
      .catch(() => {});
  }
  let slugTouched = slug.value !== "";
  slug.addEventListener("input", () => { slugTouched = slug.value !== ""; });
  title.addEventListener("input", () => {
    if (slugTouched) return;
    clearTimeout(slugTimer);
    slugTimer = setTimeout(suggestSlug, 250);
  });
})();

// The editor's "insert" buttons place a library file's Markdown at the cursor.
(function () {
  "use strict";
  const source = document.querySelector("form.editor #source");
  if (!source) return;
  document.querySelectorAll("button[data-markdown]").forEach((button) => {
    button.addEventListener("click", () => {
      const start = source.selectionStart;
      const end = source.selectionEnd;
      const before = source.value.slice(0, start);
      // A picture, a player or a link on a line of its own reads best in Markdown.
      const text = (before && !before.endsWith("\n") ? "\n\n" : "") + button.dataset.markdown + "\n";
      source.setRangeText(text, start, end, "end");
      source.focus();
      source.dispatchEvent(new Event("input"));
    });
  });
})();

// The library's upload box also takes files dropped on it (the file input works alone).
(function () {
  "use strict";
  const box = document.getElementById("upload");
  if (!box) return;
  const input = box.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach((name) => box.addEventListener(name, (event) => {
    event.preventDefault();
    box.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((name) => box.addEventListener(name, () => {
    box.classList.remove("dragging");
  }));
  box.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    box.submit();
  });
})();
