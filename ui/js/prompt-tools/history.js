// Prompt history: the prompts the user wrote before, newest use first, found by their words, one
// click to put one back in the box (the options stay as they are; "Use these settings" on a card
// brings those back too). The composer hands in the prompt box and the button that opens the panel.
import * as backend from "../backend.js";
import { describeError } from "../errors.js";
import { el, showError } from "../dom.js";
import { madeText } from "../detail-facts.js";

/** How many past prompts the panel lists at once: the search box narrows the rest. */
const SHOWN = 30;
const SEARCH_PAUSE_MS = 200;

/** onPick(): the prompt box holds a past prompt (the composer redraws its counter and Generate). */
export function createPromptHistory(ctx, { prompt, toggle, onPick }) {
  const panel = document.getElementById("history-panel");
  const search = document.getElementById("history-search");
  const list = document.getElementById("history-list");
  const empty = document.getElementById("history-empty");
  const errorSlot = document.getElementById("history-error");
  let searchTimer = null;
  let asked = 0;
  let lastError = null;
  let shown = [];

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t) : null, ctx.t);
  }

  function pick(text) {
    prompt.value = text;
    show(false);
    prompt.focus();
    prompt.setSelectionRange(text.length, text.length);
    onPick();
    ctx.announce(ctx.t("history.picked"));
  }

  function draw() {
    const { t } = ctx;
    list.replaceChildren(...shown.map((past) =>
      el("li", {},
        el("button", {
          type: "button",
          class: "history-item",
          dataset: { testid: "history-item" },
          on: { click: () => pick(past.prompt) },
        },
        el("span", { class: "history-prompt", translate: "no", text: past.prompt }),
        el("span", { class: "history-meta" },
          el("span", { translate: "no", text: madeText(past.last_used_at, ctx.lang) }),
          past.uses > 1 ? el("span", { text: t("history.uses", { count: past.uses }) }) : null)))));
    empty.hidden = shown.length > 0;
    empty.textContent = search.value.trim() ? t("history.none_found", { query: search.value.trim() }) : t("history.empty");
  }

  async function load() {
    const ask = ++asked;
    let found;
    let failed = null;
    try {
      found = await backend.promptHistory(search.value, SHOWN);
    } catch (error) {
      failed = error;
    }
    // An answer (or a failure) to an older query must not replace a newer one.
    if (ask !== asked) return;
    setError(failed);
    if (!failed) shown = found;
    draw();
  }

  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (!open) return;
    load();
    search.focus();
  }

  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(load, SEARCH_PAUSE_MS);
  });

  return {
    get open() {
      return !panel.hidden;
    },
    show,
    relabel() {
      if (!panel.hidden) draw();
      if (lastError) setError(lastError);
    },
  };
}
