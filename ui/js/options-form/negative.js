// What to avoid (negative_prompt), with its own counter against the model's limit.
import { el, showCounter } from "../dom.js";
import { counterState } from "../text.js";
import { errorSlot } from "./section.js";

export function createNegativeSection({ ctx, update }) {
  const { t } = ctx;
  const slot = errorSlot("negative_prompt");
  const negative = el("textarea", {
    id: "negative-prompt",
    class: "input negative-input",
    rows: "2",
    placeholder: t("options.negative_placeholder"),
    "aria-describedby": "negative-counter negative-reason",
    dataset: { testid: "negative-prompt" },
  });
  negative.addEventListener("input", () => update({ negative_prompt: negative.value }));
  const counter = el("span", { id: "negative-counter", class: "counter", dataset: { testid: "negative-counter" } });
  const reason = el("span", { id: "negative-reason", class: "reason" });
  const element = el("div", { class: "option" },
    el("label", { class: "field-label", for: "negative-prompt", text: t("options.negative_label") }),
    negative,
    el("div", { class: "prompt-meta prompt-meta-tight" }, reason, counter),
    slot);

  return {
    field: "negative_prompt",
    element,
    slot,
    focusTarget: negative,
    render({ choice, analysis }) {
      const { t } = ctx;
      if (negative.value !== choice.negative_prompt) negative.value = choice.negative_prompt;
      const neg = analysis.negative;
      const state = counterState(neg.count, neg.max);
      showCounter(counter, { count: neg.count, max: neg.max, state }, t);
      negative.classList.toggle("is-over", state === "over");
      negative.setAttribute("aria-invalid", String(state === "over"));
      reason.textContent = neg.over > 0 ? t("options.negative_too_long", { over: neg.over }) : t("options.negative_hint");
      reason.dataset.state = neg.over > 0 ? "over" : "ok";
    },
  };
}
