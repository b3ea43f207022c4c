// Snippets: camera, light and style phrases from Kling's prompt guide in the app's language, and
// the user's own, saved in the library. A click puts one in the prompt where the cursor was; core
// decides the separators and refuses a phrase that would pass the limit. The composer hands in
// the prompt box and the button that opens the panel.
import * as backend from "../backend.js";
import { describeError } from "../errors.js";
import { el, icon, showError } from "../dom.js";

const GROUPS = ["own", "camera", "light", "style"];

/** Characters (what core counts) before `units` UTF-16 code units of `text`. */
function charsBefore(text, units) {
  return [...text.slice(0, units)].length;
}

/** UTF-16 code units of the first `chars` characters of `text`. */
function unitsOf(text, chars) {
  return [...text].slice(0, chars).join("").length;
}

/** onInsert(): the prompt box changed (the composer redraws its counter and Generate). */
export function createSnippets(ctx, { prompt, toggle, onInsert }) {
  const panel = document.getElementById("snippets-panel");
  const groups = document.getElementById("snippet-groups");
  const add = document.getElementById("snippet-add");
  const addHint = document.getElementById("snippet-add-hint");
  const errorSlot = document.getElementById("snippets-error");
  let snippets = { builtin: [], own: [] };
  let renaming = null;
  /** The tab the user chose; null until they choose one. */
  let group = null;
  let lastError = null;
  // Until the user has put the cursor somewhere, a snippet goes at the end.
  let cursorPlaced = false;

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t) : null, ctx.t);
  }

  function selection() {
    const start = Math.min(prompt.selectionStart, prompt.selectionEnd);
    const end = Math.max(prompt.selectionStart, prompt.selectionEnd);
    return prompt.value.slice(start, end).trim();
  }

  function cursor() {
    if (!cursorPlaced) return charsBefore(prompt.value, prompt.value.length);
    return charsBefore(prompt.value, prompt.selectionEnd);
  }

  async function insert(snippet) {
    setError(null);
    try {
      const inserted = await backend.insertSnippet(prompt.value, cursor(), snippet.text);
      prompt.value = inserted.text;
      const at = unitsOf(inserted.text, inserted.cursor);
      prompt.focus();
      prompt.setSelectionRange(at, at);
      cursorPlaced = true;
      onInsert();
      ctx.announce(ctx.t("snippets.inserted"));
    } catch (error) {
      setError(error);
    }
  }

  function snippetButton(snippet) {
    return el("button", {
      type: "button",
      class: "btn btn-quiet btn-small snippet",
      title: snippet.builtin ? null : snippet.text,
      translate: "no",
      dataset: { testid: "snippet", id: snippet.id },
      on: { click: () => insert(snippet) },
    }, snippet.builtin ? snippet.text : snippet.name);
  }

  function renameRow(snippet) {
    const input = el("input", {
      class: "input input-small",
      type: "text",
      value: snippet.name,
      maxlength: "60",
      translate: "no",
      "aria-label": ctx.t("snippets.name_label"),
      dataset: { testid: "snippet-name" },
    });
    const save = async () => {
      setError(null);
      try {
        await backend.renameSnippet(snippet.id, input.value);
        renaming = null;
        await load();
      } catch (error) {
        setError(error);
        input.focus();
      }
    };
    const cancel = () => {
      renaming = null;
      draw();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") save();
      if (event.key === "Escape") {
        event.stopPropagation();
        cancel();
      }
    });
    queueMicrotask(() => input.select());
    return el("li", { class: "snippet-row" }, input,
      el("button", { type: "button", class: "btn btn-secondary btn-small", dataset: { testid: "snippet-name-save" }, on: { click: save } }, ctx.t("snippets.save_name")),
      el("button", { type: "button", class: "btn btn-quiet btn-small", on: { click: cancel } }, ctx.t("snippets.cancel")));
  }

  function iconButton(iconName, label, testid, onClick) {
    return el("button", {
      type: "button",
      class: "btn btn-icon btn-small",
      "aria-label": label,
      title: label,
      dataset: { testid },
      on: { click: onClick },
    }, icon(iconName, "icon icon-sm"));
  }

  function ownRow(snippet) {
    if (renaming === snippet.id) return renameRow(snippet);
    const { t } = ctx;
    return el("li", { class: "snippet-row", dataset: { testid: "own-snippet", id: snippet.id } },
      snippetButton(snippet),
      iconButton("pen", t("snippets.rename", { name: snippet.name }), "snippet-rename", () => { renaming = snippet.id; draw(); }),
      iconButton("close", t("snippets.delete", { name: snippet.name }), "snippet-delete", () => remove(snippet)));
  }

  /** The group shown: the user's own when there are any, else the camera phrases. */
  function shownGroup() {
    return group ?? (snippets.own.length ? "own" : "camera");
  }

  function draw() {
    const { t } = ctx;
    const current = shownGroup();
    const tabs = el("div", { class: "snippet-tabs", role: "tablist", "aria-label": t("snippets.title") },
      GROUPS.map((name) => el("button", {
        type: "button",
        role: "tab",
        class: "snippet-tab",
        "aria-selected": String(name === current),
        dataset: { testid: "snippet-tab", group: name },
        on: { click: () => { group = name; draw(); } },
      }, t(`snippets.group.${name}`))));
    let list;
    if (current === "own") {
      const rows = snippets.own.map(ownRow);
      list = rows.length ? el("ul", { class: "snippet-own-list" }, rows) : el("p", { class: "field-hint", text: t("snippets.own_empty") });
    } else {
      list = el("div", { class: "snippet-list" }, snippets.builtin.filter((snippet) => snippet.category === current).map(snippetButton));
    }
    groups.replaceChildren(tabs, el("div", { role: "tabpanel", class: "snippet-group", dataset: { group: current } }, list));
    renderAdd();
  }

  function renderAdd() {
    const picked = selection();
    add.disabled = !picked;
    addHint.textContent = ctx.t(picked ? "snippets.add_ready" : "snippets.add_hint");
  }

  async function load() {
    try {
      snippets = await backend.snippets(ctx.lang);
    } catch (error) {
      setError(error);
    }
    draw();
  }

  async function remove(snippet) {
    setError(null);
    try {
      await backend.deleteSnippet(snippet.id);
      await load();
      ctx.announce(ctx.t("snippets.deleted", { name: snippet.name }));
      toggle.focus();
    } catch (error) {
      setError(error);
    }
  }

  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) load();
  }

  add.addEventListener("click", async () => {
    const text = selection();
    if (!text) return;
    setError(null);
    try {
      const saved = await backend.addSnippet(text);
      group = "own";
      await load();
      ctx.announce(ctx.t("snippets.added", { name: saved.name }));
    } catch (error) {
      setError(error);
    }
  });
  for (const type of ["select", "keyup", "mouseup", "focus"]) {
    prompt.addEventListener(type, () => {
      if (type !== "focus") cursorPlaced = true;
      if (!panel.hidden) renderAdd();
    });
  }

  return {
    get open() {
      return !panel.hidden;
    },
    show,
    relabel() {
      if (!panel.hidden) load();
      if (lastError) setError(lastError);
    },
  };
}
