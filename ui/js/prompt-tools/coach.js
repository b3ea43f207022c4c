// Improve prompt: the prompt goes to a chat model on the user's own key, with instructions core
// builds from Kling's prompt guide. The answer comes back as a word diff against what the user
// wrote, to accept, edit or discard. Nothing reaches Kling before Generate, and a failed call
// leaves the prompt box as it was. The composer hands in its elements and the chosen options.
import * as backend from "../backend.js";
import { describeError } from "../errors.js";
import { diffNodes, showError } from "../dom.js";
import { formatPrice } from "../options.js";
import { countChars } from "../text.js";

/** How long the cost line waits for typing to pause before it asks for a new estimate. */
const ESTIMATE_PAUSE_MS = 400;

/**
 * prompt: the textarea; choice(): the options chosen ({duration, aspect_ratio}); onAccept(): the
 * box now holds the accepted text (the composer redraws its counter and Generate).
 */
export function createCoach(ctx, { prompt, choice, onAccept }) {
  const button = document.getElementById("improve");
  const label = document.getElementById("improve-label");
  const cost = document.getElementById("coach-cost");
  const errorSlot = document.getElementById("coach-error");
  const panel = document.getElementById("coach");
  const legend = document.getElementById("coach-legend");
  const diff = document.getElementById("coach-diff");
  const editLabel = document.getElementById("coach-edit-label");
  const editBox = document.getElementById("coach-edit-box");
  const note = document.getElementById("coach-note");
  const accept = document.getElementById("coach-accept");
  const edit = document.getElementById("coach-edit");
  const discard = document.getElementById("coach-discard");
  let busy = false;
  let suggestion = null;
  let editing = false;
  let lastError = null;
  let estimate = null;
  let estimateTimer = null;
  /** The prompt the suggestion was made for: when the box holds something else, Accept says so. */
  let asked = null;

  function setError(error) {
    lastError = error;
    showError(errorSlot, error ? describeError(error, ctx.t, null, "coach") : null, ctx.t);
  }

  function costText() {
    const { t } = ctx;
    if (!estimate) return "";
    if (estimate.cents == null) return t("coach.cost_unknown", { model: estimate.model });
    if (estimate.cents < 1) return t("coach.cost_below", { price: formatPrice(1, ctx.lang) });
    return t("coach.cost", { price: formatPrice(estimate.cents, ctx.lang) });
  }

  async function refreshEstimate() {
    try {
      estimate = await backend.coachEstimate(prompt.value);
    } catch (error) {
      estimate = null;
      console.warn("Kling Desk: coach_estimate failed", error);
    }
    cost.textContent = costText();
  }

  function drawDiff() {
    diff.replaceChildren(...diffNodes(suggestion.diff));
  }

  function render() {
    const { t } = ctx;
    const empty = countChars(prompt.value) === 0;
    button.disabled = busy || empty;
    button.setAttribute("aria-busy", String(busy));
    button.title = empty ? t("coach.needs_prompt") : "";
    label.textContent = busy ? t("coach.improving") : t("coach.improve");
    cost.textContent = costText();
    panel.hidden = !suggestion;
    if (!suggestion) return;
    legend.textContent = t("coach.legend");
    diff.hidden = editing;
    editLabel.hidden = !editing;
    editBox.hidden = !editing;
    edit.hidden = editing;
    accept.textContent = editing ? t("coach.accept_edited") : t("coach.accept");
    const notes = [];
    if (suggestion.trimmed) notes.push(t("coach.trimmed"));
    if (prompt.value !== asked) notes.push(t("coach.stale"));
    note.hidden = !notes.length;
    note.textContent = notes.join(" ");
  }

  async function improve() {
    if (button.disabled) return;
    busy = true;
    setError(null);
    render();
    try {
      // Before the rules table has loaded there is no choice yet: core then takes its defaults.
      const { duration, aspect_ratio } = choice();
      const request = { prompt: prompt.value, ui_language: ctx.lang };
      asked = prompt.value;
      if (duration != null) request.duration = String(duration);
      if (aspect_ratio != null) request.aspect_ratio = aspect_ratio;
      suggestion = await backend.improvePrompt(request);
      editing = false;
      drawDiff();
      ctx.announce(ctx.t("coach.ready"));
    } catch (error) {
      setError(error);
    } finally {
      busy = false;
      render();
    }
    if (suggestion && !lastError) accept.focus();
  }

  function close(message) {
    suggestion = null;
    editing = false;
    render();
    ctx.announce(ctx.t(message));
  }

  button.addEventListener("click", improve);
  accept.addEventListener("click", () => {
    const text = editing ? editBox.value : suggestion.text;
    prompt.value = text;
    close("coach.accepted");
    prompt.focus();
    prompt.setSelectionRange(text.length, text.length);
    onAccept();
  });
  edit.addEventListener("click", () => {
    editing = true;
    editBox.value = suggestion.text;
    render();
    editBox.focus();
  });
  discard.addEventListener("click", () => {
    close("coach.discarded");
    prompt.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    // Escape in the edit box cancels the edit and shows the suggestion again; elsewhere it
    // discards the suggestion.
    if (editing && event.target === editBox) {
      editing = false;
      render();
      edit.focus();
      return;
    }
    close("coach.discarded");
    prompt.focus();
  });

  refreshEstimate();
  return {
    /** The prompt changed: the Improve button follows it, the estimate once typing pauses. */
    promptChanged() {
      if (lastError) setError(null);
      render();
      clearTimeout(estimateTimer);
      estimateTimer = setTimeout(refreshEstimate, ESTIMATE_PAUSE_MS);
    },
    relabel() {
      render();
      if (lastError) setError(lastError);
    },
    render,
  };
}
