// Model: which Kling model makes the video; with a start picture only the models that animate
// one can be chosen. The note under it says what a change of model (or "Use these settings") had
// to adjust in the other options.
import { el } from "../dom.js";
import { errorSlot, reasonLine, showReason } from "./section.js";

export function createModelSection({ ctx, rules, update }) {
  const { t } = ctx;
  const slot = errorSlot("model_name");
  const choices = rules.models.map((m) => el("option", { value: m.name, text: m.label }));
  const model = el("select", { id: "model", class: "input select", "aria-describedby": "model-reason", dataset: { testid: "model" } }, ...choices);
  model.addEventListener("change", () => update({ model_name: model.value }, { modelChanged: true }));
  const reason = reasonLine("model-reason", "model-reason");
  const note = el("p", { id: "options-note", class: "options-note", dataset: { testid: "options-note" } });
  const element = el("div", { class: "option" },
    el("label", { class: "field-label", for: "model", text: t("options.model_label") }),
    model, reason, note, slot);

  return {
    field: "model_name",
    element,
    slot,
    focusTarget: model,
    render({ choice, analysis, note: noteText }) {
      note.textContent = noteText ?? "";
      note.hidden = noteText == null;
      for (const option of choices) {
        const offered = analysis.models.find((m) => m.value === option.value)?.enabled ?? true;
        option.disabled = !offered;
        option.hidden = !offered;
      }
      showReason(reason, rules, analysis.modelReason, ctx.t);
      if (model.value !== choice.model_name) model.value = choice.model_name;
    },
  };
}
