// The tags field offers existing tags as one types (a combobox and its list box, ARIA 1.2
// pattern): a tag is found by its name in any language, and a tag of the translation group
// without a name in the post's language is offered to take what is typed as that name
// (« inondations » for "floods"). Without this script the field stays a plain text field,
// and the server maps a typed name to the existing tag on save.
(function () {
  "use strict";
  const input = document.getElementById("tags");
  if (!input || !input.dataset.suggest) return;
  const status = document.getElementById("tags-status");
  const language = document.getElementById("language");
  const list = document.createElement("ul");
  list.id = "tags-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.labels[0] ? input.labels[0].textContent : "");
  list.hidden = true;
  input.parentNode.insertBefore(list, input.nextSibling);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_m, name) => values[name] ?? "");
  }
  function typed() {
    const value = input.value;
    return value.slice(value.lastIndexOf(",") + 1).trim();
  }
  function close() {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function highlight(index) {
    active = index;
    options.forEach((option, i) => option.element.setAttribute("aria-selected", String(i === index)));
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
    } else {
      input.setAttribute("aria-activedescendant", options[index].element.id);
      options[index].element.scrollIntoView({ block: "nearest" });
    }
  }
  function show(found) {
    close();
    found.forEach((tag, i) => {
      const element = document.createElement("li");
      element.id = "tags-suggestion-" + i;
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      const label = document.createElement("span");
      label.textContent = tag.label;
      label.lang = language ? language.value : "";
      element.append(label);
      if (tag.note) {
        const note = document.createElement("small");
        note.textContent = " — " + tag.note;
        element.append(note);
      }
      // mousedown, not click: the field keeps the focus.
      element.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(i);
      });
      list.append(element);
      options.push({ tag, element });
    });
    if (options.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    if (status) status.textContent = options.length ? format(input.dataset.found, { count: options.length }) : "";
  }
  function nameField(tag) {
    // The visible field of the tag names fieldset when the page has one; a hidden one otherwise.
    const name = "term-name-" + tag.name_for;
    let field = document.querySelector(`input[name="${name}"]`);
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.setAttribute("form", "editor");
      input.parentNode.append(field);
    }
    return field;
  }
  function choose(index) {
    const { tag } = options[index];
    const value = input.value;
    const cut = value.lastIndexOf(",") + 1;
    const before = value.slice(0, cut);
    input.value = (before ? before.trimEnd() + " " : "") + tag.insert + ", ";
    if (tag.name_for !== null) {
      nameField(tag).value = tag.insert;
      const chosen = language ? language.options[language.selectedIndex].text : "";
      const message = format(input.dataset.named, { name: tag.insert, language: chosen, tag: tag.tag_name });
      if (status) status.textContent = message;
      let shown = document.getElementById("tags-named");
      if (!shown) {
        shown = document.createElement("p");
        shown.id = "tags-named";
        shown.className = "hint";
        input.closest(".tag-field").append(shown);
      }
      const line = document.createElement("small");
      line.textContent = message;
      shown.append(line, document.createElement("br"));
    }
    close();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  }
  async function ask() {
    const text = typed();
    if (text.length < 2) {
      close();
      return;
    }
    const url = new URL(input.dataset.suggest, window.location.href);
    url.searchParams.set("q", text);
    url.searchParams.set("language", language ? language.value : "");
    const mine = ++asked;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok || mine !== asked) return;
      const found = (await response.json()).tags;
      if (mine === asked && document.activeElement === input) show(found);
    } catch (_error) {
      close(); // offline: the field still takes what is typed
    }
  }

  input.addEventListener("input", (event) => {
    if (!event.isTrusted) return; // our own change after a choice
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) {
      if (event.key === "ArrowDown" && typed().length >= 2) ask();
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); // take the tag, do not send the form
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
})();
