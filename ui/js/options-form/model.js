// Model: which Kling model makes the video. The note under it says what a change of model (or
// "Use these settings") had to adjust in the other options.
import { el } from "../dom.js";
import { errorSlot } from "./section.js";

export function createModelSection({ ctx, rules, update }) {
  const { t } = ctx;
  const slot = errorSlot("model_name");
  const model = el("select", { id: "model", class: "input select", dataset: { testid: "model" } },
    ...rules.models.map((m) => el("option", { value: m.name, text: m.label })));
  model.addEventListener("change", () => update({ model_name: model.value }, { modelChanged: true }));
  const note = el("p", { id: "options-note", class: "options-note", dataset: { testid: "options-note" } });
  const element = el("div", { class: "option" },
    el("label", { class: "field-label", for: "model", text: t("options.model_label") }),
    model, note, slot);

  return {
    field: "model_name",
    element,
    slot,
    focusTarget: model,
    render({ choice, note: noteText }) {
      note.textContent = noteText ?? "";
      note.hidden = noteText == null;
      if (model.value !== choice.model_name) model.value = choice.model_name;
    },
  };
}
