// The Spend dialog: what the videos (and the prompt coach) cost, estimated from the price table or
// the user's own prices, per day and per month, by model and mode; what was not charged; prices
// that are unknown are counted, never shown as zero. The sums are core's (`ledger`); this only
// shows them. The ledger can be saved as CSV.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { el, showError } from "./dom.js";
import { formatter } from "./format.js";
import { formatMonth, formatPrice, modeText, modelLabel } from "./options.js";

/** "2026-11-29" → "Sun, 29 Nov" (en) or "So., 29. Nov." (de), read as a local calendar day. */
function dayText(date, lang) {
  const [year, month, day] = String(date).split("-").map(Number);
  const value = new Date(Date.UTC(year, month - 1, day));
  return formatter(Intl.DateTimeFormat, lang, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(value);
}

/** A sum in words: "$1.32", "$1.32 + 2 unknown", or "unknown" when nothing had a price. */
export function sumText(sum, t, lang) {
  const known = sum.videos - (sum.unknown_prices ?? 0);
  if (known <= 0 && sum.unknown_prices > 0) return t("spend.unknown_only", { count: sum.unknown_prices });
  const price = formatPrice(sum.cents ?? 0, lang);
  if (sum.unknown_prices > 0) return t("spend.with_unknown", { price, count: sum.unknown_prices });
  return price;
}

export function createSpend(ctx) {
  const dialog = document.getElementById("spend-dialog");
  const openButton = document.getElementById("open-spend");
  const explain = document.getElementById("spend-explain");
  const today = document.getElementById("spend-today");
  const month = document.getElementById("spend-month");
  const budget = document.getElementById("spend-budget");
  const days = document.getElementById("spend-days");
  const months = document.getElementById("spend-months");
  const notes = document.getElementById("spend-notes");
  const errorSlot = document.getElementById("spend-error");
  const exportButton = document.getElementById("spend-export");
  let spend = null;
  let lastError = null;

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t, null, "export") : null, ctx.t);
  }

  function drawDays() {
    const { t } = ctx;
    const shown = spend.days.filter((day) => day.videos > 0);
    const top = Math.max(1, ...shown.map((day) => day.cents ?? 0));
    days.replaceChildren(...shown.map((day) => {
      const fill = el("span", { class: "spend-bar-fill" });
      // Through the style object: the page's content security policy refuses style attributes.
      fill.style.width = `${Math.round(((day.cents ?? 0) / top) * 100)}%`;
      return el("li", { class: "spend-day", dataset: { testid: "spend-day", date: day.date } },
        el("span", { class: "spend-day-date", translate: "no", text: dayText(day.date, ctx.lang) }),
        el("span", { class: "spend-bar", "aria-hidden": "true" }, fill),
        el("span", { class: "spend-day-sum", text: sumText(day, t, ctx.lang) }));
    }));
    if (!shown.length) days.replaceChildren(el("li", { class: "field-hint", text: t("spend.no_days") }));
  }

  function drawMonths() {
    const { t } = ctx;
    const rules = ctx.rules;
    months.replaceChildren(...spend.months.filter((m) => m.videos > 0).map((m) =>
      el("div", { class: "spend-month", dataset: { testid: "spend-month-row", month: m.month } },
        el("p", { class: "spend-month-head" },
          el("span", { translate: "no", text: formatMonth(m.month, ctx.lang) }),
          el("span", { text: sumText(m, t, ctx.lang) })),
        el("ul", { class: "spend-models" }, m.by_model.map((row) =>
          el("li", {},
            el("span", { text: t("spend.model_mode", { model: rules ? modelLabel(rules, row.model) : row.model, mode: modeText(row.mode, t) }) }),
            el("span", { text: t.plural("spend.videos", row.videos) }),
            el("span", { text: sumText(row, t, ctx.lang) })))))));
    if (!months.childElementCount) months.replaceChildren(el("p", { class: "field-hint", text: t("spend.no_months") }));
  }

  function drawBudget() {
    const check = spend.budget;
    budget.hidden = !check || check.state === "no_budget";
    if (budget.hidden) return;
    budget.dataset.state = check.state;
    budget.textContent = ctx.t(`spend.budget.${check.state}`, {
      budget: formatPrice(check.budget_cents, ctx.lang),
      spent: formatPrice(check.spent_cents, ctx.lang),
    });
  }

  function fill() {
    const { t } = ctx;
    explain.textContent = t("spend.explain", { date: formatMonth(spend?.prices_as_of ?? ctx.rules?.prices_as_of ?? "", ctx.lang) });
    if (!spend) return;
    today.textContent = sumText(spend.today, t, ctx.lang);
    month.textContent = sumText(spend.this_month, t, ctx.lang);
    drawBudget();
    drawDays();
    drawMonths();
    const lines = [];
    if (spend.not_charged > 0) lines.push(t.plural("spend.not_charged", spend.not_charged));
    if (spend.maybe_charged > 0) lines.push(t.plural("spend.maybe_charged", spend.maybe_charged));
    if (spend.chat.calls > 0) lines.push(t.plural("spend.chat", spend.chat.calls, { price: formatPrice(spend.chat.cents ?? 0, ctx.lang) }));
    notes.textContent = lines.join(" ");
  }

  async function load() {
    try {
      spend = await backend.spend(-new Date().getTimezoneOffset());
      setError(null);
    } catch (error) {
      setError(error);
    }
    fill();
  }

  async function open() {
    spend = null;
    fill();
    if (!dialog.open) dialog.showModal();
    await load();
  }

  openButton.addEventListener("click", open);
  for (const button of dialog.querySelectorAll("[data-close]")) button.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => openButton.focus());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  exportButton.addEventListener("click", async () => {
    setError(null);
    exportButton.disabled = true;
    try {
      const saved = await backend.exportLedger(ctx.t("spend.export_title"), -new Date().getTimezoneOffset());
      if (saved) ctx.announce(ctx.t("spend.exported"));
    } catch (error) {
      setError(error);
    }
    exportButton.disabled = false;
  });

  return {
    open,
    relabel() {
      if (dialog.open) fill();
      if (lastError) setError(lastError);
    },
  };
}
