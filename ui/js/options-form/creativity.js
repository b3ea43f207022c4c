// Creativity ↔ relevance (cfg_scale), only for models that take it; for the others one line says
// why it is not there.
import { el } from "../dom.js";
import { CFG_STEP, reasonText } from "../options.js";
import { errorSlot } from "./section.js";

export function createCreativitySection({ ctx, rules, update }) {
  const { t } = ctx;
  const { limits } = rules;
  const slot = errorSlot("cfg_scale");
  const cfg = el("input", {
    id: "cfg-scale",
    class: "range",
    type: "range",
    min: String(limits.cfg_scale_min),
    max: String(limits.cfg_scale_max),
    step: String(CFG_STEP),
    dataset: { testid: "cfg-scale" },
  });
  cfg.addEventListener("input", () => update({ cfg_scale: Number(cfg.value), cfg_set: true }));
  const reset = el("button", { type: "button", class: "link-button", dataset: { testid: "cfg-reset" }, text: t("options.cfg_reset"), on: { click: () => update({ cfg_scale: limits.cfg_scale_default, cfg_set: false }) } });
  const controls = el("div", { class: "cfg-controls" },
    el("div", { class: "option-head" },
      el("label", { class: "field-label", for: "cfg-scale", text: t("options.cfg_label") }),
      reset),
    cfg,
    el("div", { class: "range-ends", "aria-hidden": "true" },
      el("span", { text: t("options.cfg_creative") }),
      el("span", { text: t("options.cfg_relevant") })));
  const note = el("p", { class: "option-reason", dataset: { testid: "cfg-note" } });
  const off = el("div", { class: "cfg-off" }, el("span", { class: "field-label", text: t("options.cfg_label") }), note);
  const element = el("div", { class: "option" }, controls, off, slot);

  return {
    field: "cfg_scale",
    element,
    slot,
    focusTarget: cfg,
    render({ choice, analysis }) {
      const { t } = ctx;
      controls.hidden = !analysis.cfg.shown;
      off.hidden = analysis.cfg.shown;
      note.textContent = reasonText(rules, analysis.cfg.note, t);
      if (Number(cfg.value) !== choice.cfg_scale) cfg.value = String(choice.cfg_scale);
      cfg.setAttribute("aria-valuetext", t("options.cfg_value", { value: choice.cfg_scale }));
      reset.hidden = !choice.cfg_set;
    },
  };
}
