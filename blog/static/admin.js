// The desk works without this script; it adds a live preview and slug suggestions.
(function () {
  "use strict";
  const form = document.querySelector("form.editor");
  if (!form) return;
  const source = form.querySelector("#source");
  const preview = document.getElementById("preview");
  const title = form.querySelector("#title");
  const slug = form.querySelector("#slug");
  const token = form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  let sent = 0;

  function refresh() {
    const mine = ++sent;
    const body = new FormData();
    body.append("source", source.value);
    body.append("language", form.querySelector("#language").value);
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

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 120).replace(/-+$/, "");
  }
  let slugTouched = slug.value !== "";
  slug.addEventListener("input", () => { slugTouched = slug.value !== ""; });
  title.addEventListener("input", () => {
    if (!slugTouched) slug.placeholder = slugify(title.value);
  });
})();
