// The gallery's search box and filters: they hold the query, say when it changed (typing waits
// a moment; a filter applies at once), and keep it for the next start. Finding is core's work.
import * as backend from "./backend.js";
import { el } from "./dom.js";
import { formatDecimal } from "./format.js";
import { activeFilters, cleared, DEFAULT_QUERY, FILTER_CHOICES } from "./library-query.js";
import { modelLabel } from "./options.js";
import { KINDS } from "./pictures.js";

/** Long enough to let a word be typed, short enough to feel live. */
const TYPING_PAUSE_MS = 140;
/** The saved query is written a while after the last change, not on every keystroke. */
const SAVE_PAUSE_MS = 800;

const isTyping = (target) => target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

export function createGalleryToolbar(ctx, { query: initialQuery, onChange }) {
  const search = document.getElementById("search");
  const clearSearch = document.getElementById("search-clear");
  const clearFilters = document.getElementById("filters-clear");
  const selects = {
    status: document.getElementById("filter-status"),
    marks: document.getElementById("filter-marks"),
    kind: document.getElementById("filter-kind"),
    model_name: document.getElementById("filter-model"),
    aspect_ratio: document.getElementById("filter-ratio"),
    duration: document.getElementById("filter-duration"),
    made: document.getElementById("filter-made"),
    order: document.getElementById("filter-order"),
  };

  let query = initialQuery;
  let typingTimer = null;
  let saveTimer = null;

  /** Each select's choices: [value, label]; "" is the open filters' "any". */
  function choices(name) {
    const { t } = ctx;
    const limits = ctx.rules?.limits;
    switch (name) {
      case "model_name":
        return [["", t("gallery.model_any")], ...(ctx.rules?.models ?? []).map((m) => [m.name, modelLabel(ctx.rules, m.name)])];
      case "aspect_ratio":
        return [["", t("gallery.ratio_any")], ...(limits?.aspect_ratios ?? []).map((r) => [r, r])];
      case "kind":
        return [["", t("gallery.kind_any")], ...KINDS.map((kind) => [kind, t(`gallery.kind.${kind}`)])];
      case "duration":
        return [["", t("gallery.duration_any")], ...(limits?.durations ?? []).map((d) => [d, t("card.duration", { seconds: formatDecimal(d, ctx.lang) })])];
      default: {
        const prefix = { status: "status", marks: "marks", made: "made", order: "order" }[name];
        return FILTER_CHOICES[name].map((value) => [value, t(`gallery.${prefix}_${value}`)]);
      }
    }
  }

  const LABELS = {
    status: "gallery.filter_status",
    marks: "gallery.filter_marks",
    kind: "gallery.filter_kind",
    model_name: "gallery.filter_model",
    aspect_ratio: "gallery.filter_ratio",
    duration: "gallery.filter_duration",
    made: "gallery.filter_made",
    order: "gallery.filter_order",
  };

  function drawSelects() {
    for (const [name, select] of Object.entries(selects)) {
      select.replaceChildren(...choices(name).map(([value, label]) => el("option", { value, text: label })));
      select.setAttribute("aria-label", ctx.t(LABELS[name]));
      select.title = ctx.t(LABELS[name]);
    }
  }

  function show() {
    if (search.value !== query.text) search.value = query.text;
    for (const [name, select] of Object.entries(selects)) {
      select.value = query[name] ?? "";
      select.classList.toggle("is-set", (query[name] ?? null) !== DEFAULT_QUERY[name] && name !== "order");
    }
    clearSearch.hidden = query.text === "";
    clearSearch.setAttribute("aria-label", ctx.t("gallery.search_clear"));
    clearSearch.title = ctx.t("gallery.search_clear");
    clearFilters.hidden = activeFilters(query) === 0;
  }

  function change(next, { now = true } = {}) {
    query = next;
    show();
    clearTimeout(typingTimer);
    if (now) onChange(query);
    else typingTimer = setTimeout(() => onChange(query), TYPING_PAUSE_MS);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      backend.saveGalleryQuery(query).catch((error) => console.warn("Kling Desk: the search was not kept", error));
    }, SAVE_PAUSE_MS);
  }

  search.addEventListener("input", () => change({ ...query, text: search.value }, { now: search.value === "" }));
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && search.value !== "") {
      // Clearing comes first; a second Escape leaves the box.
      event.preventDefault();
      change({ ...query, text: "" });
    } else if (event.key === "Escape") {
      search.blur();
    } else if (event.key === "Enter" || event.key === "ArrowDown") {
      event.preventDefault();
      onChange(query, { focusFirst: true });
    }
  });
  clearSearch.addEventListener("click", () => {
    change({ ...query, text: "" });
    search.focus();
  });
  clearFilters.addEventListener("click", () => change({ ...cleared(query), text: query.text }));
  for (const [name, select] of Object.entries(selects)) {
    select.addEventListener("change", () => change({ ...query, [name]: select.value === "" ? null : select.value }));
  }

  // "/" anywhere outside a text field goes to the search box, as in most apps with one.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    event.preventDefault();
    search.focus();
    search.select();
  });

  drawSelects();
  show();

  return {
    get query() {
      return query;
    },
    /** Words and filters back to their defaults (the order stays), as the empty result offers. */
    clearAll() {
      change(cleared(query));
    },
    focusSearch() {
      search.focus();
    },
    /** The rules arrived or the language changed: the choices are drawn again. */
    relabel() {
      drawSelects();
      show();
    },
  };
}
