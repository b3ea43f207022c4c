// "Continue this video": the small dialog a ready card or the detail view opens. Kling adds a few
// seconds to the clip in its own model and shape; the user may say what happens next and what to
// avoid (both optional), sees what it costs, and presses Continue. A refusal says in plain words
// what stands in the way; the new clip reaches the gallery like any other generation.
import * as backend from "./backend.js";
import { showCounter, showError } from "./dom.js";
import { describeError } from "./errors.js";
import { formatDecimal } from "./format.js";
import { estimateText, presentError } from "./options.js";
import { continueLeft, continueLeftText, pictureParams } from "./pictures.js";
import { checkPrompt, PROMPT_MAX } from "./text.js";

/** onCreated(record): each Generation record the continuation made. */
export function createContinueDialog(ctx, { onCreated }) {
  const dialog = document.getElementById("continue-dialog");
  const about = document.getElementById("continue-about");
  const days = document.getElementById("continue-days");
  const prompt = document.getElementById("continue-prompt");
  const promptCounter = document.getElementById("continue-prompt-counter");
  const promptReason = document.getElementById("continue-prompt-reason");
  const negative = document.getElementById("continue-negative");
  const negativeCounter = document.getElementById("continue-negative-counter");
  const negativeReason = document.getElementById("continue-negative-reason");
  const costLine = document.getElementById("continue-cost");
  const errorSlot = document.getElementById("continue-error");
  const go = document.getElementById("continue-go");
  const goLabel = document.getElementById("continue-go-label");

  /** The clip being continued, while the dialog is open. */
  let parent = null;
  let busy = false;
  let cost = null;
  let lastError = null;
  /** Where the keyboard was before the dialog opened; it goes back there. */
  let opener = null;

  const limits = () => ({
    prompt: ctx.rules?.limits.prompt_max_chars ?? PROMPT_MAX,
    negative: ctx.rules?.limits.negative_prompt_max_chars ?? PROMPT_MAX,
  });

  function request() {
    const out = { kind: "extend", parent_id: parent.id, prompt: prompt.value.trim() };
    const avoid = negative.value.trim();
    if (avoid) out.negative_prompt = avoid;
    return out;
  }

  /** The counter and the reason line of one text field; true when the text is over its limit. */
  function drawCount(field, counter, reason, max) {
    const { t } = ctx;
    const check = checkPrompt(field.value, max);
    showCounter(counter, check, t);
    const over = check.problem === "prompt_too_long";
    field.classList.toggle("is-over", over);
    field.setAttribute("aria-invalid", String(over));
    reason.textContent = over ? t("continue.too_long", { over: check.over }) : "";
    reason.dataset.state = over ? "over" : "ok";
    return over;
  }

  function render() {
    if (!parent) return;
    const { t } = ctx;
    const seconds = formatDecimal(ctx.rules?.extend_limits?.adds_seconds ?? 5, ctx.lang);
    about.textContent = t("continue.about", { seconds });
    days.textContent = continueLeftText(continueLeft(parent.continue_until, Date.now()), t);
    const max = limits();
    const over = [
      drawCount(prompt, promptCounter, promptReason, max.prompt),
      drawCount(negative, negativeCounter, negativeReason, max.negative),
    ].some(Boolean);
    costLine.hidden = !cost;
    if (cost) costLine.textContent = estimateText(cost.estimate, t, ctx.lang);
    go.disabled = busy || over;
    go.setAttribute("aria-busy", String(busy));
    goLabel.textContent = t(busy ? "continue.starting" : "continue.go");
  }

  function setError(error) {
    lastError = error;
    const present = (params, err) => pictureParams(ctx.rules ? presentError(ctx.rules, params, err, ctx.t) : params, ctx.lang);
    showError(errorSlot, error ? describeError(error, ctx.t, present) : null, ctx.t);
  }

  async function askCost() {
    const asked = parent;
    try {
      const answer = await backend.costCheck({ ...request(), takes: 1 }, -new Date().getTimezoneOffset());
      if (parent === asked) cost = answer;
    } catch (error) {
      console.warn("Kling Desk: cost_check failed", error);
    }
    render();
  }

  function open(generation) {
    if (!generation) return;
    opener = document.activeElement;
    parent = generation;
    busy = false;
    cost = null;
    prompt.value = "";
    negative.value = "";
    setError(null);
    render();
    if (!dialog.open) dialog.showModal();
    prompt.focus();
    askCost();
  }

  async function submit() {
    if (!parent || busy || go.disabled) return;
    busy = true;
    setError(null);
    render();
    try {
      const created = await backend.generate(request());
      for (const record of created) onCreated(record);
      busy = false;
      dialog.close();
      ctx.announce(ctx.t("continue.started"));
    } catch (error) {
      setError(error);
      if (error?.kind === "key_missing") ctx.refreshKeyStatus?.();
      busy = false;
      render();
      prompt.focus();
    }
  }

  for (const field of [prompt, negative]) {
    field.addEventListener("input", () => {
      if (lastError) setError(null);
      render();
    });
    field.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    });
  }
  go.addEventListener("click", submit);
  for (const button of dialog.querySelectorAll("[data-close]")) button.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && !busy) dialog.close();
  });
  dialog.addEventListener("close", () => {
    parent = null;
    if (opener?.isConnected) opener.focus({ preventScroll: true });
    opener = null;
  });

  return {
    /** Asks for the words to continue `generation` (a ready record with continue_until) with. */
    open,
    relabel() {
      if (!parent) return;
      render();
      if (lastError) setError(lastError);
    },
  };
}

