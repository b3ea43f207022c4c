// Settings > Spending: the monthly budget, and the price table with a price of the user's own for
// any row (from their CometAPI bill), for models CometAPI publishes no price for or prices that
// changed. Core keeps the rules (what a valid price or budget is, which price wins); a change
// reaches the cost line through `onChange`.
import * as backend from "./backend.js";
import { describeError } from "./errors.js";
import { el, showError } from "./dom.js";
import { durationText, formatMonth, formatPrice, modeText, modelLabel } from "./options.js";
import { mergeSettings } from "./preferences.js";

/** "0.295" for 29.5 cents: the field takes dollars, as the bill shows them. */
function dollars(cents) {
  return cents == null ? "" : String(Math.round(cents * 100) / 10000);
}

/** What the user typed in dollars ("0.33", "0,33") → cents; null for an empty field. */
function cents(text) {
  const typed = String(text).trim();
  return typed === "" ? null : Number(typed.replace(",", ".")) * 100;
}

/** onChange(): a price or the budget changed (the composer asks again what Generate costs). */
export function createRateCard(ctx, { onChange }) {
  const budget = document.getElementById("monthly-budget");
  const budgetSave = document.getElementById("monthly-budget-save");
  const budgetError = document.getElementById("monthly-budget-error");
  const hint = document.getElementById("rate-card-hint");
  const rows = document.getElementById("rate-rows");
  const status = document.getElementById("rate-card-status");
  const errorSlot = document.getElementById("rate-card-error");
  let card = null;
  let statusTimer = null;

  function setError(slot, error) {
    showError(slot, error ? describeError(error, ctx.t, null, "settings") : null, ctx.t);
  }

  function rowLabel(row) {
    const { t } = ctx;
    const params = {
      model: ctx.rules ? modelLabel(ctx.rules, row.model) : row.model,
      mode: modeText(row.mode, t),
      duration: durationText(row.duration, t),
    };
    return t(row.sound ? "settings.price_row_sound" : "settings.price_row", params);
  }

  function draw() {
    const { t } = ctx;
    hint.textContent = t("settings.prices_hint", { date: formatMonth(card?.prices_as_of ?? "", ctx.lang) });
    rows.replaceChildren(...(card?.rows ?? []).map((row) => {
      const key = { model: row.model, mode: row.mode, duration: row.duration, sound: row.sound };
      const label = rowLabel(row);
      const input = el("input", {
        class: "input input-small input-price",
        type: "text",
        inputmode: "decimal",
        value: dollars(row.user_cents),
        placeholder: row.shipped_cents == null ? "" : dollars(row.shipped_cents),
        "aria-label": t("settings.price_for", { row: label }),
        dataset: { testid: "user-price" },
      });
      const save = async () => {
        setError(errorSlot, null);
        const value = cents(input.value);
        if (value != null && !Number.isFinite(value)) {
          setError(errorSlot, { kind: "price_invalid", params: { min: 0, max: card.max_price_cents / 100 } });
          input.focus();
          return;
        }
        try {
          if (value == null) await backend.clearUserPrice(key);
          else await backend.setUserPrice(key, value);
          await load();
          // The table was drawn anew: the keyboard goes back to the same row's field.
          rows.querySelector(`[data-testid=rate-row][data-model="${row.model}"][data-mode="${row.mode}"][data-duration="${row.duration}"][data-sound="${row.sound}"] input`)?.focus();
          say("settings.price_saved");
          onChange();
        } catch (error) {
          setError(errorSlot, error);
          input.focus();
        }
      };
      // Enter leaves the field, which saves it through "change": one save either way.
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          input.blur();
        }
      });
      input.addEventListener("change", save);
      return el("tr", { dataset: { testid: "rate-row", model: row.model, mode: row.mode, duration: row.duration, sound: row.sound } },
        el("th", { scope: "row", text: label }),
        el("td", { class: "rate-list", text: row.shipped_cents == null ? t("settings.price_unknown") : formatPrice(row.shipped_cents, ctx.lang) }),
        el("td", {}, input));
    }));
  }

  function say(key) {
    status.hidden = false;
    status.textContent = ctx.t(key);
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { status.hidden = true; }, 2500);
  }

  async function load() {
    try {
      card = await backend.rateCard();
    } catch (error) {
      setError(errorSlot, error);
    }
    draw();
  }

  async function saveBudget() {
    setError(budgetError, null);
    const value = cents(budget.value);
    if (value != null && !Number.isFinite(value)) {
      setError(budgetError, { kind: "budget_invalid", params: { min: 0, max: (card?.max_budget_cents ?? 0) / 100 } });
      budget.focus();
      return;
    }
    const next = mergeSettings(ctx.settings, { monthly_budget_cents: value });
    try {
      ctx.settings = (await backend.setSettings(next)) ?? next;
      budget.value = dollars(ctx.settings.monthly_budget_cents);
      onChange();
    } catch (error) {
      setError(budgetError, error);
      budget.focus();
    }
  }

  budgetSave.addEventListener("click", saveBudget);
  budget.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      saveBudget();
    }
  });

  return {
    /** Settings opened: the budget as saved, and the price table as it is now. */
    open() {
      budget.value = dollars(ctx.settings?.monthly_budget_cents);
      setError(budgetError, null);
      setError(errorSlot, null);
      load();
    },
    relabel() {
      if (card) draw();
    },
  };
}
